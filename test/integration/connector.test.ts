import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, logs, records, runCli, stateFileFrom, states, tempDir, traces, writeJson} from '../support/cli';
import {compareToTruth, sandboxConfig, truthByDay} from './sandbox-config';

/**
 * The real CLI against the sandbox. Every run's stdout and stderr is kept, and the last test
 * scans all of it for the secrets used.
 */
const allRuns: CliRun[] = [];
const sandboxes: Sandbox[] = [];
let dir: string;

async function sandbox(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const sb = await startSandbox({rowsPerDay: 40, startDate: '2026-09-20', endDate: '2026-10-12', today: FROZEN_TODAY, ...options});
  sandboxes.push(sb);
  return sb;
}

async function cli(args: string[], opts?: Parameters<typeof runCli>[1]): Promise<CliRun> {
  const run = await runCli(args, opts);
  allRuns.push(run);
  expectProtocolOnly(run);
  return run;
}

let fileCounter = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${fileCounter++}.json`), value);

async function read(sb: Sandbox, streams: string[], opts: {config?: Record<string, unknown>; state?: unknown; auth?: 'service_principal' | 'api_key'; syncMode?: 'incremental' | 'full_refresh'; kill?: Parameters<typeof runCli>[1]} = {}): Promise<CliRun> {
  const args = ['read', '--config', file(sandboxConfig(sb, opts.auth, opts.config)), '--catalog', file(catalog(streams, opts.syncMode))];
  if (opts.state !== undefined) args.push('--state', file(opts.state));
  return cli(args, opts.kill);
}

beforeAll(() => {
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('spec, check, discover', () => {
  it('spec shows only this connector’s settings', async () => {
    const run = await cli(['spec']);
    expect(run.code).toBe(0);
    const spec = run.messages.find((m) => m.type === 'SPEC')!.spec;
    const props = Object.keys(spec.connectionSpecification.properties);
    expect(props).toEqual(expect.arrayContaining(['billing_scope', 'enrollment_number', 'credentials', 'start_date', 'end_date', 'lookback_days', 'month_close_days', 'slice_days', 'max_concurrency', 'page_size', 'worker_threads', 'tracking_rules', 'api_base_url', 'login_base_url', 'ea_base_url', 'request_timeout_seconds', 'max_retries', 'data_source']));
    expect(props.filter((p) => /faros|freshness|__/.test(p))).toEqual([]);
    expect(props).toHaveLength(18);
  });

  it('a pinned SOURCE_AZURE_BILLING_TODAY that is not a date is a config_error naming it', async () => {
    const sb = await sandbox();
    const run = await cli(['check', '--config', file(sandboxConfig(sb))], {env: {SOURCE_AZURE_BILLING_TODAY: 'soon'}});
    expect(run.code).toBe(0);
    const failure = traces(run, 'ERROR')[0].error;
    expect(failure.failure_type).toBe('config_error');
    expect(failure.message).toMatch(/SOURCE_AZURE_BILLING_TODAY must be a calendar date YYYY-MM-DD.*"soon"/);
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.status).toBe('FAILED');
  });

  it('check succeeds with a service principal and with an API key', async () => {
    const sb = await sandbox();
    for (const auth of ['service_principal', 'api_key'] as const) {
      const run = await cli(['check', '--config', file(sandboxConfig(sb, auth))]);
      expect(run.code).toBe(0);
      expect(run.messages.filter((m) => m.type === 'CONNECTION_STATUS').map((m) => m.connectionStatus.status)).toEqual(['SUCCEEDED']);
    }
  });

  it('discover shows the four streams (two with an API key) and only the docs/design.md fields', async () => {
    const sb = await sandbox();
    const run = await cli(['discover', '--config', file(sandboxConfig(sb))]);
    const streams = run.messages.find((m) => m.type === 'CATALOG')!.catalog.streams;
    expect(streams.map((s: {name: string}) => s.name)).toEqual(['usage_details', 'usage_details_amortized', 'tracking_conflicts', 'focus_costs']);
    for (const s of streams) {
      // focus_costs keeps FOCUS's names: its key is x_RecordId, its cursor ChargePeriodStart (docs/design.md §9)
      const [cursor, key] = s.name === 'focus_costs' ? ['ChargePeriodStart', 'x_RecordId'] : ['usage_date', 'id'];
      expect(s).toMatchObject({supported_sync_modes: ['full_refresh', 'incremental'], source_defined_cursor: true, default_cursor_field: [cursor], source_defined_primary_key: [[key]]});
      expect(Object.keys(s.json_schema.properties).filter((p) => p.startsWith('__'))).toEqual([]);
    }
    const schema = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/usage_details.json'), 'utf8'));
    expect(streams[0].json_schema).toEqual(schema);
    const ea = await cli(['discover', '--config', file(sandboxConfig(sb, 'api_key'))]);
    expect(ea.messages.find((m) => m.type === 'CATALOG')!.catalog.streams.map((s: {name: string}) => s.name)).toEqual(['usage_details', 'tracking_conflicts']);
  });
});

describe('bad configs and refused credentials', () => {
  it('a bad config is a config_error naming the field; check answers FAILED with it; read exits non-zero', async () => {
    const sb = await sandbox();
    const bad = file({...sandboxConfig(sb), enrollment_number: 'ABC-1'});
    const check = await cli(['check', '--config', bad]);
    expect(traces(check, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringContaining('enrollment_number')});
    expect(check.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus).toMatchObject({status: 'FAILED', message: expect.stringContaining('digits only')});
    const readRun = await cli(['read', '--config', bad, '--catalog', file(catalog(['usage_details']))]);
    expect(readRun.code).not.toBe(0);
    expect(traces(readRun, 'ERROR')[0].error.failure_type).toBe('config_error');
    expect(records(readRun)).toHaveLength(0);
    const endBeforeStart = await cli(['check', '--config', file({...sandboxConfig(sb), start_date: '2026-10-02', end_date: '2026-10-01'})]);
    expect(endBeforeStart.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toMatch(/start_date 2026-10-02 is after end_date 2026-10-01/);
  });

  it('a wrong client secret (401) is a config error that says what to check', async () => {
    const sb = await sandbox();
    const config = sandboxConfig(sb);
    (config.credentials as Record<string, string>).client_secret = 'wrong-secret-value-0000';
    const run = await cli(['check', '--config', file(config)]);
    const status = run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus;
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/client_secret/);
    expect(status.message).toMatch(/AADSTS/);
  });

  it('a principal without the EA role (403) is told which role it needs, and the read fails as a config error', async () => {
    const sb = await sandbox({forbidden: true});
    const run = await cli(['check', '--config', file(sandboxConfig(sb))]);
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toMatch(/HTTP 403.*EnrollmentReader/);
    const readRun = await read(sb, ['usage_details']);
    expect(readRun.code).not.toBe(0);
    expect(traces(readRun, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/EnrollmentReader/)});
    expect(traces(readRun, 'STREAM_STATUS').map((t) => t.stream_status.status)).toEqual(['STARTED', 'INCOMPLETE']);
  });

  it('a catalog naming a stream this config does not offer, or a bad sync mode, is a config_error', async () => {
    const sb = await sandbox();
    const unknown = await cli(['read', '--config', file(sandboxConfig(sb, 'api_key')), '--catalog', file(catalog(['usage_details_amortized']))]);
    expect(unknown.code).not.toBe(0);
    expect(traces(unknown, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringContaining('"usage_details_amortized"')});
    const badMode = {streams: [{stream: {name: 'usage_details'}, sync_mode: 'sometimes', destination_sync_mode: 'append'}]};
    const mode = await cli(['read', '--config', file(sandboxConfig(sb)), '--catalog', file(badMode)]);
    expect(traces(mode, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringContaining('sync_mode "sometimes"')});
    expect(records(mode)).toHaveLength(0);
  });

  it('a wrong API key (401) is a config error about the key', async () => {
    const sb = await sandbox();
    const config = sandboxConfig(sb, 'api_key');
    (config.credentials as Record<string, string>).api_key = 'not-the-key-123456';
    const run = await cli(['check', '--config', file(config)]);
    expect(run.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus.message).toMatch(/HTTP 401.*api_key/);
  });
});

describe('read', () => {
  it('full refresh with a service principal: every row, per-day cost to the cent, valid records, ordered states', async () => {
    const sb = await sandbox({emptyDays: ['2026-10-03']});
    const run = await read(sb, ['usage_details', 'usage_details_amortized'], {syncMode: 'full_refresh', config: {slice_days: 5}});
    expect(run.code).toBe(0);
    const ajv = new Ajv({allErrors: true, strict: false});
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/usage_details.json'), 'utf8')));
    for (const [stream, metric] of [['usage_details', 'actual'], ['usage_details_amortized', 'amortized']] as const) {
      const recs = records(run, stream);
      const {mismatches, rows} = compareToTruth(recs, truthByDay(sb, metric));
      expect(mismatches).toEqual([]);
      expect(rows).toBe(recs.length); // ids are unique
      expect(states(run, stream).reduce((n, st) => n + st.sourceStats.recordCount, 0)).toBe(recs.length);
      for (const r of recs) if (!validate(r)) throw new Error(`${r.id}: ${ajv.errorsText(validate.errors)}`);
      expect(recs.every((r) => r.metric === metric && r.source_api === 'cost_details')).toBe(true);
      // states: plain JSON per stream, one per slice, in date order
      const cursors = states(run, stream).map((s) => {
        expect(s).toEqual({type: 'STREAM', stream: {stream_descriptor: {name: stream}, stream_state: {usage_date: expect.any(String)}}, sourceStats: {recordCount: expect.any(Number)}});
        return s.stream.stream_state.usage_date;
      });
      expect(cursors).toEqual(['2026-09-24', '2026-09-29', '2026-09-30', '2026-10-05', '2026-10-10', '2026-10-12']);
    }
    expect(records(run).filter((r) => r.usage_date === '2026-10-03')).toEqual([]);
    // the rows the sandbox made unusable (no date) are counted and reported, one WARN per slice
    expect(logs(run, 'WARN').some((l) => /row\(s\) not emitted \(\d+ × unusable date\)/.test(l))).toBe(true);
    // parsed JSON strings: some tags came without braces, some malformed
    const recs = records(run, 'usage_details');
    expect(recs.some((r) => r.tags && Object.keys(r.tags).length > 0)).toBe(true);
    expect(recs.some((r) => r.parse_errors.includes('tags'))).toBe(true);
    expect(sb.stats.blobRequestsWithAuthorization).toBe(0);
    expect(traces(run, 'STREAM_STATUS').map((t) => `${t.stream_status.stream_descriptor.name}:${t.stream_status.status}`)).toEqual([
      'usage_details:STARTED',
      'usage_details:RUNNING',
      'usage_details:COMPLETE',
      'usage_details_amortized:STARTED',
      'usage_details_amortized:RUNNING',
      'usage_details_amortized:COMPLETE',
    ]);
    expect(traces(run, 'ESTIMATE').length).toBeGreaterThan(0);
  });

  it('EA Reporting API with an API key: pages followed to the end, same rows and sums', async () => {
    const sb = await sandbox({eaPageSize: 50});
    const run = await read(sb, ['usage_details'], {auth: 'api_key'});
    expect(run.code).toBe(0);
    const recs = records(run, 'usage_details');
    expect(compareToTruth(recs, truthByDay(sb, 'actual')).mismatches).toEqual([]);
    expect(recs.every((r) => r.source_api === 'ea_reporting')).toBe(true);
    expect(sb.stats.requests.eaUsageDetails).toBeGreaterThan(recs.length / 50);
  });

  it('incremental from a state re-reads the look-back window only, and state never goes back', async () => {
    const sb = await sandbox();
    const state = [{type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: '2026-10-05'}}}];
    const run = await read(sb, ['usage_details'], {state, config: {lookback_days: 3}});
    expect(run.code).toBe(0);
    const days = [...new Set(records(run).map((r) => r.usage_date))].sort();
    expect(days[0]).toBe('2026-10-03');
    expect(days[days.length - 1]).toBe('2026-10-12');
    const cursors = states(run, 'usage_details').map((s) => s.stream.stream_state.usage_date);
    expect(cursors[0] >= '2026-10-05').toBe(true);
    expect([...cursors].sort()).toEqual(cursors);
    // the re-read rows keep their ids: the same ids as a full read of those days
    const full = await read(sb, ['usage_details'], {syncMode: 'full_refresh'});
    const fullIds = new Set(records(full).filter((r) => r.usage_date >= '2026-10-03').map((r) => r.id));
    expect(new Set(records(run).map((r) => r.id))).toEqual(fullIds);
    // legacy state shape is accepted too
    const legacy = await read(sb, ['usage_details'], {state: {usage_details: {usage_date: '2026-10-10'}}, config: {lookback_days: 0}});
    expect([...new Set(records(legacy).map((r) => r.usage_date))].sort()).toEqual(['2026-10-11', '2026-10-12']);
  });

  it('a future (abnormal) state emits no records', async () => {
    const sb = await sandbox();
    const run = await read(sb, ['usage_details'], {state: {usage_details: {usage_date: '2099-01-01'}}});
    expect(run.code).toBe(0);
    expect(records(run)).toHaveLength(0);
    expect(states(run, 'usage_details').map((s) => s.stream.stream_state)).toEqual([{usage_date: '2099-01-01'}]);
  });

  it('a sync killed mid-way and resumed from its last state loses nothing', async () => {
    const sb = await sandbox();
    const clean = await read(sb, ['usage_details'], {config: {slice_days: 3}});
    const killed = await read(sb, ['usage_details'], {config: {slice_days: 3}, kill: {killWhen: (m, seen) => m.type === 'RECORD' && seen.filter((x) => x.type === 'STATE').length === 3}});
    expect(killed.signal).toBe('SIGKILL');
    const partial = records(killed);
    expect(partial.length).toBeLessThan(records(clean).length);
    const resumed = await read(sb, ['usage_details'], {config: {slice_days: 3}, state: stateFileFrom(killed.messages)});
    expect(resumed.code).toBe(0);
    const union = [...partial, ...records(resumed)];
    expect(new Set(union.map((r) => r.id))).toEqual(new Set(records(clean).map((r) => r.id)));
    expect(compareToTruth(union, truthByDay(sb, 'actual')).mismatches).toEqual([]);
  });

  it('429 and 5xx are retried to exactly the same result', async () => {
    const sb = await sandbox({faults: {seed: 7, rate429: 0.15, rate5xx: 0.15, retryAfterSeconds: 0}});
    const run = await read(sb, ['usage_details'], {config: {max_retries: 10, slice_days: 2}});
    expect(run.code).toBe(0);
    expect((sb.stats.faults['429'] ?? 0) + (sb.stats.faults['5xx'] ?? 0)).toBeGreaterThan(3);
    expect(compareToTruth(records(run), truthByDay(sb, 'actual')).mismatches).toEqual([]);
  });

  it('works with base URLs that carry a path prefix', async () => {
    const sb = await sandbox({pathPrefix: '/azure'});
    expect(sb.baseUrl).toMatch(/\/azure$/);
    const run = await read(sb, ['usage_details'], {config: {start_date: '2026-10-10'}});
    expect(run.code).toBe(0);
    expect(compareToTruth(records(run), truthByDay(sb, 'actual', '2026-10-10')).mismatches).toEqual([]);
  });

  it('a start date older than 13 months starts at the oldest month available and says so once', async () => {
    const sb = await sandbox({startDate: '2025-10-25', endDate: '2025-11-03', today: FROZEN_TODAY});
    const run = await read(sb, ['usage_details'], {config: {start_date: '2024-01-01', end_date: '2025-11-03'}});
    expect(run.code).toBe(0);
    const warnings = logs(run, 'WARN').filter((l) => /13 months/.test(l));
    expect(warnings).toEqual([expect.stringContaining('starting at 2025-11-01')]);
    expect([...new Set(records(run).map((r) => r.usage_date))].sort()[0]).toBe('2025-11-01');
  });

  it('exhausted retries end with a system_error, INCOMPLETE, the last complete state and a non-zero exit; the next sync completes', async () => {
    // Azure fails the October report three times in a row: one sync's worth of attempts.
    const sb = await sandbox({faults: {seed: 3, failedReports: [{start: '2026-10-01', end: '2026-10-31', metric: 'ActualCost', times: 3}]}});
    const config = {start_date: '2026-09-25', end_date: '2026-10-05'};
    const run = await read(sb, ['usage_details'], {config});
    expect(run.code).not.toBe(0);
    expect(traces(run, 'ERROR')[0].error).toMatchObject({failure_type: 'system_error', message: expect.stringMatching(/Failed/)});
    expect(states(run, 'usage_details').map((s) => s.stream.stream_state.usage_date)).toEqual(['2026-09-30']);
    expect(traces(run, 'STREAM_STATUS').map((t) => t.stream_status.status)).toEqual(['STARTED', 'RUNNING', 'INCOMPLETE']);
    const next = await read(sb, ['usage_details'], {config, state: stateFileFrom(run.messages)});
    expect(next.code).toBe(0);
    const union = [...records(run), ...records(next)];
    expect(compareToTruth(union, truthByDay(sb, 'actual', '2026-09-25', '2026-10-05')).mismatches).toEqual([]);
  });
});

describe('tracking rules through the CLI', () => {
  it('stamps records and audits a same-priority conflict', async () => {
    const sb = await sandbox();
    const rules = [
      {name: 'team-from-tag', priority: 10, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
      {name: 'aks-platform', priority: 5, match: {resource_group: '/^mc_/i'}, set: {team: 'platform'}},
      {name: 'prod-cc', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-PROD'}},
      {name: 'prod-cc-finance', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-FIN'}},
    ];
    const run = await read(sb, ['usage_details', 'tracking_conflicts'], {config: {tracking_rules: rules, start_date: '2026-10-10'}});
    expect(run.code).toBe(0);
    const recs = records(run, 'usage_details');
    const prod = recs.filter((r) => /prod/i.test(r.subscription_name ?? ''));
    expect(prod.length).toBeGreaterThan(0);
    for (const r of prod) expect(r.tracking.cost_center).toBe('CC-PROD');
    const conflicts = records(run, 'tracking_conflicts');
    expect(conflicts.length).toBe(prod.length);
    expect(conflicts[0]).toMatchObject({tracking_key: 'cost_center', chosen_rule: 'prod-cc', chosen_value: 'CC-PROD', rejected_rules: ['prod-cc-finance'], rejected_values: ['CC-FIN'], priority: 1, stream: 'usage_details'});
    expect(logs(run, 'WARN').filter((l) => /tracking conflict/.test(l)).every((l) => /see the tracking_conflicts stream/.test(l))).toBe(true);
    expect(logs(run, 'WARN').some((l) => /tracking conflict/.test(l))).toBe(true);
    expect(states(run, 'tracking_conflicts').length).toBeGreaterThan(0);
    const aks = recs.filter((r) => r.aks_cluster);
    expect(aks.length).toBeGreaterThan(0);
  });

  it('without tracking_conflicts selected, the conflict WARN says how to audit them', async () => {
    const sb = await sandbox();
    const rules = [
      {name: 'prod-cc', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-PROD'}},
      {name: 'prod-cc-finance', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-FIN'}},
    ];
    const run = await read(sb, ['usage_details'], {config: {tracking_rules: rules, start_date: '2026-10-10'}});
    expect(run.code).toBe(0);
    expect(records(run, 'tracking_conflicts')).toEqual([]);
    const warns = logs(run, 'WARN').filter((l) => /tracking conflict/.test(l));
    expect(warns.length).toBeGreaterThan(0);
    for (const w of warns) expect(w).toMatch(/select the tracking_conflicts stream to audit them/);
  });
});

describe('secrets', () => {
  it('no secret used in any test appears in any output', () => {
    const secrets = new Set<string>();
    for (const sb of sandboxes) {
      secrets.add(sb.options.clientSecret);
      secrets.add(sb.options.apiKey);
      for (const t of sb.issuedTokens) secrets.add(t);
    }
    secrets.add('wrong-secret-value-0000');
    secrets.add('not-the-key-123456');
    expect(allRuns.length).toBeGreaterThan(15);
    expect([...secrets].filter((s) => s).length).toBeGreaterThan(10);
    const hits: string[] = [];
    for (const run of allRuns) for (const s of secrets) if (s && (run.stdout.includes(s) || run.stderr.includes(s))) hits.push(s.slice(0, 6));
    expect(hits).toEqual([]);
  });
});

