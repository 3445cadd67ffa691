/**
 * focus_costs from FocusCost exports (docs/design.md §15), through the real CLI against the
 * sandbox's storage account: a 1.0r2 export in Parquet (EA enrollment) and a 1.2 export in gzip
 * CSV (MCA billing profile). Per day and per billing period, Σ BilledCost and Σ EffectiveCost equal
 * the export's truth and the API truth of the actual and amortized cost, to the cent; every record
 * passes the FOCUS conformance check and the stream schema; reservation purchases have
 * EffectiveCost 0; a reservation's unused hours bill 0 and are effective, one record per unused
 * row of the sandbox; ids are deterministic; selecting focus_costs alone emits nothing else.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';

import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {parseDec, toCents} from '../../sandbox/decimal';
import {ExportSpec} from '../../sandbox/exports/spec';
import {Scope} from '../../sandbox/scopes';
import {mintSas} from '../../sandbox/testing';
import {assertFocusConformance} from '../../src/focus/conformance';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, Json, logs, records, runCli, states, tempDir, traces, writeJson} from '../support/cli';
import {decOf} from '../support/decimal';
import {sandboxUnusedRows, unusedMismatches} from '../support/unused-rows';
import {sandboxConfig} from './sandbox-config';

const EXPORTS: ExportSpec[] = [
  {name: 'ea-focus', dataset: 'FocusCost', format: 'parquet-snappy', dataVersion: '1.0r2'},
  {name: 'mca-focus', dataset: 'FocusCost', scope: 'mca', format: 'csv-gzip', dataVersion: '1.2'},
  // a dataset version this connector has never seen (the sandbox writes 1.0r2's columns)
  {name: 'ea-focus-next', dataset: 'FocusCost', format: 'csv', dataVersion: '2.0'},
];

const START = '2026-09-20';
const END = '2026-10-12';
const BASE: SandboxOptions = {seed: 17, rowsPerDay: 30, startDate: START, endDate: END, today: FROZEN_TODAY};

type Rec = Record<string, unknown> & {x_RecordId: string; ChargePeriodStart: string; BilledCost: number; EffectiveCost: number};

let dir: string;
let sb: Sandbox;
let n = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${n++}.json`), value);

const ajv = new Ajv({allErrors: true, strict: false});
addFormats(ajv);
const validateRecord = ajv.compile(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/focus_costs.json'), 'utf8')));

function exportsConfig(names: string[], scope?: Record<string, string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {
    start_date: START,
    end_date: END,
    data_source: {type: 'exports', storage_account_url: sb.storage.accountUrl, container: sb.storage.container, root_folder_path: sb.storage.rootFolderPath, export_names: names, sas_token: mintSas(sb, {expiresInSeconds: 3600})},
  };
  if (scope) Object.assign(extra, {enrollment_number: undefined, billing_scope: scope});
  return sandboxConfig(sb, 'service_principal', extra);
}

async function read(config: Record<string, unknown>): Promise<CliRun> {
  const run = await runCli(['read', '--config', file(config), '--catalog', file(catalog(['focus_costs'], 'full_refresh'))]);
  expectProtocolOnly(run);
  return run;
}

function centsBy(recs: Rec[], key: (r: Rec) => string, column: 'BilledCost' | 'EffectiveCost' | 'ListCost' | 'ContractedCost'): Record<string, string> {
  const sums: Record<string, bigint> = {};
  for (const r of recs) sums[key(r)] = (sums[key(r)] ?? 0n) + parseDec(decOf(r[column]));
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, toCents(v).toString()]).filter(([, v]) => v !== '0'));
}

/** The API truth of a metric, per day and per month, in cents (zero sums left out). */
function apiCents(metric: 'actual' | 'amortized', scope?: string): {days: Record<string, string>; months: Record<string, string>} {
  const truth = scope === undefined ? sb.truth(metric, START, END) : sb.truth(metric, START, END, scope);
  const days: Record<string, string> = {};
  const months: Record<string, bigint> = {};
  for (const [day, d] of Object.entries(truth.days)) {
    if (d.rows === 0) continue;
    if (d.costCents !== '0') days[day] = d.costCents;
    months[day.slice(0, 7)] = (months[day.slice(0, 7)] ?? 0n) + parseDec(d.cost);
  }
  return {days, months: Object.fromEntries(Object.entries(months).map(([k, v]) => [k, toCents(v).toString()]).filter(([, v]) => v !== '0'))};
}

/** The export's own truth per day for one of its sums (`billedCost`, `effectiveCost`), in cents. */
async function exportCents(name: string, sum: string): Promise<Record<string, string>> {
  const truth = await sb.exportTruth(name);
  const out: Record<string, string> = {};
  for (const [day, d] of Object.entries(truth.days as Record<string, Json>)) if (d.rows > 0 && d[`${sum}Cents`] !== '0') out[day] = String(d[`${sum}Cents`]);
  return out;
}

const dayOf = (r: Rec): string => r.ChargePeriodStart.slice(0, 10);
const periodOf = (r: Rec): string => String(r.BillingPeriodStart).slice(0, 7);

function checkRecords(recs: Rec[], version: string): void {
  expect(recs.length).toBeGreaterThan(100);
  expect(assertFocusConformance(recs)).toBe(recs.length);
  expect(recs.map((r) => (validateRecord(r) ? null : validateRecord.errors)).find((e) => e !== null) ?? null).toBeNull();
  expect(new Set(recs.map((r) => r.x_RecordId)).size).toBe(recs.length);
  expect(new Set(recs.map((r) => r.x_SourceDataset))).toEqual(new Set([`FocusCost ${version} export`]));
  for (const r of recs) {
    const day = dayOf(r);
    expect(r.ChargePeriodEnd).toBe(new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().replace('.000Z', 'Z'));
    expect(String(r.BillingPeriodEnd) > String(r.BillingPeriodStart)).toBe(true);
  }
  const purchases = recs.filter((r) => r.ChargeCategory === 'Purchase' && r.CommitmentDiscountType === 'Reservation');
  expect(purchases.length).toBeGreaterThan(0);
  for (const r of purchases) expect(r.EffectiveCost).toBe(0);
}

/** The export's unused-reservation records are the sandbox's unused rows of the window, one for one. */
function checkUnused(recs: Rec[], scope?: Scope): void {
  const truth = sandboxUnusedRows(sb, START, END, scope);
  expect(truth.size).toBeGreaterThan(0);
  expect(recs.filter((r) => r.CommitmentDiscountStatus === 'Unused').length).toBe(truth.size);
  expect(unusedMismatches(recs, truth)).toEqual([]);
}

beforeAll(async () => {
  dir = tempDir();
  sb = await startSandbox({...BASE, exports: EXPORTS});
  await sb.exportTruth();
});

afterAll(async () => {
  await sb?.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('focus_costs from FocusCost exports', () => {
  it('1.0r2 in Parquet, EA enrollment: per day and billing period, Σ BilledCost = actual and Σ EffectiveCost = amortized, to the cent', async () => {
    const run = await read(exportsConfig(['ea-focus']));
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    expect(new Set(run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.stream))).toEqual(new Set(['focus_costs']));
    const recs = records(run, 'focus_costs') as Rec[];
    checkRecords(recs, '1.0r2');
    checkUnused(recs);
    expect(centsBy(recs, dayOf, 'BilledCost')).toEqual(await exportCents('ea-focus', 'billedCost'));
    expect(centsBy(recs, dayOf, 'EffectiveCost')).toEqual(await exportCents('ea-focus', 'effectiveCost'));
    const actual = apiCents('actual');
    const amortized = apiCents('amortized');
    expect(centsBy(recs, dayOf, 'BilledCost')).toEqual(actual.days);
    expect(centsBy(recs, dayOf, 'EffectiveCost')).toEqual(amortized.days);
    expect(centsBy(recs, periodOf, 'BilledCost')).toEqual(actual.months);
    expect(centsBy(recs, periodOf, 'EffectiveCost')).toEqual(amortized.months);
    // VM attribution reaches export rows too (through their x_SkuDetails)
    expect(recs.some((r) => typeof r.x_VmSku === 'string')).toBe(true);
    // a second read: the same ids
    const again = await read(exportsConfig(['ea-focus']));
    expect((records(again, 'focus_costs') as Rec[]).map((r) => r.x_RecordId).sort()).toEqual(recs.map((r) => r.x_RecordId).sort());
    expect(states(run, 'focus_costs').pop().stream.stream_state.usage_date).toBe(END);
  });

  it('the two ways in agree (EA): focus_costs from the FocusCost export and derived from the Cost Details API, per day and charge kind', async () => {
    const fromExport = records(await read(exportsConfig(['ea-focus'])), 'focus_costs') as Rec[];
    const derivedRun = await read(sandboxConfig(sb, 'service_principal', {start_date: START, end_date: END}));
    expect(derivedRun.code).toBe(0);
    const derived = records(derivedRun, 'focus_costs') as Rec[];
    expect(new Set(derived.map((r) => r.x_SourceDataset))).toEqual(new Set(['cost_details ActualCost+AmortizedCost']));
    // the same charges: as many records per day and kind of charge
    const kind = (r: Rec) => `${dayOf(r)} ${String(r.ChargeCategory)} ${String(r.ChargeClass)} ${String(r.CommitmentDiscountStatus)} ${String(r.PricingCategory)}`;
    const count = (recs: Rec[]) => recs.reduce<Record<string, number>>((m, r) => ((m[kind(r)] = (m[kind(r)] ?? 0) + 1), m), {});
    expect(count(derived)).toEqual(count(fromExport));
    // and the same four costs, per day and kind, to the cent (refunds negative in both)
    for (const column of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const) {
      expect([column, centsBy(derived, kind, column)]).toEqual([column, centsBy(fromExport, kind, column)]);
    }
    expect(fromExport.some((r) => r.ChargeClass === 'Correction' && r.ListCost < 0)).toBe(true);
  });

  it('1.2 in gzip CSV, MCA billing profile: the same invariants at the scope', async () => {
    const scope = sb.scopes.find((s: Scope) => s.type === 'mca_billing_profile' && s.agreement === 'MCA')!;
    const run = await read(exportsConfig(['mca-focus'], scope.config));
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    const recs = records(run, 'focus_costs') as Rec[];
    checkRecords(recs, '1.2');
    checkUnused(recs, scope);
    expect(centsBy(recs, dayOf, 'BilledCost')).toEqual(await exportCents('mca-focus', 'billedCost'));
    expect(centsBy(recs, dayOf, 'EffectiveCost')).toEqual(await exportCents('mca-focus', 'effectiveCost'));
    const actual = apiCents('actual', scope.path);
    const amortized = apiCents('amortized', scope.path);
    expect(centsBy(recs, dayOf, 'BilledCost')).toEqual(actual.days);
    expect(centsBy(recs, dayOf, 'EffectiveCost')).toEqual(amortized.days);
    expect(centsBy(recs, periodOf, 'BilledCost')).toEqual(actual.months);
    expect(centsBy(recs, periodOf, 'EffectiveCost')).toEqual(amortized.months);
    expect(logs(run, 'WARN').filter((l) => l.includes('does not know'))).toEqual([]);
  });

  it('a dataset version never seen before: read by name, with one WARN naming it, never refused', async () => {
    const run = await read(exportsConfig(['ea-focus-next']));
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    const warns = logs(run, 'WARN').filter((l) => l.includes('"2.0"'));
    expect(warns).toHaveLength(1);
    expect(warns[0]).toContain('ea-focus-next');
    const recs = records(run, 'focus_costs') as Rec[];
    checkRecords(recs, '2.0');
    expect(centsBy(recs, dayOf, 'BilledCost')).toEqual(apiCents('actual').days);
    expect(centsBy(recs, dayOf, 'EffectiveCost')).toEqual(apiCents('amortized').days);
  });
});
