import {UsageRecord} from '../normalize/usage-record';
import {CompiledRef, CompiledRule, CompiledRules, CompiledTemplate} from './compile';
import {BoundedMemo} from '../decode/bounded-memo';
import {TagView} from './fields';

/** One tracking key on one record where rules of the winning priority disagreed. */
export interface TrackingConflict {
  tracking_key: string;
  chosen_rule: string;
  chosen_value: string;
  rejected_rules: string[];
  rejected_values: string[];
  priority: number;
}

/** Returned when a record has no conflict (the usual case): shared and frozen, never mutate it. */
const NO_CONFLICTS: TrackingConflict[] = Object.freeze([]) as unknown as TrackingConflict[];

/** Values remembered per reference (RefCache). */
const REF_CACHE_MAX = 4096;

/**
 * Results of every condition on one reference, memoised by the reference's value: billing data
 * repeats a few hundred resource groups, subscriptions and tag values millions of times, so most
 * records cost one map lookup per reference instead of one pattern test per condition.
 * Bounded; a reference whose values rarely repeat (resource ids) stops being cached.
 */
class RefCache {
  private readonly map = new BoundedMemo<Uint8Array>(REF_CACHE_MAX);
  private lookups = 0;
  private hits = 0;
  private enabled = true;

  constructor(private readonly ref: CompiledRef) {}

  results(value: string): Uint8Array {
    if (this.enabled) {
      const cached = this.map.get(value);
      this.lookups++;
      if (cached !== undefined) {
        this.hits++;
        return cached;
      }
      const r = this.evaluate(value);
      if (this.map.full) {
        // the memo forgets everything on the next set: first judge how well it did
        if (this.lookups >= REF_CACHE_MAX && this.hits * 2 < this.lookups) this.enabled = false;
        this.lookups = 0;
        this.hits = 0;
      }
      if (this.enabled) this.map.set(value, r);
      else this.map.clear(); // off for good: let the values go
      return r;
    }
    return this.evaluate(value);
  }

  private evaluate(value: string): Uint8Array {
    const tests = this.ref.tests;
    const r = new Uint8Array(tests.length);
    for (let i = 0; i < tests.length; i++) r[i] = tests[i](value) ? 1 : 0;
    return r;
  }

}

/** Per-CompiledRules scratch space, reused across records (applyTracking is synchronous). */
interface Scratch {
  caches: RefCache[];
  /** Per reference for the current record: undefined = not fetched yet, null = no value. */
  refResults: Array<Uint8Array | null | undefined>;
  value: Array<string | null>;
  rule: Array<CompiledRule | null>;
  priority: number[];
  rejectedRules: Array<string[] | null>;
  rejectedValues: Array<string[] | null>;
  tags: TagView;
  /** Per rule (configured index): whether the current record carries one of its values. */
  used: Uint8Array;
}

const scratchByRules = new WeakMap<CompiledRules, Scratch>();

function scratchFor(rules: CompiledRules): Scratch {
  let s = scratchByRules.get(rules);
  if (!s) {
    const n = rules.keys.length;
    s = {
      caches: rules.refs.map((r) => new RefCache(r)),
      refResults: new Array<Uint8Array | null | undefined>(rules.refs.length).fill(undefined),
      value: new Array<string | null>(n).fill(null),
      rule: new Array<CompiledRule | null>(n).fill(null),
      priority: new Array<number>(n).fill(0),
      rejectedRules: new Array<string[] | null>(n).fill(null),
      rejectedValues: new Array<string[] | null>(n).fill(null),
      tags: new TagView(),
      used: new Uint8Array(rules.rules.length),
    };
    scratchByRules.set(rules, s);
  }
  return s;
}

function render(t: CompiledTemplate, record: UsageRecord, tags: TagView): string | null {
  if (t.constant !== null) return t.constant;
  let out = '';
  for (const p of t.parts) {
    if (typeof p === 'string') {
      out += p;
    } else {
      const v = p(record, tags);
      // A missing or empty reference: this rule does not set the key for this record.
      if (v === null || v === '') return null;
      out += v;
    }
  }
  return out;
}

function matches(rule: CompiledRule, record: UsageRecord, s: Scratch): boolean {
  const results = s.refResults;
  for (const c of rule.conditions) {
    let r = results[c.ref];
    if (r === undefined) {
      const v = c.get(record, s.tags);
      // Null or missing never matches, not even '*'.
      r = results[c.ref] = v === null ? null : s.caches[c.ref].results(v);
    }
    if (r === null || r[c.local] === 0) return false;
  }
  return true;
}

/**
 * Sets record.tracking and record.tracking_rules from the compiled rules, and returns the
 * conflicts found. Per tracking key the matching rule with the highest priority wins; among
 * rules of that priority the one listed first wins, and any that set a different value are
 * reported as one conflict for that key. Deterministic: same rules and record, same result.
 * The returned array is a shared frozen empty array when there is no conflict.
 */
export function applyTracking(rules: CompiledRules, record: UsageRecord): TrackingConflict[] {
  if (rules.keys.length === 0) {
    record.tracking = {};
    record.tracking_rules = [];
    return NO_CONFLICTS;
  }
  return evaluate(rules, record, scratchFor(rules));
}

function evaluate(rules: CompiledRules, record: UsageRecord, s: Scratch): TrackingConflict[] {
  const n = rules.keys.length;
  const tracking: Record<string, string> = {};
  const {value, rule: winner, priority, rejectedRules, rejectedValues, tags} = s;
  for (let k = 0; k < n; k++) {
    value[k] = null;
    winner[k] = null;
    rejectedRules[k] = null;
    rejectedValues[k] = null;
  }
  tags.reset(record);
  const refResults = s.refResults;
  for (let i = 0; i < refResults.length; i++) refResults[i] = undefined;

  let conflicts = 0;
  // Rules run highest priority first, then in listed order; so the first value a key receives
  // is the winner, and later values can only tie (same priority) or lose.
  for (const rule of rules.evaluationOrder) {
    let canContribute = false;
    for (const slot of rule.slots) {
      if (winner[slot] === null || priority[slot] === rule.priority) {
        canContribute = true;
        break;
      }
    }
    if (!canContribute || !matches(rule, record, s)) continue;
    for (const entry of rule.set) {
      const slot = entry.slot;
      const w = winner[slot];
      if (w !== null && priority[slot] !== rule.priority) continue;
      const v = render(entry.template, record, tags);
      if (v === null) continue;
      if (w === null) {
        winner[slot] = rule;
        value[slot] = v;
        priority[slot] = rule.priority;
      } else if (v !== value[slot]) {
        let rr = rejectedRules[slot];
        if (rr === null) {
          rr = rejectedRules[slot] = [];
          rejectedValues[slot] = [];
          conflicts++;
        }
        rr.push(rule.name);
        (rejectedValues[slot] as string[]).push(v);
      }
    }
  }

  // Output in deterministic orders: keys by first appearance in the rules, rule names in
  // listed order.
  const used = s.used;
  let anyUsed = false;
  for (let k = 0; k < n; k++) {
    const w = winner[k];
    if (w === null) continue;
    tracking[rules.keys[k]] = value[k] as string;
    used[w.index] = 1;
    anyUsed = true;
  }
  const names: string[] = [];
  if (anyUsed) {
    for (let i = 0; i < used.length; i++) {
      if (used[i] === 1) {
        names.push(rules.rules[i].name);
        used[i] = 0;
      }
    }
  }
  record.tracking = tracking;
  record.tracking_rules = names;
  tags.reset(null);

  if (conflicts === 0) return NO_CONFLICTS;
  const out: TrackingConflict[] = [];
  for (let k = 0; k < n; k++) {
    const rr = rejectedRules[k];
    if (rr === null) continue;
    out.push({
      tracking_key: rules.keys[k],
      chosen_rule: (winner[k] as CompiledRule).name,
      chosen_value: value[k] as string,
      rejected_rules: rr,
      rejected_values: rejectedValues[k] as string[],
      priority: priority[k],
    });
    rejectedRules[k] = null;
    rejectedValues[k] = null;
  }
  return out;
}
