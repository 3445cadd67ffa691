import {Accessor, checkReference, makeAccessor} from './fields';

/** One entry of the `tracking_rules` config key, as the user wrote it (docs/tracking-rules.md). */
export interface TrackingRuleConfig {
  name: string;
  priority?: number;
  match: Record<string, string>;
  set: Record<string, string>;
}

/**
 * A rule that cannot be compiled. The message names the rule by index and name and says what is
 * wrong, e.g. `tracking_rules[2] ("payments"): match["tags.env"]: invalid regular expression /[/: ...`.
 */
export class TrackingRuleError extends Error {
  constructor(
    message: string,
    /** Index of the offending rule in `tracking_rules`, or null when the list itself is wrong. */
    readonly ruleIndex: number | null = null,
    readonly ruleName: string | null = null,
  ) {
    super(message);
    this.name = 'TrackingRuleError';
  }
}

/** Tests a non-null string value. */
export type ValueTest = (value: string) => boolean;

export interface CompiledCondition {
  readonly key: string;
  readonly pattern: string;
  readonly get: Accessor;
  readonly test: ValueTest;
  /** Index of the condition's reference in CompiledRules.refs. */
  readonly ref: number;
  /** Index of this condition among the conditions on the same reference. */
  readonly local: number;
}

/** A distinct match reference (record field or tag) and every condition tested on it. */
export interface CompiledRef {
  readonly key: string;
  readonly get: Accessor;
  readonly tests: ValueTest[];
}

/** A template: literal text and references, concatenated. */
export interface CompiledTemplate {
  readonly source: string;
  /** The references, normalised (`tags.<lower-case key>`). */
  readonly refs: readonly string[];
  /** Literal strings and accessors, in order. */
  readonly parts: ReadonlyArray<string | Accessor>;
  /** The whole value when the template has no reference. */
  readonly constant: string | null;
}

export interface CompiledSet {
  readonly key: string;
  /** Index of `key` in CompiledRules.keys. */
  readonly slot: number;
  readonly template: CompiledTemplate;
}

export interface CompiledRule {
  readonly name: string;
  /** Position in the configured list. */
  readonly index: number;
  readonly priority: number;
  readonly conditions: readonly CompiledCondition[];
  readonly set: readonly CompiledSet[];
  /** Slots this rule sets, for skipping rules that can no longer win. */
  readonly slots: readonly number[];
}

export interface CompiledRules {
  /** Rules in configured order. */
  readonly rules: readonly CompiledRule[];
  /** Rules by priority (highest first), then configured order: the order they are evaluated in. */
  readonly evaluationOrder: readonly CompiledRule[];
  /** Every tracking key, in order of first appearance in the configured rules. */
  readonly keys: readonly string[];
  /** Distinct match references; conditions on one reference are evaluated together per value. */
  readonly refs: readonly CompiledRef[];
}

const RULE_PROPERTIES = new Set(['name', 'priority', 'match', 'set', 'description']);
const REGEX_FORM = /^\/(.+)\/([A-Za-z]*)$/s;
const ALLOWED_FLAGS = /^[imsuv]*$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** A wrong value as an error shows it: a number or the like, but never what an object holds (it may be a secret). */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value !== null && typeof value === 'object' ? 'an object' : String(JSON.stringify(value));
}

/**
 * Compiles a match value: `/regex/flags`, or a case-insensitive glob where `*` is any run of
 * characters, `?` is one character, `\` escapes the next character and all else is literal.
 * Throws a plain Error with the problem; the caller adds the rule context.
 */
export function compilePattern(pattern: string): ValueTest {
  const rx = REGEX_FORM.exec(pattern);
  if (rx) {
    const [, body, flags] = rx;
    if (!ALLOWED_FLAGS.test(flags)) {
      throw new Error(
        `invalid regular expression flags "${flags}" in ${pattern} (allowed: i, m, s, u, v; ` +
          'to match a literal value starting with "/", write it as a glob starting with "\\/")',
      );
    }
    let re: RegExp;
    try {
      re = new RegExp(body, flags);
    } catch (e) {
      throw new Error(`invalid regular expression ${pattern}: ${(e as Error).message}`);
    }
    return (v) => re.test(v);
  }
  return compileGlob(pattern);
}

function compileGlob(glob: string): ValueTest {
  let source = '';
  let literal = '';
  let hasWildcard = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) {
      i++;
      literal += glob[i];
      source += escapeRegex(glob[i]);
    } else if (c === '*') {
      hasWildcard = true;
      // Collapse runs of '*' so a pattern like '***' stays linear.
      if (!source.endsWith('[\\s\\S]*')) source += '[\\s\\S]*';
    } else if (c === '?') {
      hasWildcard = true;
      source += '[\\s\\S]';
    } else {
      literal += c;
      source += escapeRegex(c);
    }
  }
  if (!hasWildcard) {
    const lower = literal.toLowerCase();
    const len = literal.length;
    // Length first: most values differ in length and need no lower-casing (no allocation).
    return (v) => v.length === len && (v === literal || v.toLowerCase() === lower);
  }
  if (source === '[\\s\\S]*') return () => true;
  // Anchor only where the glob has no leading/trailing '*': same meaning, faster regexes.
  const any = '[\\s\\S]*';
  let body = source;
  let head = '^';
  let tail = '$';
  if (body.startsWith(any)) {
    body = body.slice(any.length);
    head = '';
  }
  if (body.endsWith(any) && !body.endsWith('\\' + any)) {
    body = body.slice(0, -any.length);
    tail = '';
  }
  const re = new RegExp(`${head}${body}${tail}`, 'i');
  return (v) => re.test(v);
}

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? `\\${c}` : c;
}

/**
 * Parses a `set` value: `${field}` and `${tags.key}` are references, `$${` is a literal `${`,
 * any other `$` is literal. Throws a plain Error with the problem.
 */
export function compileTemplate(source: string): CompiledTemplate {
  const parts: Array<string | Accessor> = [];
  const refs: string[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (source.startsWith('${', i)) {
      const end = source.indexOf('}', i + 2);
      if (end < 0) throw new Error(`unclosed "\${" at position ${i} in ${quote(source)}`);
      const ref = source.slice(i + 2, end).trim();
      if (ref === '') throw new Error(`empty reference "\${}" in ${quote(source)}`);
      const problem = checkReference(ref);
      if (problem) throw new Error(`reference \${${ref}}: ${problem}`);
      if (text) parts.push(text);
      text = '';
      parts.push(makeAccessor(ref));
      refs.push(ref.startsWith('tags.') ? `tags.${ref.slice(5).toLowerCase()}` : ref);
      i = end + 1;
      continue;
    }
    text += source[i];
    i++;
  }
  if (text) parts.push(text);
  const constant = parts.every((p) => typeof p === 'string') ? parts.join('') : null;
  return {source, refs, parts, constant};
}

/**
 * Validates and compiles tracking rules once, at config time (`check` calls this too).
 * Regular expressions are built and field accessors resolved here, never per record.
 * Throws TrackingRuleError naming the rule (index and name) and the problem.
 */
export function compileTrackingRules(rules: TrackingRuleConfig[]): CompiledRules {
  const raw: unknown = rules;
  if (raw === undefined || raw === null) return {rules: [], evaluationOrder: [], keys: [], refs: []};
  if (!Array.isArray(raw)) throw new TrackingRuleError('tracking_rules: must be an array of rule objects');

  const keys: string[] = [];
  const slotOf = new Map<string, number>();
  const seenNames = new Map<string, {index: number; name: string}>();
  const compiled: CompiledRule[] = [];
  const refs: CompiledRef[] = [];
  const refOf = new Map<string, number>();

  raw.forEach((entry: unknown, index: number) => {
    const at = `tracking_rules[${index}]`;
    if (!isPlainObject(entry)) throw new TrackingRuleError(`${at}: must be an object`, index);

    const name = entry.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new TrackingRuleError(`${at}: name: missing or empty (every rule needs a unique name)`, index);
    }
    const where = `${at} (${quote(name)})`;
    const fail = (msg: string): never => {
      throw new TrackingRuleError(`${where}: ${msg}`, index, name);
    };

    const folded = name.trim().toLowerCase();
    const previous = seenNames.get(folded);
    if (previous) {
      fail(`name: duplicates tracking_rules[${previous.index}] (${quote(previous.name)}); names are compared case-insensitively`);
    }
    seenNames.set(folded, {index, name});

    for (const prop of Object.keys(entry)) {
      if (!RULE_PROPERTIES.has(prop)) fail(`unknown property ${quote(prop)} (expected name, priority, match, set)`);
    }

    let priority = 0;
    if (entry.priority !== undefined && entry.priority !== null) {
      if (typeof entry.priority !== 'number' || !Number.isSafeInteger(entry.priority)) {
        fail(`priority: must be an integer, got ${JSON.stringify(entry.priority)}`);
      }
      priority = entry.priority as number;
    }

    const match = entry.match;
    if (!isPlainObject(match)) fail('match: must be an object of field → pattern');
    const matchKeys = Object.keys(match as Record<string, unknown>);
    if (matchKeys.length === 0) fail('match: is empty (a rule must have at least one condition; use {"id": "*"} to match every record)');
    const conditions: CompiledCondition[] = [];
    for (const key of matchKeys) {
      const pattern = (match as Record<string, unknown>)[key];
      const ctx = `match[${quote(key)}]`;
      const problem = checkReference(key);
      if (problem) fail(`${ctx}: ${problem}`);
      if (typeof pattern !== 'string') fail(`${ctx}: value must be a string, got ${shown(pattern)}`);
      let test: ValueTest;
      try {
        test = compilePattern(pattern as string);
      } catch (e) {
        return fail(`${ctx}: ${(e as Error).message}`);
      }
      // Tag keys are case-insensitive, so `tags.Env` and `tags.env` are one reference.
      const refKey = key.startsWith('tags.') ? `tags.${key.slice(5).toLowerCase()}` : key;
      let ref = refOf.get(refKey);
      if (ref === undefined) {
        ref = refs.length;
        refs.push({key: refKey, get: makeAccessor(refKey), tests: []});
        refOf.set(refKey, ref);
      }
      const local = refs[ref].tests.length;
      refs[ref].tests.push(test);
      conditions.push({key, pattern: pattern as string, get: refs[ref].get, test, ref, local});
    }

    const set = entry.set;
    if (!isPlainObject(set)) fail('set: must be an object of tracking key → value');
    const setKeys = Object.keys(set as Record<string, unknown>);
    if (setKeys.length === 0) fail('set: has no keys (a rule must set at least one tracking key)');
    const sets: CompiledSet[] = [];
    for (const key of setKeys) {
      const value = (set as Record<string, unknown>)[key];
      const ctx = `set[${quote(key)}]`;
      if (key.trim() === '') fail(`${ctx}: tracking key must not be empty`);
      if (typeof value !== 'string') fail(`${ctx}: value must be a string, got ${shown(value)}`);
      let template: CompiledTemplate;
      try {
        template = compileTemplate(value as string);
      } catch (e) {
        return fail(`${ctx}: ${(e as Error).message}`);
      }
      let slot = slotOf.get(key);
      if (slot === undefined) {
        slot = keys.length;
        keys.push(key);
        slotOf.set(key, slot);
      }
      sets.push({key, slot, template});
    }

    compiled.push({name, index, priority, conditions, set: sets, slots: sets.map((s) => s.slot)});
  });

  const evaluationOrder = [...compiled].sort((a, b) => b.priority - a.priority || a.index - b.index);
  return {rules: compiled, evaluationOrder, keys, refs};
}
