/**
 * A reservation's unused hours as the sandbox generated them (its own AmortizedCost rows, never the
 * connector's output), and the check of the FOCUS records that carry them: ChargeCategory Usage,
 * CommitmentDiscountStatus Unused, BilledCost 0, EffectiveCost the row's cost.
 */
import {Sandbox} from '../../sandbox';
import {listDays} from '../../sandbox/dates';
import {parseDec} from '../../sandbox/decimal';
import {Scope} from '../../sandbox/scopes';

/** `day|benefit id` (lower case) -> the unused row's cost in the billing currency, over [start, end] at a scope (default: the EA enrollment). */
export function sandboxUnusedRows(sb: Sandbox, start: string, end: string, scope?: Scope): Map<string, string> {
  const out = new Map<string, string>();
  const add = (day: string, benefit: string, cost: string) => {
    const key = `${day}|${benefit.toLowerCase()}`;
    if (out.has(key)) throw new Error(`two unused rows of ${key}`);
    out.set(key, cost);
  };
  for (const day of listDays(start, end)) {
    if (!scope || scope.agreement === 'EA') {
      for (const r of sb.enrollment.dayRows(day, 'amortized')) {
        if (r.c.ChargeType === 'UnusedReservation' && (!scope?.subs || scope.subs.has(r.c.SubscriptionId.toLowerCase()))) add(day, r.c.benefitId, r.c.CostInBillingCurrency);
      }
      continue;
    }
    const m = sb.mca!;
    for (let slot = 0; slot < m.slotCount(day, 'amortized'); slot++) {
      const r = m.row(day, slot, 'amortized');
      if (r && r.c.chargeType === 'UnusedReservation' && (!scope.subs || scope.subs.has(r.c.SubscriptionId.toLowerCase()))) add(day, r.c.benefitId, r.c.costInBillingCurrency);
    }
  }
  return out;
}

type FocusRec = Record<string, unknown>;

/** Problems of the records with status Unused against the sandbox's unused rows (empty: they are exactly those rows). */
export function unusedMismatches(recs: FocusRec[], truth: Map<string, string>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of recs.filter((x) => x.CommitmentDiscountStatus === 'Unused')) {
    const key = `${String(r.ChargePeriodStart).slice(0, 10)}|${String(r.CommitmentDiscountId).toLowerCase()}`;
    const cost = truth.get(key);
    if (cost === undefined) {
      problems.push(`${key}: not an unused row of the sandbox`);
      continue;
    }
    if (seen.has(key)) problems.push(`${key}: twice`);
    seen.add(key);
    if (r.ChargeCategory !== 'Usage') problems.push(`${key}: ChargeCategory ${String(r.ChargeCategory)}`);
    if (r.BilledCost !== 0) problems.push(`${key}: BilledCost ${String(r.BilledCost)}`);
    // the record's number is the row's cost to the 15 significant digits a JSON number keeps
    if (typeof r.EffectiveCost !== 'number' || Math.abs(r.EffectiveCost - Number(cost)) > 1e-9 * Math.max(1, Number(cost))) problems.push(`${key}: EffectiveCost ${String(r.EffectiveCost)}, the row's cost ${cost}`);
    if (parseDec(cost) <= 0n) problems.push(`${key}: the sandbox's cost ${cost} is not positive`);
  }
  for (const key of truth.keys()) if (!seen.has(key)) problems.push(`${key}: missing`);
  return problems;
}
