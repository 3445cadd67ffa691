/**
 * Issue 15 and 16 on the exports reader (docs/design.md §13, §14, §15): every dataset the
 * sandbox's storage account exports (the default set: EA and MCA scopes, CSV, gzip, Parquet),
 * read by the real CLI: the cost streams over every scope, the billing scope as a filter, the
 * price sheet and reservation streams, and focus_costs from FocusCost exports, each against the
 * sandbox's truth of the runs a correct reader reads.
 */
import fs from 'fs';
import path from 'path';

import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {mintSas} from '../../sandbox/testing';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, Json, logs, records, runCli, tempDir, traces, writeJson} from '../support/cli';
import {sandboxConfig} from './sandbox-config';

const BASE: SandboxOptions = {seed: 23, rowsPerDay: 30, startDate: '2026-09-20', endDate: '2026-11-24', today: FROZEN_TODAY};

let sb: Sandbox;
let dir: string;
let n = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${n++}.json`), value);

/** An exports config; `scope` replaces the EA enrollment filter (undefined: every scope). */
function config(scope: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const cfg = sandboxConfig(sb, 'service_principal', {
    start_date: BASE.startDate,
    end_date: BASE.endDate,
    data_source: {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, sas_token: mintSas(sb)},
    ...extra,
  });
  delete cfg.enrollment_number;
  if (scope) cfg.billing_scope = scope;
  return cfg;
}

async function read(cfg: Record<string, unknown>, streams: string[], syncMode: 'full_refresh' | 'incremental' = 'full_refresh'): Promise<CliRun> {
  const run = await runCli(['read', '--config', file(cfg), '--catalog', file(catalog(streams, syncMode))]);
  expectProtocolOnly(run);
  expect(traces(run, 'ERROR')).toEqual([]);
  expect(run.code).toBe(0);
  return run;
}

/** Per day: rows and the cents of `field` summed. */
function sums(recs: Json[], dayField: string, field: string): Record<string, {rows: number; cents: number}> {
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const r of recs) {
    const d = (out[String(r[dayField]).slice(0, 10)] ??= {rows: 0, cents: 0});
    d.rows++;
    d.cents += Number(r[field] ?? 0);
  }
  for (const d of Object.values(out)) d.cents = Math.round(d.cents * 100);
  return out;
}

function truthSums(days: Record<string, Json>, sum: string): Record<string, {rows: number; cents: number}> {
  const out: Record<string, {rows: number; cents: number}> = {};
  for (const [d, t] of Object.entries(days)) if (t.rows > 0) out[d] = {rows: t.rows, cents: Math.round(Number(t[sum] ?? 0) * 100)};
  return out;
}

beforeAll(async () => {
  dir = tempDir();
  sb = await startSandbox(BASE);
  await sb.exportTruth();
});

afterAll(async () => {
  await sb.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('cost streams across scopes', () => {
  it('without a billing scope, usage_details reads every scope and export (Usage, ActualCost; CSV and Parquet): the truth of the dataset per day', async () => {
    const truth = await sb.exportTruth();
    const run = await read(config(undefined), ['usage_details', 'usage_details_amortized']);
    const unique = (recs: Json[]): Json[] => [...new Map(recs.map((r) => [r.id, r])).values()];
    expect(sums(unique(records(run, 'usage_details')), 'usage_date', 'cost')).toEqual(truthSums(truth.datasets.ActualCost.days, 'cost'));
    expect(sums(unique(records(run, 'usage_details_amortized')), 'usage_date', 'cost')).toEqual(truthSums(truth.datasets.AmortizedCost.days, 'cost'));
  });

  it('a billing scope keeps the exports under it only', async () => {
    const profile = (await sb.exportTruth('mca-actual-daily')).scope;
    const mcaScope = sb.scopes.find((s) => s.path.toLowerCase() === profile.toLowerCase());
    expect(mcaScope).toBeDefined();
    const run = await read(config(mcaScope!.config), ['usage_details']);
    const recs = records(run, 'usage_details');
    expect(new Set(recs.map((r: Json) => r.agreement))).toEqual(new Set(['MCA']));
    expect(sums(recs, 'usage_date', 'cost')).toEqual(truthSums((await sb.exportTruth('mca-actual-daily')).days, 'cost'));
  });
});

describe('dataset streams', () => {
  let run: CliRun;
  beforeAll(async () => {
    run = await read(config(undefined), ['price_sheet', 'reservation_details', 'reservation_transactions', 'reservation_recommendations']);
  });

  it('reservation_details: rows and used hours per usage day', async () => {
    const truth = await sb.exportTruth('ea-reservation-details');
    expect(sums(records(run, 'reservation_details'), 'usage_date', 'used_hours')).toEqual(truthSums(truth.days, 'usedHours'));
    expect(records(run, 'reservation_details').length).toBeGreaterThan(50);
  });

  it('reservation_transactions: rows and amounts per event day', async () => {
    const truth = await sb.exportTruth('ea-reservation-transactions');
    expect(sums(records(run, 'reservation_transactions'), 'event_date', 'amount')).toEqual(truthSums(truth.days, 'amount'));
    expect(records(run, 'reservation_transactions').length).toBeGreaterThan(0);
  });

  it('price_sheet (EA Parquet, MCA CSV): every row of the runs read, with its billing month', async () => {
    const truth = await sb.exportTruth();
    const rowsRead = truth.exports.filter((x) => x.dataset === 'PriceSheet').reduce((s, x) => s + x.rows, 0);
    const recs = records(run, 'price_sheet');
    expect(recs.length).toBe(rowsRead);
    expect(rowsRead).toBeGreaterThan(10);
    expect(recs.every((r: Json) => /^\d{4}-\d{2}-01$/.test(r.billing_period))).toBe(true);
  });

  it('reservation_recommendations: the newest snapshot of each scope, MCA JSON cells parsed', async () => {
    const truth = await sb.exportTruth();
    const newest = truth.exports
      .filter((x) => x.dataset === 'ReservationRecommendations')
      .flatMap((x) => x.runs.filter((r) => r.read && r.month === '2026-11'))
      .reduce((s, r) => s + r.dataRowCount, 0);
    const recs = records(run, 'reservation_recommendations');
    expect(recs.length).toBe(newest);
    expect(newest).toBeGreaterThan(1);
    expect(recs.filter((r: Json) => r.parse_errors.length > 0)).toEqual([]);
  });
});

describe('focus_costs from FocusCost exports', () => {
  it('EffectiveCost and BilledCost per day equal the truth; x_SourceDataset names the export version', async () => {
    const truth = await sb.exportTruth();
    const run = await read(config(undefined), ['focus_costs']);
    const recs = records(run, 'focus_costs');
    const day = (r: Json): string => String(r.ChargePeriodStart).slice(0, 10);
    const effective = sums(recs.map((r: Json) => ({d: day(r), v: r.EffectiveCost})), 'd', 'v');
    const billed = sums(recs.map((r: Json) => ({d: day(r), v: r.BilledCost})), 'd', 'v');
    expect(effective).toEqual(truthSums(truth.datasets.FocusCost.days, 'effectiveCost'));
    expect(Object.keys(effective).length).toBeGreaterThan(50);
    expect(billed).toEqual(truthSums(truth.datasets.FocusCost.days, 'billedCost'));
    expect(new Set(recs.map((r: Json) => r.x_SourceDataset))).toEqual(new Set(['FocusCost 1.0r2 export', 'FocusCost 1.2 export']));
    expect(logs(run, 'WARN').filter((l) => /no FocusCost export/.test(l))).toEqual([]);
  });
});
