import {UsageRecord} from '../normalize/usage-record';
import {CompiledRule, CompiledRules, CompiledTemplate} from './compile';
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

/** Per-CompiledRules scratch space, reused across records (applyTracking is synchronous). */
interface Scratch {
  value: Array<string | null>;
  rule: Array<CompiledRule | null>;
  priority: number[];
  rejectedRules: Array<string[] | null>;
  rejectedValues: Array<string[] | null>;
  tags: TagView;
}

const scratchByRules = new WeakMap<CompiledRules, Scratch>();

function scratchFor(rules: CompiledRules): Scratch {
  let s = scratchByRules.get(rules);
  if (!s) {
    const n = rules.keys.length;
    s = {
      value: new Array<string | null>(n).fill(null),
      rule: new Array<CompiledRule | null>(n).fill(null),
      priority: new Array<number>(n).fill(0),
      rejectedRules: new Array<string[] | null>(n).fill(null),
      rejectedValues: new Array<string[] | null>(n).fill(null),
      tags: new TagView(),
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

function matches(rule: CompiledRule, record: UsageRecord, tags: TagView): boolean {
  for (const c of rule.conditions) {
    const v = c.get(record, tags);
    // Null or missing never matches, not even '*'.
    if (v === null || !c.test(v)) return false;
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
  const n = rules.keys.length;
  const tracking: Record<string, string> = {};
  if (n === 0) {
    record.tracking = tracking;
    record.tracking_rules = [];
    return NO_CONFLICTS;
  }
  const s = scratchFor(rules);
  const {value, rule: winner, priority, rejectedRules, rejectedValues, tags} = s;
  for (let k = 0; k < n; k++) {
    value[k] = null;
    winner[k] = null;
    rejectedRules[k] = null;
    rejectedValues[k] = null;
  }
  tags.reset(record);

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
    if (!canContribute || !matches(rule, record, tags)) continue;
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
  let usedMask: boolean[] | null = null;
  for (let k = 0; k < n; k++) {
    const w = winner[k];
    if (w === null) continue;
    tracking[rules.keys[k]] = value[k] as string;
    if (usedMask === null) usedMask = new Array<boolean>(rules.rules.length).fill(false);
    usedMask[w.index] = true;
  }
  const names: string[] = [];
  if (usedMask !== null) {
    for (let i = 0; i < usedMask.length; i++) if (usedMask[i]) names.push(rules.rules[i].name);
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
