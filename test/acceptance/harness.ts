/**
 * Shared by the acceptance suite (test/acceptance) and the ClickHouse load test (test/clickhouse):
 * runs the built connector CLI as Airbyte does (a child process, protocol messages on stdout),
 * starts the sandbox in-process, and writes a sandbox config where CAT expects the user's secrets.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import {spawn} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import YAML from 'yaml';

import {Sandbox, startSandbox, SandboxOptions} from '../../sandbox';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'source-azure-billing');

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Message {
  type: string;
  [key: string]: Json;
}

export interface CliRun {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  messages: Message[];
  /** stdout lines that are not JSON protocol messages (CAT fails on these). */
  badLines: string[];
  seconds: number;
}

const PROTOCOL_TYPES = new Set(['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL']);

/** Runs `bin/source-azure-billing ARGS` asynchronously (the sandbox lives in this process). */
export function runCli(args: string[], timeoutMs = 600_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (stdout += c));
    child.stderr.on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const messages: Message[] = [];
      const badLines: string[] = [];
      for (const line of stdout.split('\n')) {
        if (!line.trim()) continue;
        try {
          const m = JSON.parse(line) as Message;
          if (m && typeof m === 'object' && PROTOCOL_TYPES.has(m.type)) messages.push(m);
          else badLines.push(line);
        } catch {
          badLines.push(line);
        }
      }
      resolve({args, code, stdout, stderr, messages, badLines, seconds: (Date.now() - started) / 1000});
    });
  });
}

export const ofType = (run: CliRun, type: string): Message[] => run.messages.filter((m) => m.type === type);
export const recordsOf = (run: CliRun, stream?: string): Json[] =>
  ofType(run, 'RECORD').filter((m) => !stream || m.record.stream === stream).map((m) => m.record);
export const dataOf = (run: CliRun, stream?: string): Json[] => recordsOf(run, stream).map((r) => r.data);
export const statesOf = (run: CliRun, stream?: string): Json[] =>
  ofType(run, 'STATE')
    .map((m) => m.state)
    .filter((s) => !stream || s?.stream?.stream_descriptor?.name === stream);

/** The per-stream state the platform passes to the next sync: the last STATE of every stream. */
export function latestStateInput(run: CliRun): Json[] {
  const last = new Map<string, Json>();
  for (const s of statesOf(run)) {
    last.set(s.stream.stream_descriptor.name, {type: 'STREAM', stream: {stream_descriptor: s.stream.stream_descriptor, stream_state: s.stream.stream_state}});
  }
  return [...last.values()];
}

export function stateInput(entries: Record<string, string>): Json[] {
  return Object.entries(entries).map(([name, day]) => ({type: 'STREAM', stream: {stream_descriptor: {name}, stream_state: {usage_date: day}}}));
}

// ------------------------------------------------------------------------------ dates --------

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
export function daysFrom(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}
export const maxDay = (a: string, b: string): string => (a > b ? a : b);

// --------------------------------------------------------------------------- files ----------

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeJson(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

export function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// ------------------------------------------------------------------------------- CAT config --

export interface AcceptanceConfig {
  connector_image: string;
  test_strictness_level?: string;
  acceptance_tests: Record<string, {tests?: Json[]; bypass_reason?: string}>;
}

export function loadAcceptanceConfig(): AcceptanceConfig {
  return YAML.parse(fs.readFileSync(path.join(REPO, 'acceptance-test-config.yml'), 'utf8')) as AcceptanceConfig;
}

/** Draft-07 validator with the formats CAT checks (date, date-time, ...). */
export function makeAjv(): Ajv {
  const ajv = new Ajv({strict: false, allErrors: true, validateFormats: true});
  addFormats(ajv);
  return ajv;
}

// ----------------------------------------------------------------------------- sandbox ------

/** Tracking rules that exercise the tracking columns and produce same-priority conflicts. */
export const SANDBOX_TRACKING_RULES = [
  {name: 'team-from-tag', priority: 10, match: {'tags.team': '?*'}, set: {team: '${tags.team}'}},
  {name: 'payments-resource-groups', priority: 10, match: {resource_group: 'rg-pay-*'}, set: {team: 'payments-core', cost_center: 'CC-100'}},
  {name: 'aks-platform', priority: 20, match: {aks_cluster: '?*'}, set: {platform: 'aks'}},
];

export interface SandboxWindow {
  start: string;
  end: string;
}

/** A config that points the connector at a running sandbox (service principal: all streams). */
export function sandboxConfig(sb: Sandbox, window: SandboxWindow, extra: Record<string, unknown> = {}): Json {
  const o = sb.options;
  return {
    enrollment_number: o.enrollmentNumber,
    credentials: {auth_type: 'service_principal', tenant_id: o.tenantId, client_id: o.clientId, client_secret: o.clientSecret},
    start_date: window.start,
    end_date: window.end,
    lookback_days: 3,
    // The month-close re-read depends on the real date; off here so the expected window is exact.
    month_close_days: 0,
    slice_days: 3,
    max_concurrency: 2,
    tracking_rules: SANDBOX_TRACKING_RULES,
    api_base_url: sb.baseUrl,
    login_base_url: sb.baseUrl,
    ea_base_url: sb.baseUrl,
    request_timeout_seconds: 30,
    max_retries: 4,
    ...extra,
  };
}

/** Points a config file from the repo (e.g. the invalid one) at the sandbox, keeping the rest. */
export function redirectToSandbox(config: Json, sb: Sandbox): Json {
  return {...config, api_base_url: sb.baseUrl, login_base_url: sb.baseUrl, ea_base_url: sb.baseUrl};
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({rowsPerDay: 120, ...options});
}

export function secretValues(sb: Sandbox): string[] {
  return [sb.options.clientSecret, sb.options.apiKey];
}

/** Per-stream cursor values of STATE messages, in output order. */
export function cursorSequence(run: CliRun, stream: string): string[] {
  return statesOf(run, stream).map((s) => s.stream.stream_state?.usage_date as string);
}

/** Configured catalog from the repo's file, each stream's json_schema replaced by the discovered one (as CAT does). */
export function configuredCatalogFromFile(file: string, discovered: Json[]): Json {
  const catalog = readJson(file);
  const byName = new Map(discovered.map((s: Json) => [s.name, s]));
  return {
    streams: catalog.streams
      .filter((s: Json) => byName.has(s.stream.name))
      .map((s: Json) => ({...s, stream: byName.get(s.stream.name)})),
  };
}

export function withSyncMode(catalog: Json, mode: 'incremental' | 'full_refresh', only?: string[]): Json {
  return {
    streams: catalog.streams
      .filter((s: Json) => !only || only.includes(s.stream.name))
      .map((s: Json) => ({...s, sync_mode: mode, destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite'})),
  };
}
