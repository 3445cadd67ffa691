/**
 * CAT's side of the acceptance suite (test/acceptance), also used by the ClickHouse load test
 * (test/clickhouse): the acceptance config, the validator CAT checks with, sandbox configs and
 * catalogs. The CLI runs through test/support/cli.ts, pinned to FROZEN_TODAY like every suite.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';
import isEqual from 'lodash/isEqual';
import YAML from 'yaml';

import {Sandbox, SandboxOptions, Scope, startSandbox} from '../../sandbox';
import {addDays} from '../../src/dates';
import {CliRun, FROZEN_TODAY, Json, readJson, REPO, states} from '../support/cli';

/** The per-stream state the platform passes to the next sync: the last STATE of every stream. */
export function latestStateInput(run: CliRun): Json[] {
  const last = new Map<string, Json>();
  for (const s of states(run)) {
    last.set(s.stream.stream_descriptor.name, {type: 'STREAM', stream: {stream_descriptor: s.stream.stream_descriptor, stream_state: s.stream.stream_state}});
  }
  return [...last.values()];
}

export function stateInput(entries: Record<string, string>): Json[] {
  return Object.entries(entries).map(([name, day]) => ({type: 'STREAM', stream: {stream_descriptor: {name}, stream_state: {usage_date: day}}}));
}

export function daysFrom(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
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
    // The month-close re-read would move the start back a month; off here so the expected window is exact.
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

/** The sandbox's MCA billing profiles, in `sb.scopes` order (profile 0 bills in USD, profile 1 in EUR). */
export function mcaProfileScopes(sb: Sandbox): Scope[] {
  return sb.scopes.filter((s) => s.type === 'mca_billing_profile');
}

/**
 * The same sandbox config for an MCA billing profile (docs/design.md §7): `billing_scope` instead
 * of `enrollment_number` (giving both is a config error). `profile` picks one of
 * mcaProfileScopes(sb).
 */
export function sandboxMcaConfig(sb: Sandbox, window: SandboxWindow, extra: Record<string, unknown> = {}, profile = 0): Json {
  const scope = mcaProfileScopes(sb)[profile];
  if (!scope) throw new Error(`the sandbox serves no MCA billing profile ${profile}`);
  const {enrollment_number: _ea, ...rest} = sandboxConfig(sb, window, extra);
  return {billing_scope: {...scope.config}, ...rest};
}

/** The sandbox scope a config reads: its `billing_scope`, else the EA enrollment. */
export function scopeOfSandboxConfig(sb: Sandbox, config: Json): Scope {
  const wanted = config.billing_scope ?? {scope_type: 'ea_enrollment', enrollment_number: config.enrollment_number};
  const found = sb.scopes.find((s) => isEqual(s.config, wanted));
  if (!found) throw new Error(`no sandbox scope for ${JSON.stringify(wanted)}`);
  return found;
}

/** Points a config file from the repo (e.g. the invalid one) at the sandbox, keeping the rest. */
export function redirectToSandbox(config: Json, sb: Sandbox): Json {
  return {...config, api_base_url: sb.baseUrl, login_base_url: sb.baseUrl, ea_base_url: sb.baseUrl};
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({rowsPerDay: 120, today: FROZEN_TODAY, ...options});
}

export function secretValues(sb: Sandbox): string[] {
  return [sb.options.clientSecret, sb.options.apiKey];
}

/** Per-stream cursor values of STATE messages, in output order. */
export function cursorSequence(run: CliRun, stream: string): string[] {
  return states(run, stream).map((s) => s.stream.stream_state?.usage_date as string);
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
