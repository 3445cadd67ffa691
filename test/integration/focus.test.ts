/**
 * focus_costs derived from the Cost Details API (docs/design.md §9), through the real CLI against
 * the sandbox: per billing period and per day, Σ EffectiveCost equals the amortized truth and
 * Σ BilledCost the actual truth, to the cent, at an EA enrollment and at an MCA billing profile;
 * reservation purchases have EffectiveCost 0; a reservation's unused hours (the sandbox's
 * UnusedReservation rows) bill 0 and are effective; every record passes the FOCUS conformance check
 * and the stream schema; ids are deterministic; state and resume as every dated stream.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {parseDec, toCents} from '../../sandbox/decimal';
import {Scope} from '../../sandbox/scopes';
import {assertFocusConformance} from '../../src/focus/conformance';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, logs, records, runCli, stateFileFrom, states, tempDir, traces, writeJson} from '../support/cli';
import {decOf} from '../support/decimal';
import {sandboxUnusedRows, unusedMismatches} from '../support/unused-rows';
import {sandboxConfig} from './sandbox-config';

// two billing periods: the end of September and the start of October
const START = '2026-09-24';
const END = '2026-10-06';

type Rec = Record<string, unknown> & {x_RecordId: string; ChargePeriodStart: string; BilledCost: number; EffectiveCost: number};

let dir: string;
let sb: Sandbox;
let n = 0;
const file = (value: unknown): string => writeJson(path.join(dir, `f${n++}.json`), value);

const ajv = new Ajv({allErrors: true, strict: false});
addFormats(ajv);
const validateRecord = ajv.compile(JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/focus_costs.json'), 'utf8')));

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli(args);
  expectProtocolOnly(run);
  return run;
}

function read(config: Record<string, unknown>, streams: string[], mode: 'incremental' | 'full_refresh' = 'full_refresh', state?: unknown): Promise<CliRun> {
  const args = ['read', '--config', file(config), '--catalog', file(catalog(streams, mode))];
  if (state !== undefined) args.push('--state', file(state));
  return cli(args);
}

/** Cents of Σ column per key (exact decimal sums of the JSON numbers, then rounded like the truth). */
function centsBy(recs: Rec[], key: (r: Rec) => string, column: 'BilledCost' | 'EffectiveCost'): Record<string, string> {
  const sums: Record<string, bigint> = {};
  for (const r of recs) sums[key(r)] = (sums[key(r)] ?? 0n) + parseDec(decOf(r[column]));
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, toCents(v).toString()]));
}

/** The truth's cents per day and per month (billing period), days without rows left out. */
function truthCents(metric: 'actual' | 'amortized', scope?: string): {days: Record<string, string>; months: Record<string, string>} {
  const truth = scope === undefined ? sb.truth(metric, START, END) : sb.truth(metric, START, END, scope);
  const days: Record<string, string> = {};
  const months: Record<string, bigint> = {};
  for (const [day, d] of Object.entries(truth.days)) {
    if (d.rows === 0) continue;
    days[day] = d.costCents;
    months[day.slice(0, 7)] = (months[day.slice(0, 7)] ?? 0n) + parseDec(d.cost);
  }
  return {days, months: Object.fromEntries(Object.entries(months).map(([k, v]) => [k, toCents(v).toString()]))};
}

const dayOf = (r: Rec): string => r.ChargePeriodStart.slice(0, 10);
const periodOf = (r: Rec): string => String(r.BillingPeriodStart).slice(0, 7);

/** Drops zero sums (days whose rows all bill 0) so they compare with the truth's days with rows. */
function nonZero(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '0'));
}

function checkInvariants(recs: Rec[], scope?: string): void {
  const amortized = truthCents('amortized', scope);
  const actual = truthCents('actual', scope);
  expect(nonZero(centsBy(recs, dayOf, 'EffectiveCost'))).toEqual(nonZero(amortized.days));
  expect(nonZero(centsBy(recs, dayOf, 'BilledCost'))).toEqual(nonZero(actual.days));
  expect(centsBy(recs, periodOf, 'EffectiveCost')).toEqual(amortized.months);
  expect(centsBy(recs, periodOf, 'BilledCost')).toEqual(actual.months);
  for (const r of recs) {
    const day = dayOf(r);
    const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().replace('.000Z', 'Z');
    expect(r.ChargePeriodEnd).toBe(next);
    // the billing period is the charge's calendar month, its end exclusive
    expect(r.BillingPeriodStart).toBe(`${day.slice(0, 7)}-01T00:00:00Z`);
    const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
    expect(r.BillingPeriodEnd).toBe(new Date(Date.UTC(y, m, 1)).toISOString().replace('.000Z', 'Z'));
  }
}

function schemaErrors(recs: Rec[]): unknown {
  return recs.map((r) => (validateRecord(r) ? null : validateRecord.errors)).find((e) => e !== null) ?? null;
}

beforeAll(async () => {
  dir = tempDir();
  sb = await startSandbox({seed: 16, rowsPerDay: 40, startDate: START, endDate: END, today: FROZEN_TODAY});
});

afterAll(async () => {
  await sb?.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('focus_costs derived from the Cost Details API', () => {
  let first: Rec[];

  it('selected beside the usage streams, focus_costs reuses their reports: no more reports than focus_costs alone, the same records', async () => {
    const before = sb.stats.reportsCreated;
    const alone = await read(sandboxConfig(sb), ['focus_costs']);
    const aloneReports = sb.stats.reportsCreated - before;
    const all = await read(sandboxConfig(sb), ['usage_details', 'usage_details_amortized', 'focus_costs']);
    const allReports = sb.stats.reportsCreated - before - aloneReports;
    expect([alone.code, all.code]).toEqual([0, 0]);
    expect(aloneReports).toBeGreaterThan(0);
    expect(allReports).toBe(aloneReports);
    expect(records(all, 'focus_costs')).toEqual(records(alone, 'focus_costs'));
    expect(records(all, 'usage_details').length).toBeGreaterThan(0);
    const reused = logs(all, 'INFO').filter((l) => /^Reusing the (ActualCost|AmortizedCost) report for /.test(l));
    expect(reused.length).toBe(aloneReports);
  });

  it('tracking rules stamp focus_costs; with tracking_conflicts selected the audit comes from the usage rows, once', async () => {
    const rules = [
      {name: 'prod-cc', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-PROD'}},
      {name: 'prod-cc-finance', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-FIN'}},
    ];
    const run = await read({...sandboxConfig(sb), tracking_rules: rules}, ['focus_costs', 'tracking_conflicts']);
    expect(run.code).toBe(0);
    const recs = records(run, 'focus_costs') as Rec[];
    const prod = recs.filter((r) => /prod/i.test(String(r.SubAccountName ?? '')));
    expect(prod.length).toBeGreaterThan(0);
    for (const r of prod) expect(r.x_Tracking).toMatchObject({cost_center: 'CC-PROD'});
    const conflicts = records(run, 'tracking_conflicts');
    expect(conflicts.length).toBeGreaterThan(0);
    // audited once, from usage_details' rows (read for the audit, not emitted)
    expect([...new Set(conflicts.map((c) => c.stream))]).toEqual(['usage_details']);
    expect(records(run, 'usage_details')).toEqual([]);
    const warns = logs(run, 'WARN').filter((l) => /^focus_costs .*tracking conflict/.test(l));
    expect(warns.length).toBeGreaterThan(0);
    for (const w of warns) expect(w).toMatch(/tracking_conflicts audits them from the usage rows these records repeat/);
  });

  it('EA enrollment: focus_costs alone reads both metrics, emits no other stream, and keeps the cost invariants', async () => {
    const run = await read(sandboxConfig(sb), ['focus_costs']);
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    const streamsSeen = new Set(run.messages.filter((m) => m.type === 'RECORD').map((m) => m.record.stream));
    expect([...streamsSeen]).toEqual(['focus_costs']);
    const recs = records(run, 'focus_costs') as Rec[];
    first = recs;
    expect(recs.length).toBeGreaterThan(100);
    expect(assertFocusConformance(recs)).toBe(recs.length);
    expect(schemaErrors(recs)).toBeNull();
    expect(new Set(recs.map((r) => r.x_RecordId)).size).toBe(recs.length);
    checkInvariants(recs);
    expect(new Set(recs.map((r) => r.x_SourceDataset))).toEqual(new Set(['cost_details ActualCost+AmortizedCost']));
    expect(new Set(recs.map((r) => r.BillingAccountType))).toEqual(new Set(['Billing Account']));
    // x_RecordId is written first (the id's finishing appends its suffix in place)
    const line = run.stdout.split('\n').find((l) => l.includes('"stream":"focus_costs"'))!;
    expect(line).toMatch(/"data":\{"x_RecordId":"[0-9a-f]{32}(-\d+)?",/);
  });

  it('reservation purchases bill and have EffectiveCost 0; the usage they cover bills 0', () => {
    const purchases = first.filter((r) => r.ChargeCategory === 'Purchase' && r.CommitmentDiscountType === 'Reservation');
    expect(purchases.length).toBeGreaterThan(0);
    for (const r of purchases) {
      expect(r.EffectiveCost).toBe(0);
      expect(r.CommitmentDiscountId).toMatch(/\/microsoft\.capacity\//i);
      expect(r.CommitmentDiscountStatus).toBeNull();
      expect(r.x_AmortizationClass).toBe('Principal');
    }
    expect(purchases.some((r) => r.BilledCost !== 0)).toBe(true);
    const refunds = purchases.filter((r) => r.ChargeClass === 'Correction');
    for (const r of refunds) expect(r.BilledCost).toBeLessThanOrEqual(0);
    const covered = first.filter((r) => r.CommitmentDiscountStatus === 'Used');
    expect(covered.length).toBeGreaterThan(0);
    for (const r of covered) {
      expect(r.BilledCost).toBe(0);
      expect(r.PricingCategory).toBe('Committed');
      expect(r.ChargeCategory).toBe('Usage');
    }
    // services from the lookup: compute rows are Virtual Machines in Compute
    expect(first.some((r) => r.ServiceName === 'Virtual Machines' && r.ServiceCategory === 'Compute')).toBe(true);
    // VM attribution and tags come along
    expect(first.some((r) => typeof r.x_VmSku === 'string')).toBe(true);
    expect(first.every((r) => typeof r.Tags === 'object' && r.Tags !== null)).toBe(true);
  });

  it('a reservation\'s unused hours: one Usage record per unused row of the sandbox, status Unused, BilledCost 0, EffectiveCost the row\'s cost', () => {
    const truth = sandboxUnusedRows(sb, START, END);
    expect(truth.size).toBeGreaterThan(0);
    const unused = first.filter((r) => r.CommitmentDiscountStatus === 'Unused');
    expect(unused.length).toBe(truth.size);
    expect(unusedMismatches(first, truth)).toEqual([]);
    for (const r of unused) {
      expect(r.CommitmentDiscountType).toBe('Reservation');
      expect(r.PricingCategory).toBe('Committed');
      expect(r.x_AmortizationClass).toBe('Amortized Charge');
      // FOCUS: no consumed quantity on a commitment's unused part; no resource ran
      expect(r.ConsumedQuantity).toBeNull();
      expect(r.ResourceId).toBeNull();
    }
  });

  it('ids are deterministic: a second read emits the same ids', async () => {
    const run = await read(sandboxConfig(sb), ['focus_costs']);
    expect(run.code).toBe(0);
    const again = (records(run, 'focus_costs') as Rec[]).map((r) => r.x_RecordId).sort();
    expect(again).toEqual(first.map((r) => r.x_RecordId).sort());
  });

  it('MCA billing profile: the cost invariants hold at the scope', async () => {
    const scope = sb.scopes.find((s: Scope) => s.type === 'mca_billing_profile' && s.agreement === 'MCA')!;
    const config = sandboxConfig(sb, 'service_principal', {enrollment_number: undefined, billing_scope: scope.config});
    const run = await read(config, ['focus_costs']);
    expect(run.code).toBe(0);
    expect(traces(run, 'ERROR')).toEqual([]);
    const recs = records(run, 'focus_costs') as Rec[];
    expect(recs.length).toBeGreaterThan(50);
    assertFocusConformance(recs);
    expect(schemaErrors(recs)).toBeNull();
    checkInvariants(recs, scope.path);
    expect(new Set(recs.map((r) => r.BillingAccountType))).toEqual(new Set(['Billing Profile']));
    expect(new Set(recs.map((r) => r.BillingAccountId))).toEqual(new Set([scope.config.billing_profile_id ?? recs[0].BillingAccountId]));
  });

  it('MCA: at the billing profile with the most unused reservation rows, one record per row, status Unused, BilledCost 0, EffectiveCost its cost', async () => {
    // the profile is chosen from the sandbox's own rows: its reservations' unused hours in the window
    const [scope, unused] = sb.scopes.filter((s: Scope) => s.type === 'mca_billing_profile')
      .map((s) => [s, sandboxUnusedRows(sb, START, END, s)] as const)
      .sort((a, b) => b[1].size - a[1].size)[0];
    expect(unused.size).toBeGreaterThan(0);
    const config = sandboxConfig(sb, 'service_principal', {enrollment_number: undefined, billing_scope: scope.config});
    const run = await read(config, ['focus_costs']);
    expect(run.code).toBe(0);
    const recs = records(run, 'focus_costs') as Rec[];
    checkInvariants(recs, scope.path);
    expect(recs.filter((r) => r.CommitmentDiscountStatus === 'Unused').length).toBe(unused.size);
    expect(unusedMismatches(recs, unused)).toEqual([]);
  });

  it('state: {"usage_date"} per slice; a resumed sync re-reads from the cursor with the same ids', async () => {
    const config = sandboxConfig(sb, 'service_principal', {lookback_days: 2, slice_days: 5});
    const run = await read(config, ['focus_costs'], 'incremental');
    expect(run.code).toBe(0);
    const st = states(run, 'focus_costs');
    expect(st.length).toBeGreaterThan(1);
    expect(st[st.length - 1].stream.stream_state).toEqual({usage_date: END});
    const all = records(run, 'focus_costs') as Rec[];
    // resume from a mid-sync state: the cursor minus the look-back, nothing before it
    const cursor = '2026-10-01';
    const state = [{type: 'STREAM', stream: {stream_descriptor: {name: 'focus_costs'}, stream_state: {usage_date: cursor}}}];
    const resumed = await read(config, ['focus_costs'], 'incremental', state);
    expect(resumed.code).toBe(0);
    const recs = records(resumed, 'focus_costs') as Rec[];
    const days = [...new Set(recs.map(dayOf))].sort();
    expect(days[0]).toBe('2026-09-30');
    const want = all.filter((r) => dayOf(r) >= '2026-09-30').map((r) => r.x_RecordId).sort();
    expect(recs.map((r) => r.x_RecordId).sort()).toEqual(want);
    expect(stateFileFrom(resumed).find((s) => s.stream.stream_descriptor.name === 'focus_costs').stream.stream_state).toEqual({usage_date: END});
  });
});
