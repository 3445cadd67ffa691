/**
 * Runs the built connector CLI as Airbyte does (a child process, protocol messages on stdout),
 * for every suite: integration, faults, acceptance and ClickHouse. Every run is pinned to
 * FROZEN_TODAY unless the caller's env says otherwise, so no suite depends on the calendar.
 */
import {spawn} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

import {TODAY_ENV} from '../../src/dates';

export const REPO = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO, 'bin', 'source-azure-billing');

/**
 * The day the suites' sandboxes are frozen at, and the connector's "today" in every run
 * (SOURCE_AZURE_BILLING_TODAY): the 13-month window, "yesterday" of check, the default end date
 * and the month close all follow it, whatever day the tests run.
 */
export const FROZEN_TODAY = '2026-11-25';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Message {
  type: string;
  [key: string]: Json;
}

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The stdout lines that are protocol messages, in order. */
  messages: Message[];
  /** stdout lines that are not protocol messages (a platform, and CAT, fail on these). */
  badLines: string[];
  seconds: number;
  /** When the signal of `killWhen` was sent (ms since epoch). */
  signalledAt?: number;
  /** The run outlived `timeoutMs` and was killed. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Added to the environment; `{[TODAY_ENV]: undefined}` lets a run follow the clock. */
  env?: NodeJS.ProcessEnv;
  /** Sends `signal` (default SIGKILL) at the first message it holds for, or `delayMs` after it. */
  killWhen?: (m: Message, seen: Message[]) => boolean;
  signal?: NodeJS.Signals;
  delayMs?: number;
  /** SIGKILL after this long (default 10 minutes). */
  timeoutMs?: number;
}

const PROTOCOL_TYPES = new Set(['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL']);

function protocolMessage(line: string): Message | undefined {
  try {
    const m = JSON.parse(line) as Message;
    return m && typeof m === 'object' && PROTOCOL_TYPES.has(m.type) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `bin/source-azure-billing ARGS`; the sandbox a test starts lives in the test's process. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {...process.env, [TODAY_ENV]: FROZEN_TODAY, ...opts.env};
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const child = spawn(process.execPath, [CLI, ...args], {stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO, env});
    let stdout = '';
    let stderr = '';
    let pending = '';
    const messages: Message[] = [];
    const badLines: string[] = [];
    let signalled = false;
    let signalledAt: number | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 600_000);
    const take = (line: string): void => {
      if (!line.trim()) return;
      const m = protocolMessage(line);
      if (!m) {
        badLines.push(line);
        return;
      }
      messages.push(m);
      if (!signalled && opts.killWhen?.(m, messages)) {
        signalled = true;
        const kill = (): void => {
          signalledAt = Date.now();
          child.kill(opts.signal ?? 'SIGKILL');
        };
        if (opts.delayMs) setTimeout(kill, opts.delayMs);
        else kill();
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        take(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // A SIGKILL can cut the last line: it was never a complete message, nor a stray one.
      if (pending.trim() && !(signal === 'SIGKILL' && !protocolMessage(pending))) take(pending);
      resolve({args, code, signal, stdout, stderr, messages, badLines, seconds: (Date.now() - started) / 1000, signalledAt, timedOut});
    });
  });
}

/** Every stdout line was a protocol message (a cut last line of a SIGKILLed run excepted). */
export function expectProtocolOnly(run: CliRun): void {
  if (run.badLines.length > 0) throw new Error(`non-protocol stdout line(s): ${run.badLines.slice(0, 3).map((l) => l.slice(0, 200)).join(' | ')}`);
}

// --------------------------------------------------------------------------- messages -------

const messagesOf = (run: CliRun | Message[]): Message[] => (Array.isArray(run) ? run : run.messages);

export const ofType = (run: CliRun | Message[], type: string): Message[] => messagesOf(run).filter((m) => m.type === type);

/** RECORD envelopes (stream, data, emitted_at), of one stream or all. */
export const recordEnvelopes = (run: CliRun | Message[], stream?: string): Json[] =>
  ofType(run, 'RECORD')
    .filter((m) => !stream || m.record.stream === stream)
    .map((m) => m.record);

/** Record data, of one stream or all. */
export const records = (run: CliRun | Message[], stream?: string): Json[] => recordEnvelopes(run, stream).map((r) => r.data);

export const states = (run: CliRun | Message[], stream?: string): Json[] =>
  ofType(run, 'STATE')
    .map((m) => m.state)
    .filter((s) => !stream || s?.stream?.stream_descriptor?.name === stream);

export const traces = (run: CliRun | Message[], type?: string): Json[] =>
  ofType(run, 'TRACE')
    .filter((m) => !type || m.trace.type === type)
    .map((m) => m.trace);

export const logs = (run: CliRun | Message[], level?: string): string[] =>
  ofType(run, 'LOG')
    .filter((m) => !level || m.log.level === level)
    .map((m) => m.log.message as string);

/** The state file the platform would pass back: the last STATE of each stream. */
export function stateFileFrom(run: CliRun | Message[]): Json[] {
  const last = new Map<string, Json>();
  for (const s of states(run)) last.set(s.stream.stream_descriptor.name, s);
  return [...last.values()];
}

/** A configured catalog of the named streams, all in one sync mode. */
export function catalog(streams: string[], syncMode: 'incremental' | 'full_refresh' = 'incremental'): Json {
  return {
    streams: streams.map((name) => ({
      stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']},
      sync_mode: syncMode,
      cursor_field: ['usage_date'],
      destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
      primary_key: [['id']],
    })),
  };
}

// ------------------------------------------------------------------------------ files -------

export function tempDir(prefix = 'sab-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `value` as JSON to `file` (its folder made if missing); returns the path. */
export function writeJson(file: string, value: unknown): string {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

export function readJson(file: string): Json {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
