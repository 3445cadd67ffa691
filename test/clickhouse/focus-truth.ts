/**
 * The sandbox's own truth for the FOCUS example queries (examples/clickhouse/focus_*.sql), taken
 * from the rows the sandbox generates, never from the connector: per day, subscription,
 * commitment, pricing model and month, exact decimal sums (bigint at the sandbox's 1e-28 scale).
 *
 * FOCUS's EffectiveCost is the amortized cost (docs/design.md §15), so every figure here sums the
 * AmortizedCost rows of a usable day; rows whose Date text is unusable belong to no day and are
 * left out, as the connector leaves them out. List cost is pay-as-you-go price × quantity: MCA
 * writes it (paygCostInBillingCurrency), the sandbox's EA rows carry PayGPrice and Quantity.
 */
import {parseDec, Sandbox, Scope} from '../../sandbox';

/** 1 at the sandbox's decimal scale (1e-28). */
const SCALE_UNITS = 10n ** 28n;

export interface Sum {
  cost: bigint;
  rows: number;
}

export interface FocusTruth {
  /** Day -> amortized cost. */
  days: Map<string, Sum>;
  /** Lower-case subscription id -> amortized cost. */
  subscriptions: Map<string, Sum>;
  /** Lower-case benefit id -> amortized cost of the usage it covers (status Used) and of its unused part. */
  commitments: Map<string, {used: bigint; unused: bigint; rows: number}>;
  /** Pricing model ('OnDemand', 'Reservation', ...) -> list cost and amortized cost of rows with a non-zero list cost. */
  list: Map<string, {list: bigint; cost: bigint; rows: number}>;
  /** Month (YYYY-MM) -> amortized cost of untagged rows (no tags, or a Tags text that cannot be read) and of all rows. */
  untagged: Map<string, {untagged: bigint; total: bigint; untaggedRows: number; rows: number}>;
}

/** The neutral facts of one sandbox row that the truth needs. */
interface Fact {
  day: string;
  subscription: string;
  benefitId: string;
  chargeType: string;
  pricingModel: string;
  cost: bigint;
  list: bigint;
  tagged: boolean;
}

function* facts(sb: Sandbox, scope: Scope | null, start: string, end: string): Generator<Fact> {
  for (let day = start; day <= end; day = nextDay(day)) {
    if (scope === null || scope.agreement === 'EA') {
      for (const r of sb.enrollment.dayRows(day, 'amortized')) {
        const sub = r.c.SubscriptionId.toLowerCase();
        if (r.badDate !== undefined || (scope?.subs && !scope.subs.has(sub))) continue;
        const cost = parseDec(r.c.CostInBillingCurrency);
        yield {
          day, subscription: sub, benefitId: r.c.benefitId.toLowerCase(), chargeType: r.c.ChargeType, pricingModel: r.c.PricingModel, cost,
          list: signedLike(cost, product(r.c.Quantity, r.c.PayGPrice)), tagged: r.tagsRaw === undefined && r.tags.length > 0,
        };
      }
    } else {
      const mca = sb.mca;
      if (!mca) throw new Error('the sandbox serves no MCA account');
      for (let slot = 0; slot < mca.slotCount(day, 'amortized'); slot++) {
        const r = mca.row(day, slot, 'amortized');
        if (!r) continue;
        const sub = r.c.SubscriptionId.toLowerCase();
        if (r.badDate !== undefined || (scope.subs && !scope.subs.has(sub))) continue;
        yield {
          day, subscription: sub, benefitId: r.c.benefitId.toLowerCase(), chargeType: r.c.chargeType, pricingModel: r.c.pricingModel,
          cost: parseDec(r.c.costInBillingCurrency), list: parseDec(r.c.paygCostInBillingCurrency), tagged: r.tagsRaw === undefined && r.tags.length > 0,
        };
      }
    }
  }
}

/** The truth of a scope (null: the EA enrollment) over [start, end], inclusive. */
export function focusTruth(sb: Sandbox, scope: Scope | null, start: string, end: string): FocusTruth {
  const t: FocusTruth = {days: new Map(), subscriptions: new Map(), commitments: new Map(), list: new Map(), untagged: new Map()};
  const add = (m: Map<string, Sum>, k: string, v: bigint) => {
    const s = m.get(k) ?? {cost: 0n, rows: 0};
    m.set(k, {cost: s.cost + v, rows: s.rows + 1});
  };
  for (const f of facts(sb, scope, start, end)) {
    add(t.days, f.day, f.cost);
    add(t.subscriptions, f.subscription, f.cost);
    const unused = /^Unused(Reservation|SavingsPlan)$/.test(f.chargeType);
    if (f.benefitId && (unused || /^(Reservation|SavingsPlan)$/.test(f.pricingModel))) {
      const c = t.commitments.get(f.benefitId) ?? {used: 0n, unused: 0n, rows: 0};
      if (unused) c.unused += f.cost;
      else c.used += f.cost;
      c.rows++;
      t.commitments.set(f.benefitId, c);
    }
    if (f.list !== 0n) {
      const l = t.list.get(f.pricingModel) ?? {list: 0n, cost: 0n, rows: 0};
      t.list.set(f.pricingModel, {list: l.list + f.list, cost: l.cost + f.cost, rows: l.rows + 1});
    }
    const month = f.day.slice(0, 7);
    const u = t.untagged.get(month) ?? {untagged: 0n, total: 0n, untaggedRows: 0, rows: 0};
    t.untagged.set(month, {
      untagged: u.untagged + (f.tagged ? 0n : f.cost), total: u.total + f.cost, untaggedRows: u.untaggedRows + (f.tagged ? 0 : 1), rows: u.rows + 1,
    });
  }
  return t;
}

/** Exact a × b of two decimal texts, at the sandbox's scale (truncated toward zero past 1e-28). */
function product(a: string, b: string): bigint {
  if (a === '' || b === '') return 0n;
  return (parseDec(a) * parseDec(b)) / SCALE_UNITS;
}

/** A list cost carries the sign of the charge's cost (a refund's quantity is positive, its cost negative). */
function signedLike(cost: bigint, v: bigint): bigint {
  const abs = v < 0n ? -v : v;
  return cost < 0n ? -abs : abs;
}

function nextDay(d: string): string {
  return new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
