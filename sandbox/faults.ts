/**
 * Deterministic fault injection. A decision is a hash of (seed, request key, attempt number of
 * that key), not a shared PRNG stream, so concurrent requests get the same faults in every run.
 * A key never fails more than `maxConsecutive` times in a row, so retrying clients get through.
 */
import {hash32, hashUnit} from './prng';

export type FaultEndpoint = 'token' | 'generate' | 'poll' | 'blob' | 'ea' | 'storage';

export type FaultKind = '429' | '5xx' | 'reset' | 'truncate' | 'slow';

export interface FailedReportRule {
  start: string;
  end: string;
  /** Only this metric (default both). */
  metric?: 'ActualCost' | 'AmortizedCost';
  /** Terminal status of the report (default Failed). */
  status?: 'Failed' | 'NoDataFound';
  /** Apply to the first N reports requested for an overlapping range; 0 = always (default 1). */
  times?: number;
}

export interface FaultOptions {
  seed?: number;
  rate429?: number;
  rate5xx?: number;
  rateReset?: number;
  rateTruncate?: number;
  rateSlow?: number;
  /** Delay of a slow response (default 5000 ms; pick it above the client's timeout). */
  slowMs?: number;
  /** Every N-th bearer-authorized ARM request answers 401 as if its token had expired. */
  tokenExpiryEvery?: number;
  /** Max faults in a row for one request key (default 2). */
  maxConsecutive?: number;
  /** Ignore maxConsecutive: faults keep coming at their rate. */
  alwaysFail?: boolean;
  /** Retry-After seconds sent with injected 429/503 (default 1). */
  retryAfterSeconds?: number;
  failedReports?: FailedReportRule[];
  /** Limit injected faults (429/5xx/reset/truncate/slow) to these endpoints (default all). */
  endpoints?: FaultEndpoint[];
  /** Storage account (docs/design.md §14): every SAS counts as expired from this ISO time on. */
  sasExpiresAt?: string;
  /** Storage account: every SAS counts as expired after this many SAS-authorized requests. */
  sasExpireAfterRequests?: number;
  /** Days without data (merged into the enrollment's emptyDays). */
  emptyDays?: string[];
}

export interface FaultDecision {
  kind: FaultKind;
  /** Extra deterministic entropy (which 5xx status, where to cut a body, ...). */
  variant: number;
}

const ORDER: FaultKind[] = ['429', '5xx', 'reset', 'truncate', 'slow'];

export class FaultInjector {
  private readonly state = new Map<string, {attempts: number; consecutive: number}>();
  private authorized = 0;
  private readonly failedUses = new Map<number, number>();

  constructor(readonly o: FaultOptions) {}

  private rate(k: FaultKind): number {
    switch (k) {
      case '429': return this.o.rate429 ?? 0;
      case '5xx': return this.o.rate5xx ?? 0;
      case 'reset': return this.o.rateReset ?? 0;
      case 'truncate': return this.o.rateTruncate ?? 0;
      case 'slow': return this.o.rateSlow ?? 0;
    }
  }

  /** Decide the fault (if any) for this attempt of `key`, among the kinds the endpoint allows. */
  decide(endpoint: FaultEndpoint, key: string, allowed: readonly FaultKind[]): FaultDecision | null {
    if (this.o.endpoints && !this.o.endpoints.includes(endpoint)) return null;
    let st = this.state.get(key);
    if (!st) this.state.set(key, (st = {attempts: 0, consecutive: 0}));
    const attempt = ++st.attempts;
    const max = this.o.maxConsecutive ?? 2;
    if (!this.o.alwaysFail && st.consecutive >= max) {
      st.consecutive = 0;
      return null;
    }
    const seed = this.o.seed ?? 0;
    let u = hashUnit(seed, key, attempt);
    for (const k of ORDER) {
      if (!allowed.includes(k)) continue;
      const r = this.rate(k);
      if (u < r) {
        st.consecutive++;
        return {kind: k, variant: hash32(seed, 'variant', key, attempt)};
      }
      u -= r;
    }
    st.consecutive = 0;
    return null;
  }

  /** True when this authorized request should be treated as carrying an expired token. */
  tokenExpired(): boolean {
    const n = this.o.tokenExpiryEvery ?? 0;
    if (n <= 0) return false;
    return ++this.authorized % n === 0;
  }

  /** Terminal status forced on a report for this range, if a rule applies (counts its uses). */
  reportStatus(metric: string, start: string, end: string): 'Failed' | 'NoDataFound' | null {
    const rules = this.o.failedReports ?? [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i];
      if (r.metric && r.metric !== metric) continue;
      if (r.end < start || r.start > end) continue;
      const used = this.failedUses.get(i) ?? 0;
      const times = r.times ?? 1;
      if (times > 0 && used >= times) continue;
      this.failedUses.set(i, used + 1);
      return r.status ?? 'Failed';
    }
    return null;
  }
}
