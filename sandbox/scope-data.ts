/**
 * A scope's data: the report source the store renders for it and the exact truth a test compares
 * a connector's output with. Every row belongs to one subscription, so a scope is the set of
 * subscriptions below it: a billing account is the union of its profiles, a profile the union of
 * its invoice sections, an enrollment the union of its departments. The EA enrollment scope keeps
 * the exact source and truth it had before scopes existed.
 */
import {createHash} from 'crypto';
import {listDays} from './dates';
import {formatDec, parseDec, toCents} from './decimal';
import {computeTruth, DayTruth, Enrollment, Metric, Truth, UsageRow} from './enrollment';
import {McaAccount, McaRow} from './mca';
import {MCA_HEADER, mcaCsvLine, mcaDateStyle} from './mca-csv';
import {hash32} from './prng';
import {eaPlan, enrollmentSource, interleavedRows, RenderOptions, ReportSource} from './report';
import {Agreement, Scope} from './scopes';

export interface ScopeData {
  enrollment: Enrollment;
  mca: McaAccount | null;
}

export interface ScopeDayTruth extends DayTruth {
  /** MCA only: exact sum of costInUsd of the emittable rows. */
  costInUsd?: string;
}

export interface ScopeTruth extends Truth {
  scope: string;
  scopeType: Scope['type'];
  agreement: Agreement;
  days: Record<string, ScopeDayTruth>;
  /** MCA only. */
  costInUsd?: string;
}

/** Bump when a report's bytes change for the same options (2: AmortizedCost has unused reservation rows). */
const FORMAT_VERSION = 2;

function label(scope: Scope): string {
  return `${scope.type}-${scope.path.split('/').pop()!.replace(/[^A-Za-z0-9-]/g, '_').slice(0, 40)}`;
}

function keyHash(parts: unknown): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

const inScope = (scope: Scope) => (sub: string) => scope.subs === null || scope.subs.has(sub.toLowerCase());

/** The report source of a scope; the EA enrollment's is the plain enrollment source. */
export function scopeSource(scope: Scope, data: ScopeData): ReportSource {
  const keep = inScope(scope);
  if (scope.agreement === 'EA') {
    const e = data.enrollment;
    if (scope.type === 'ea_enrollment') return enrollmentSource(e);
    return {
      key: (metric, start, end, o) => `${e.opts.enrollmentNumber}-${label(scope)}-${metric}-${start}-${end}-${keyHash({v: FORMAT_VERSION, e: e.opts, scope: scope.path, metric, start, end, o})}`,
      plan: (metric, start, end, o) => eaPlan(e, metric, start, end, o, (r) => keep(r.c.SubscriptionId)),
    };
  }
  const m = mcaOf(data);
  return {
    key: (metric, start, end, o) => `mca-${label(scope)}-${metric}-${start}-${end}-${keyHash({v: FORMAT_VERSION, m: m.opts, scope: scope.path, metric, start, end, o})}`,
    plan: (metric, start, end, o: RenderOptions) => {
      const style = mcaDateStyle(m.streamSeed, start.slice(0, 7));
      return {
        schema: 'mca',
        header: MCA_HEADER,
        lines: (function* () {
          for (const r of interleavedRows(m, m.streamSeed, metric, start, end, (x) => keep(x.c.SubscriptionId))) yield mcaCsvLine(r, style);
        })(),
        bom: (idx) => o.bom === 'always' || (o.bom === 'auto' && hash32(m.streamSeed, 'bom', metric, start, end, idx) % 2 === 0),
      };
    },
  };
}

function mcaOf(data: ScopeData): McaAccount {
  if (!data.mca) throw new Error('the sandbox serves no MCA billing account');
  return data.mca;
}

interface Tally {
  rows: number;
  bad: number;
  malformed: number;
  dups: number;
  sum: bigint;
  badSum: bigint;
  usd: bigint;
}

type SubTallies = Map<string, Tally>;
const TALLIES = new WeakMap<object, Map<string, SubTallies>>();

/** Per-subscription tallies of one day (cached: every scope of that day reads the same rows). */
function dayTallies(src: Enrollment | McaAccount, metric: Metric, day: string): SubTallies {
  let cache = TALLIES.get(src);
  if (!cache) TALLIES.set(src, (cache = new Map()));
  const hit = cache.get(metric + day);
  if (hit) return hit;
  const out: SubTallies = new Map();
  const n = src.slotCount(day, metric);
  for (let i = 0; i < n; i++) {
    const r = src.row(day, i, metric) as UsageRow | McaRow | null;
    if (!r) continue;
    const mcaRow = 'costInBillingCurrency' in r.c;
    const sub = r.c.SubscriptionId.toLowerCase();
    let t = out.get(sub);
    if (!t) out.set(sub, (t = {rows: 0, bad: 0, malformed: 0, dups: 0, sum: 0n, badSum: 0n, usd: 0n}));
    const v = parseDec(mcaRow ? (r as McaRow).c.costInBillingCurrency : (r as UsageRow).c.CostInBillingCurrency);
    if (r.badDate !== undefined) {
      t.bad++;
      t.badSum += v;
      continue;
    }
    t.rows++;
    t.sum += v;
    if (mcaRow) t.usd += parseDec((r as McaRow).c.costInUsd);
    if (r.tagsRaw !== undefined) t.malformed++;
    if (r.dupOf !== undefined) t.dups++;
  }
  cache.set(metric + day, out);
  return out;
}

/** Exact truth of what a correct connector emits for a scope over [start, end] (inclusive). */
export function scopeTruth(scope: Scope, data: ScopeData, metric: Metric, start: string, end: string): ScopeTruth {
  const head = {scope: scope.path, scopeType: scope.type, agreement: scope.agreement};
  if (scope.type === 'ea_enrollment') return {...computeTruth(data.enrollment, metric, start, end), ...head};
  const src = scope.agreement === 'EA' ? data.enrollment : mcaOf(data);
  const keep = inScope(scope);
  const mca = scope.agreement === 'MCA';
  const days: Record<string, ScopeDayTruth> = {};
  let rows = 0, bad = 0, sum = 0n, badSum = 0n, usd = 0n;
  for (const d of listDays(start, end)) {
    const t: Tally = {rows: 0, bad: 0, malformed: 0, dups: 0, sum: 0n, badSum: 0n, usd: 0n};
    for (const [sub, x] of dayTallies(src, metric, d)) {
      if (!keep(sub)) continue;
      t.rows += x.rows;
      t.bad += x.bad;
      t.malformed += x.malformed;
      t.dups += x.dups;
      t.sum += x.sum;
      t.badSum += x.badSum;
      t.usd += x.usd;
    }
    days[d] = {rows: t.rows, unusableDateRows: t.bad, malformedTagsRows: t.malformed, duplicateRows: t.dups, cost: formatDec(t.sum), costCents: toCents(t.sum).toString()};
    if (mca) days[d].costInUsd = formatDec(t.usd);
    rows += t.rows;
    bad += t.bad;
    sum += t.sum;
    badSum += t.badSum;
    usd += t.usd;
  }
  const out: ScopeTruth = {metric, start, end, days, rows, unusableDateRows: bad, unusableDateCost: formatDec(badSum), cost: formatDec(sum), costCents: toCents(sum).toString(), ...head};
  if (mca) out.costInUsd = formatDec(usd);
  return out;
}

/** Whether a report of the scope over [start, end] holds any row (else the API answers 204). */
export function scopeHasData(scope: Scope, data: ScopeData, metric: Metric, start: string, end: string): boolean {
  if (scope.type === 'ea_enrollment') return listDays(start, end).some((d) => data.enrollment.slotCount(d, metric) > 0);
  const src = scope.agreement === 'EA' ? data.enrollment : mcaOf(data);
  const keep = inScope(scope);
  return listDays(start, end).some((d) => {
    if (src.slotCount(d, metric) === 0) return false;
    for (const [sub, x] of dayTallies(src, metric, d)) if (keep(sub) && x.rows + x.bad > 0) return true;
    return false;
  });
}
