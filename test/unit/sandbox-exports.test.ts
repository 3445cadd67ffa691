/**
 * The sandbox's export generation without HTTP (docs/design.md §14): run plans, the service SAS
 * check, exact decimals for Parquet, and the FOCUS and reservation tables made from the sandbox's
 * own rows.
 */
import {computeTruth, makeEnrollment} from '../../sandbox/enrollment';
import {formatDec, parseDec} from '../../sandbox/decimal';
import {makeMcaAccount} from '../../sandbox/mca';
import {MCA_PROFILES, MCA_SECTIONS, MCA_SUBSCRIPTIONS} from '../../sandbox/mca-catalog';
import {focusTable, scopeRows} from '../../sandbox/exports/datasets';
import {FOCUS_10R2_COLUMNS, FOCUS_12_COLUMNS} from '../../sandbox/exports/focus';
import {recommendationsTable, reservationTransactionsTable} from '../../sandbox/exports/reservations';
import {monthsBetween, planRuns} from '../../sandbox/exports/runs';
import {unscaled} from '../../sandbox/exports/write';
import {ExportsContext} from '../../sandbox/exports/world';
import {scopeTruth} from '../../sandbox/scope-data';
import {listScopes} from '../../sandbox/scopes';
import {checkSas, signSas} from '../../sandbox/storage/sas';

const KEY = Buffer.alloc(64, 7).toString('base64');

describe('export runs', () => {
  const spec = {name: 'daily', dataset: 'ActualCost' as const};

  test('a past month: zero-row run, superseded run, complete run on the 1st of the next month', () => {
    const runs = planRuns(spec, 42, 'root', '2026-01', '2026-03-12', false);
    expect(runs.map((r) => r.kind)).toEqual(['empty', 'superseded', 'complete']);
    expect(runs[2].start).toBe('2026-01-01');
    expect(runs[2].end).toBe('2026-01-31');
    expect(new Date(runs[2].submitted).toISOString().slice(0, 10)).toBe('2026-02-01');
    expect(runs[1].end).toBe('2026-01-28');
    expect(runs[0].end < runs[0].start).toBe(true);
    expect(runs.map((r) => r.submitted)).toEqual([...runs.map((r) => r.submitted)].sort((a, b) => a - b));
    expect(runs[2].folder).toMatch(/^root\/daily\/20260101-20260131\/\d{12}\/[0-9a-f-]{36}$/);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(3);
  });

  test('the current month ends yesterday; the incomplete run is the newest and only in the newest month', () => {
    const runs = planRuns({...spec, incompleteNewest: true}, 42, '', '2026-03', '2026-03-12', true);
    expect(runs.map((r) => r.kind)).toEqual(['empty', 'superseded', 'complete', 'incomplete']);
    expect(runs[2].end).toBe('2026-03-11');
    expect(runs[3].submitted).toBeGreaterThan(runs[2].submitted);
    expect(planRuns({...spec, incompleteNewest: true}, 42, '', '2026-02', '2026-03-12', false).map((r) => r.kind)).not.toContain('incomplete');
  });

  test('without history one run; without the time folder one level less; on the 1st only a zero-row run', () => {
    const one = planRuns({...spec, history: false, timeFolder: false}, 1, 'r', '2026-02', '2026-03-12', false);
    expect(one.map((r) => r.kind)).toEqual(['complete']);
    expect(one[0].folder).toMatch(/^r\/daily\/20260201-20260228\/[0-9a-f-]{36}$/);
    expect(planRuns(spec, 1, 'r', '2026-03', '2026-03-01', true).map((r) => r.kind)).toEqual(['empty']);
    expect(monthsBetween('2025-11-20', '2026-02-03')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('service SAS', () => {
  const now = Date.parse('2026-03-12T10:00:00Z');
  const sas = (o: Partial<{permissions: string; expiry: string; version: string; start: string}> = {}) =>
    new URLSearchParams(signSas(KEY, 'acct', 'exports', {version: o.version ?? '2022-11-02', permissions: o.permissions ?? 'rl', expiry: o.expiry ?? '2026-03-13T00:00:00Z', resource: 'c', start: o.start}));

  test('a valid container SAS lists and reads', () => {
    expect(checkSas(sas(), KEY, 'acct', 'exports', null, 'l', now)).toEqual({ok: true, permissions: 'rl'});
    expect(checkSas(sas(), KEY, 'acct', 'exports', 'a/b.csv', 'r', now).ok).toBe(true);
    expect(checkSas(sas({version: '2019-12-12'}), KEY, 'acct', 'exports', null, 'l', now).ok).toBe(true);
  });

  test('another container, another key, an altered permission: the signature does not match', () => {
    for (const r of [
      checkSas(sas(), KEY, 'acct', 'other', null, 'l', now),
      checkSas(sas(), Buffer.alloc(64, 8).toString('base64'), 'acct', 'exports', null, 'l', now),
      checkSas(new URLSearchParams(sas().toString().replace('sp=rl', 'sp=rwl')), KEY, 'acct', 'exports', null, 'l', now),
    ]) {
      expect(r).toMatchObject({ok: false, status: 403, code: 'AuthenticationFailed'});
      if (!r.ok) expect(r.detail).toMatch(/^Signature did not match/);
    }
  });

  test('expired, not yet valid, forced expiry; missing permission', () => {
    const expired = checkSas(sas({expiry: '2026-03-12T09:59:59Z'}), KEY, 'acct', 'exports', null, 'l', now);
    expect(expired).toMatchObject({ok: false, code: 'AuthenticationFailed'});
    if (!expired.ok) expect(expired.detail).toMatch(/^Signature not valid in the specified time frame: .*Expiry \[Thu, 12 Mar 2026 09:59:59 GMT\] - Current \[Thu, 12 Mar 2026 10:00:00 GMT\]/);
    expect(checkSas(sas({start: '2026-03-12T11:00:00Z'}), KEY, 'acct', 'exports', null, 'l', now)).toMatchObject({ok: false, code: 'AuthenticationFailed'});
    expect(checkSas(sas(), KEY, 'acct', 'exports', null, 'l', now, true)).toMatchObject({ok: false, code: 'AuthenticationFailed'});
    expect(checkSas(sas({permissions: 'r'}), KEY, 'acct', 'exports', null, 'l', now)).toMatchObject({ok: false, status: 403, code: 'AuthorizationPermissionMismatch'});
    expect(checkSas(sas({permissions: 'l'}), KEY, 'acct', 'exports', 'x.csv', 'r', now)).toMatchObject({ok: false, code: 'AuthorizationPermissionMismatch'});
  });
});

describe('Parquet decimals', () => {
  test('unscaled values are exact; too many decimals or digits fail loudly', () => {
    expect(unscaled('1.5', 28)).toBe(15n * 10n ** 27n);
    expect(unscaled('-0.0001188669', 28)).toBe(-1188669n * 10n ** 18n);
    expect(unscaled('12', 2)).toBe(1200n);
    expect(unscaled('0.10', 1)).toBe(1n);
    expect(() => unscaled('0.123', 2)).toThrow(/more than 2 decimals/);
    expect(() => unscaled('1' + '0'.repeat(10), 28)).toThrow(/does not fit/);
    expect(() => unscaled('abc', 2)).toThrow(/not a decimal/);
  });
});

describe('FOCUS and reservation tables from the sandbox rows', () => {
  const opts = {seed: 5, enrollmentNumber: '87654321', startDate: '2026-01-03', endDate: '2026-01-20', rowsPerDay: 120, emptyDays: ['2026-01-10']};
  const e = makeEnrollment(opts);
  const mca = makeMcaAccount({seed: 5, startDate: opts.startDate, endDate: opts.endDate, rowsPerDay: 120, today: '2026-02-01'});
  const ctx: ExportsContext = {seed: 5, today: '2026-02-01', enrollment: e, mca, csvSchema: 'auto', storage: {account: 'a', key: KEY, container: 'c', rootFolderPath: '', exports: []}};

  function sums(rows: Iterable<{day: string | null; sums: bigint[]}>): Map<string, bigint[]> {
    const out = new Map<string, bigint[]>();
    for (const r of rows) {
      const t = out.get(r.day!) ?? r.sums.map(() => 0n);
      r.sums.forEach((v, i) => (t[i] += v));
      out.set(r.day!, t);
    }
    return out;
  }

  test('EA: per day Σ BilledCost = Σ actual cost and Σ EffectiveCost = Σ amortized cost; BilledCost and EffectiveCost cells carry them', () => {
    const t = focusTable(scopeRows(ctx, null), '2026-01-01', '2026-01-31', '1.0r2');
    expect(t.header).toEqual(FOCUS_10R2_COLUMNS);
    const rows = [...t.rows()];
    const billedAt = t.header.indexOf('BilledCost');
    for (const r of rows) expect(parseDec(r.cells[billedAt])).toBe(r.sums[0]);
    const byDay = sums(rows);
    const actual = computeTruth(e, 'actual', '2026-01-01', '2026-01-31');
    const amortized = computeTruth(e, 'amortized', '2026-01-01', '2026-01-31');
    const withData = Object.keys(actual.days).filter((d) => actual.days[d].rows > 0);
    expect([...byDay.keys()].sort()).toEqual(withData);
    for (const d of withData) {
      expect(formatDec(byDay.get(d)![0])).toBe(actual.days[d].cost);
      expect(formatDec(byDay.get(d)![1])).toBe(amortized.days[d].cost);
    }
    // commitment purchases bill and have no effective cost; covered usage is effective and bills 0
    const at = (n: string) => t.header.indexOf(n);
    const purchases = rows.filter((r) => r.cells[at('ChargeCategory')] === 'Purchase' && r.cells[at('CommitmentDiscountType')] === 'Reservation');
    expect(purchases.length).toBeGreaterThan(0);
    for (const p of purchases) expect(p.cells[at('EffectiveCost')]).toBe('0');
    const covered = rows.filter((r) => r.cells[at('CommitmentDiscountStatus')] === 'Used');
    expect(covered.length).toBeGreaterThan(0);
    for (const c of covered) expect(c.cells[at('BilledCost')]).toBe('0');
    for (const r of rows) {
      expect(['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment']).toContain(r.cells[at('ChargeCategory')]);
      const start = r.cells[at('ChargePeriodStart')];
      expect(start).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z$/);
      expect(Date.parse(r.cells[at('ChargePeriodEnd')]) - Date.parse(start)).toBe(86_400_000);
      expect(r.cells[at('BillingPeriodEnd')]).toBe('2026-02-01T00:00:00Z');
      expect(() => JSON.parse(r.cells[at('Tags')])).not.toThrow();
    }
  });

  test('MCA billing profile: the same sums against its scope truth, FOCUS 1.2 columns', () => {
    const profile = MCA_PROFILES[1];
    const subs = new Set(MCA_SUBSCRIPTIONS.filter((s) => MCA_SECTIONS[s.section].profile === 1).map((s) => s.guid.toLowerCase()));
    const keep = (s: string) => subs.has(s.toLowerCase());
    const t = focusTable(scopeRows(ctx, keep), '2026-01-01', '2026-01-31', '1.2');
    expect(t.header).toEqual(FOCUS_12_COLUMNS);
    const byDay = sums(t.rows());
    const scope = listScopes({enrollmentNumber: '87654321', mcaAccountId: mca.opts.billingAccountId}).find((x) => x.path.endsWith(`/billingProfiles/${profile.id}`))!;
    const actual = scopeTruth(scope, {enrollment: e, mca}, 'actual', '2026-01-01', '2026-01-31');
    const amortized = scopeTruth(scope, {enrollment: e, mca}, 'amortized', '2026-01-01', '2026-01-31');
    for (const d of Object.keys(actual.days).filter((x) => actual.days[x].rows > 0)) {
      expect(formatDec(byDay.get(d)![0])).toBe(actual.days[d].cost);
      expect(formatDec(byDay.get(d)![1])).toBe(amortized.days[d].cost);
    }
  });

  test('reservation transactions are the actual purchases and refunds, amount for amount', () => {
    const t = reservationTransactionsTable(scopeRows(ctx, null), '2026-01-01', '2026-01-31', '87654321');
    let expected = 0n;
    let n = 0;
    for (let d = 3; d <= 20; d++) {
      for (const r of e.dayRows(`2026-01-${String(d).padStart(2, '0')}`, 'actual')) {
        if ((r.c.ChargeType === 'Purchase' || r.c.ChargeType === 'Refund') && r.c.PricingModel === 'Reservation') {
          expected += parseDec(r.c.CostInBillingCurrency);
          n++;
        }
      }
    }
    const rows = [...t.rows()];
    expect(rows.length).toBe(n);
    expect(n).toBeGreaterThan(0);
    expect(rows.reduce((a, r) => a + r.sums[0], 0n)).toBe(expected);
    expect(rows.every((r) => ['Purchase', 'Refund'].includes(r.cells[t.header.indexOf('EventType')]))).toBe(true);
  });

  test('MCA recommendations hold JSON objects in cost cells and a JSON array of SKU properties', () => {
    const t = recommendationsTable('MCA', null, '2026-01', 'USD');
    const rows = [...t.rows()];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      const cost = JSON.parse(r.cells[t.header.indexOf('Cost With No ReservedInstances')]) as {value: number; currency: string};
      const withRi = JSON.parse(r.cells[t.header.indexOf('Total Cost With ReservedInstances')]) as {value: number};
      const net = JSON.parse(r.cells[t.header.indexOf('Net Savings')]) as {value: number};
      expect(cost.currency).toBe('USD');
      expect(cost.value - withRi.value).toBeCloseTo(net.value, 6);
      expect(Array.isArray(JSON.parse(r.cells[t.header.indexOf('Sku Properties')]))).toBe(true);
    }
    const ea = recommendationsTable('EA', null, '2026-01', 'USD');
    for (const r of ea.rows()) expect(r.cells[ea.header.indexOf('NetSavings')]).toMatch(/^\d+(\.\d+)?$/);
  });
});
