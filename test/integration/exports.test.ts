/**
 * Issue 15: the real CLI reading Cost Management exports from the sandbox's storage account
 * (docs/design.md §14): per-day rows and cents equal the sandbox's truth of the runs a correct
 * reader reads, ids equal the API path's for the same rows, superseded, zero-row and incomplete
 * runs are not read, the legacy manifest is, and incremental syncs download only new runs.
 */
import fs from 'fs';
import path from 'path';

import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {ExportSpec} from '../../sandbox/exports/spec';
import {mintSas} from '../../sandbox/testing';
import {HttpClient} from '../../src/http/client';
import {Logger} from '../../src/protocol/logger';
import {ProtocolOutput} from '../../src/protocol/output';
import {BlobStorage} from '../../src/readers/blob-storage';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, Json, logs, records, runCli, stateFileFrom, states, tempDir, traces, writeJson} from '../support/cli';
import {sandboxConfig} from './sandbox-config';

const EXPORTS: ExportSpec[] = [
  {name: 'ea-actual', dataset: 'ActualCost', format: 'csv', incompleteNewest: true, messyManifest: true, rowsPerPart: 400},
  {name: 'ea-amortized', dataset: 'AmortizedCost', format: 'csv-gzip', timeFolder: false, rowsPerPart: 700},
  {name: 'ea-usage-legacy', dataset: 'Usage', format: 'csv', legacyManifest: true, history: false, timeFolder: false},
];

const BASE: SandboxOptions = {seed: 21, rowsPerDay: 40, startDate: '2026-09-20', endDate: '2026-11-24', today: FROZEN_TODAY};

const allRuns: CliRun[] = [];
const sandboxes: Sandbox[] = [];
let dir: string;
let n = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${n++}.json`), value);

async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const sb = await startSandbox({...BASE, exports: EXPORTS, ...options});
  sandboxes.push(sb);
  await sb.exportTruth();
  return sb;
}

/** A SAS per sandbox, kept to scan every output for its signature. */
const sasTokens: string[] = [];

function exportsConfig(sb: Sandbox, names: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const sas = mintSas(sb, {expiresInSeconds: 3 * 3600});
  sasTokens.push(sas);
  return sandboxConfig(sb, 'service_principal', {
    start_date: BASE.startDate,
    end_date: BASE.endDate,
    lookback_days: 3,
    data_source: {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, export_names: names, sas_token: sas},
    ...extra,
  });
}

async function read(config: Record<string, unknown>, streams: string[], opts: {state?: unknown; syncMode?: 'incremental' | 'full_refresh'; run?: Parameters<typeof runCli>[1]} = {}): Promise<CliRun> {
  const args = ['read', '--config', file(config), '--catalog', file(catalog(streams, opts.syncMode))];
  if (opts.state !== undefined) args.push('--state', file(opts.state));
  const run = await runCli(args, opts.run);
  allRuns.push(run);
  expectProtocolOnly(run);
  return run;
}

/** The last stream_state a run gave `stream`. */
const lastState = (run: CliRun, stream: string): Json => states(run, stream).pop()?.stream?.stream_state;

type Rec = {id: string; usage_date: string; cost: number; source_api: string};

/** Per day: distinct ids and cents of their cost, as the truth gives them. */
function byDay(recs: Rec[]): Record<string, {rows: number; cents: number}> {
  const unique = new Map<string, Rec>();
  for (const r of recs) unique.set(r.id, r);
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const r of unique.values()) {
    const d = (out[r.usage_date] ??= {rows: 0, cents: 0});
    d.rows++;
    d.cents += r.cost;
  }
  for (const d of Object.values(out)) d.cents = Math.round(d.cents * 100);
  return out;
}

function truthByDay(days: Record<string, Json>, from = '0000', to = '9999'): Record<string, {rows: number; cents: number}> {
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const [day, t] of Object.entries(days)) if (day >= from && day <= to && t.rows > 0) out[day] = {rows: t.rows, cents: Math.round(Number(t.cost) * 100)};
  return out;
}

/** The storage requests the sandbox served while `fn` ran. */
async function storageRequests(sb: Sandbox, fn: () => Promise<CliRun>): Promise<{run: CliRun; requests: number}> {
  const before = sb.stats.requests.storage;
  const run = await fn();
  return {run, requests: sb.stats.requests.storage - before};
}

function storageLine(run: CliRun): {lists: number; manifests: number; data: number} {
  const line = logs(run).find((l) => l.startsWith('Storage: '));
  const m = /(\d+) listing page\(s\), (\d+) manifest\(s\), (\d+) data blob\(s\)/.exec(line ?? '');
  if (!m) throw new Error(`no storage line in ${logs(run).join('\n')}`);
  return {lists: Number(m[1]), manifests: Number(m[2]), data: Number(m[3])};
}

beforeAll(() => {
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('exports: CSV and gzip', () => {
  let sb: Sandbox;
  let full: CliRun;
  beforeAll(async () => {
    sb = await sandbox();
    full = await read(exportsConfig(sb, ['ea-actual', 'ea-amortized']), ['usage_details', 'usage_details_amortized'], {syncMode: 'full_refresh'});
  });

  it('usage_details and usage_details_amortized equal the truth of the runs to read, per day to the cent', async () => {
    expect(full.code).toBe(0);
    const actual = await sb.exportTruth('ea-actual');
    const amortized = await sb.exportTruth('ea-amortized');
    expect(byDay(records(full, 'usage_details'))).toEqual(truthByDay(actual.days));
    expect(byDay(records(full, 'usage_details_amortized'))).toEqual(truthByDay(amortized.days));
    expect(Object.keys(truthByDay(actual.days)).length).toBeGreaterThan(50);
    expect(new Set(records(full).map((r: Rec) => r.source_api))).toEqual(new Set(['exports']));
  });

  it('superseded, zero-row and incomplete runs are not read; the incomplete one is named in a WARN', async () => {
    const actual = await sb.exportTruth('ea-actual');
    const kinds = new Set(actual.runs.map((r) => r.status));
    expect(kinds).toEqual(new Set(['empty', 'superseded', 'complete', 'incomplete']));
    const incomplete = actual.runs.find((r) => r.status === 'incomplete')!;
    expect(logs(full, 'WARN').some((l) => l.includes(incomplete.runId) && /not complete/.test(l))).toBe(true);
    // one data blob per part of the runs read, nothing of the others
    const partsRead = [actual, await sb.exportTruth('ea-amortized')].flatMap((x) => x.runs.filter((r) => r.read)).reduce((s, r) => s + r.blobs.length, 0);
    expect(storageLine(full).data).toBe(partsRead);
  });

  it('has the ids the Cost Details API gives the same rows', async () => {
    const api = await read(sandboxConfig(sb, 'service_principal', {start_date: BASE.startDate, end_date: BASE.endDate}), ['usage_details', 'usage_details_amortized'], {syncMode: 'full_refresh'});
    expect(api.code).toBe(0);
    for (const stream of ['usage_details', 'usage_details_amortized']) {
      const fromApi = new Set(records(api, stream).map((r: Rec) => r.id));
      const fromExports = new Set(records(full, stream).map((r: Rec) => r.id));
      expect(fromExports.size).toBeGreaterThan(1000);
      expect([...fromExports].filter((id) => !fromApi.has(id))).toEqual([]);
      expect([...fromApi].filter((id) => !fromExports.has(id))).toEqual([]);
    }
  });

  it('reads a legacy export (_manifest.json, Usage dataset) as actual cost', async () => {
    const run = await read(exportsConfig(sb, ['ea-usage-legacy']), ['usage_details'], {syncMode: 'full_refresh'});
    const legacy = await sb.exportTruth('ea-usage-legacy');
    expect(legacy.manifestFile).toBe('_manifest.json');
    expect(byDay(records(run, 'usage_details'))).toEqual(truthByDay(legacy.days));
  });

  it('a stream whose dataset no export holds reads nothing and says so once', async () => {
    const run = await read(exportsConfig(sb, ['ea-actual']), ['usage_details_amortized', 'price_sheet']);
    expect(run.code).toBe(0);
    expect(records(run)).toEqual([]);
    const warns = logs(run, 'WARN').filter((l) => /no (AmortizedCost|PriceSheet) export found/.test(l));
    expect(warns).toHaveLength(2);
  });

  it('reads with the service principal signed in for storage when there is no SAS token', async () => {
    const tokensBefore = sb.issuedTokens.length;
    const cfg = exportsConfig(sb, ['ea-actual']);
    delete (cfg.data_source as Record<string, unknown>).sas_token;
    const run = await read(cfg, ['usage_details'], {syncMode: 'full_refresh'});
    expect(run.code).toBe(0);
    expect(sb.issuedTokens.length).toBeGreaterThan(tokensBefore);
    expect(byDay(records(run, 'usage_details'))).toEqual(truthByDay((await sb.exportTruth('ea-actual')).days));
  });

  it('discover offers the export dataset streams; the recommendations snapshot is full refresh only', async () => {
    const cfg = file(exportsConfig(sb, []));
    const run = await runCli(['discover', '--config', cfg]);
    allRuns.push(run);
    const streams: Json[] = run.messages.find((m) => m.type === 'CATALOG')!.catalog.streams;
    const byName = Object.fromEntries(streams.map((x) => [x.name, x]));
    for (const name of ['usage_details', 'usage_details_amortized', 'tracking_conflicts', 'price_sheet', 'reservation_details', 'reservation_transactions', 'reservation_recommendations']) expect(byName[name]).toBeDefined();
    expect(byName.reservation_recommendations.supported_sync_modes).toEqual(['full_refresh']);
    expect(byName.reservation_transactions.default_cursor_field).toEqual(['event_date']);
    const wrong = await read(exportsConfig(sb, []), ['reservation_recommendations'], {syncMode: 'incremental'});
    expect(traces(wrong, 'ERROR')[0].error).toMatchObject({failure_type: 'config_error', message: expect.stringMatching(/reservation_recommendations.*full_refresh/)});
  });

  it('lists with NextMarker paging (BlobStorage against the sandbox, 7 blobs a page)', async () => {
    const output = new ProtocolOutput(new (require('stream').PassThrough)());
    const http = new HttpClient({timeoutMs: 10_000, maxRetries: 2, logger: new Logger(output)});
    const sas = mintSas(sb);
    const paged = new BlobStorage(http, {accountUrl: sb.storage.accountUrl, container: sb.storage.container, sas, hint: () => undefined, pageSize: 7});
    const whole = new BlobStorage(http, {accountUrl: sb.storage.accountUrl, container: sb.storage.container, sas, hint: () => undefined});
    const a = await paged.listAll(`${sb.storage.rootFolderPath}/`);
    const b = await whole.listAll(`${sb.storage.rootFolderPath}/`);
    expect(paged.stats.lists).toBe(Math.ceil(b.length / 7));
    expect(a).toEqual(b);
    expect(b.length).toBeGreaterThan(20);
  });
});

describe('exports: Parquet', () => {
  it('plain and snappy Parquet exports give the truth per day to the cent and the ids of the CSV exports of the same rows', async () => {
    const sb = await sandbox({
      exports: [
        {name: 'pq-actual', dataset: 'ActualCost', format: 'parquet-snappy', rowsPerPart: 500, history: false},
        {name: 'pq-amortized', dataset: 'AmortizedCost', format: 'parquet', rowsPerPart: 900},
        {name: 'csv-actual', dataset: 'ActualCost', format: 'csv', history: false},
      ],
    });
    const pq = await read(exportsConfig(sb, ['pq-actual', 'pq-amortized']), ['usage_details', 'usage_details_amortized'], {syncMode: 'full_refresh'});
    expect(pq.code).toBe(0);
    expect(byDay(records(pq, 'usage_details'))).toEqual(truthByDay((await sb.exportTruth('pq-actual')).days));
    expect(byDay(records(pq, 'usage_details_amortized'))).toEqual(truthByDay((await sb.exportTruth('pq-amortized')).days));
    const csv = await read(exportsConfig(sb, ['csv-actual']), ['usage_details'], {syncMode: 'full_refresh'});
    const ids = (run: CliRun): string[] => records(run, 'usage_details').map((r: Rec) => r.id).sort();
    expect(ids(pq)).toEqual(ids(csv));
    expect(ids(pq).length).toBeGreaterThan(1000);
  });
});

describe('exports: incremental', () => {
  let sb: Sandbox;
  let first: CliRun;
  let config: Record<string, unknown>;
  const streams = ['usage_details', 'usage_details_amortized'];
  beforeAll(async () => {
    sb = await sandbox({exports: EXPORTS.slice(0, 2).map((x) => ({...x, history: false, incompleteNewest: false}))});
    config = exportsConfig(sb, ['ea-actual', 'ea-amortized']);
    first = await read(config, streams);
  });

  it('states carry the run read per month', async () => {
    const truth = await sb.exportTruth('ea-actual');
    const last = lastState(first, 'usage_details');
    expect(last.usage_date).toBe(BASE.endDate);
    expect(last.runs).toEqual(truth.months);
  });

  it('the cursor claims no day after the last one the runs hold (today has no export yet)', async () => {
    const cfg = {...config};
    delete cfg.end_date;
    const run = await read(cfg, ['usage_details']);
    expect(run.code).toBe(0);
    expect(lastState(run, 'usage_details').usage_date).toBe('2026-11-24');
  });

  it('a sync when no new run exists reads manifests only and downloads no data blob', async () => {
    const {run, requests} = await storageRequests(sb, () => read(config, streams, {state: stateFileFrom(first)}));
    expect(run.code).toBe(0);
    expect(records(run)).toEqual([]);
    const line = storageLine(run);
    expect(line.data).toBe(0);
    // every storage request the sandbox served was a listing page or a manifest
    expect(requests).toBe(line.lists + line.manifests);
    expect(lastState(run, 'usage_details')).toEqual(lastState(first, 'usage_details'));
  });

  it('a new run of the current month re-emits only the days from the look-back on, with the same ids', async () => {
    // the same rows, exported again: every month has new runs (with their history)
    const again = await sandbox({exports: EXPORTS.slice(0, 2).map((x) => ({...x, incompleteNewest: false}))});
    const newer = await again.exportTruth('ea-actual');
    const older = await sb.exportTruth('ea-actual');
    expect(newer.months['2026-11']).not.toBe(older.months['2026-11']);
    const state = stateFileFrom(first);
    const run = await read({...exportsConfig(again, ['ea-actual', 'ea-amortized'])}, streams, {state});
    expect(run.code).toBe(0);
    const days = [...new Set(records(run).map((r: Rec) => r.usage_date))].sort();
    expect(days).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(byDay(records(run, 'usage_details'))).toEqual(truthByDay(newer.days, '2026-11-22'));
    const before = new Set(records(first, 'usage_details').map((r: Rec) => r.id));
    expect(records(run, 'usage_details').every((r: Rec) => before.has(r.id))).toBe(true);
    expect(lastState(run, 'usage_details').runs['2026-11']).toBe(newer.months['2026-11']);
    // only the current month was downloaded: October's run is before the window
    const runsOfNovember = [newer, await again.exportTruth('ea-amortized')].flatMap((x) => x.runs.filter((r) => r.read && r.month === '2026-11'));
    expect(storageLine(run).data).toBe(runsOfNovember.reduce((s, r) => s + r.blobs.length, 0));
  });

  it('while the previous month closes, its silent re-export is read again whole', async () => {
    const today = '2026-11-03';
    const env = {env: {SOURCE_AZURE_BILLING_TODAY: today}};
    const a = await sandbox({today, endDate: '2026-11-02', exports: [{...EXPORTS[0], history: false, incompleteNewest: false}]});
    const b = await sandbox({today, endDate: '2026-11-02', exports: [{...EXPORTS[0], incompleteNewest: false}]});
    const cfg = (sbx: Sandbox): Record<string, unknown> => exportsConfig(sbx, ['ea-actual'], {end_date: '2026-11-02', month_close_days: 5, lookback_days: 1});
    const one = await read(cfg(a), ['usage_details'], {run: env});
    expect(one.code).toBe(0);
    const same = await read(cfg(a), ['usage_details'], {state: stateFileFrom(one), run: env});
    expect(records(same)).toEqual([]);
    const reexported = await read(cfg(b), ['usage_details'], {state: stateFileFrom(one), run: env});
    const october = records(reexported).filter((r: Rec) => r.usage_date.startsWith('2026-10'));
    expect(byDay(october)).toEqual(truthByDay((await b.exportTruth('ea-actual')).days, '2026-10-01', '2026-10-31'));
  });
});

describe('exports: SIGKILL and resume', () => {
  it('a sync killed mid-way and resumed from its last STATE loses nothing', async () => {
    const sb = await sandbox({exports: [EXPORTS[0]]});
    const config = exportsConfig(sb, ['ea-actual'], {lookback_days: 0});
    const killed = await read(config, ['usage_details'], {run: {killWhen: (m) => m.type === 'STATE'}});
    expect(killed.signal).toBe('SIGKILL');
    const saved = stateFileFrom(killed);
    expect(saved.length).toBe(1);
    const resumed = await read(config, ['usage_details'], {state: saved});
    expect(resumed.code).toBe(0);
    const all = [...records(killed, 'usage_details'), ...records(resumed, 'usage_details')];
    expect(byDay(all)).toEqual(truthByDay((await sb.exportTruth('ea-actual')).days));
  });
});

describe('exports: no SAS in any output', () => {
  it('no run printed a SAS token or its signature', () => {
    expect(allRuns.length).toBeGreaterThan(5);
    const sigs = sasTokens.map((s) => new URLSearchParams(s).get('sig')!);
    for (const run of allRuns) {
      const text = run.stdout + run.stderr;
      for (const s of [...sasTokens, ...sigs, ...sigs.map(encodeURIComponent)]) expect(text).not.toContain(s);
    }
    expect(traces(allRuns[0], 'ERROR')).toEqual([]);
  });
});
