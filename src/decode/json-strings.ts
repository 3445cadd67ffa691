/**
 * Decoders for the JSON-in-a-string columns (`Tags`, `AdditionalInfo`).
 *
 * Encodings seen in the wild (docs/design.md §1):
 *   - empty / absent                      → null, no error
 *   - a full JSON object  `{"a":"b"}`
 *   - the inside of an object, no braces  `"env": "prod","team": "pay"` → braces are added
 *   - a JSON string holding one of the above (double-encoded)
 *   - already an object (JSON APIs)
 * They are always parsed with JSON.parse, never by splitting on `:` or `,`, so keys with
 * `.`, `/`, `:` and empty values survive. Anything else is an error: value null, error true.
 */

import {BoundedMemo} from './bounded-memo';

export interface Decoded<T> {
  value: T | null;
  error: boolean;
}

const EMPTY_OK: Decoded<never> = Object.freeze({value: null, error: false}) as Decoded<never>;
const FAILED: Decoded<never> = Object.freeze({value: null, error: true}) as Decoded<never>;

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return i;
  }
  return -1;
}

/** Parses a JSON-object-ish string; returns the object, null for empty, undefined on failure. */
function parseObjectText(s: string, depth: number): Record<string, unknown> | null | undefined {
  const i = firstNonSpace(s);
  if (i < 0) return null;
  const c = s.charCodeAt(i);
  let text: string;
  if (c === 123 /* { */) text = s;
  else if (c === 34 /* " */) text = '{' + s + '}';
  else return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (c !== 34) return undefined;
    // Maybe a double-encoded JSON string: "\"{\\\"a\\\":1}\""
    try {
      parsed = JSON.parse(s);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed === 'string') {
    return depth > 0 ? undefined : parseObjectText(parsed, depth + 1);
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  return undefined;
}

function toObject(raw: unknown): Record<string, unknown> | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') {
    if (raw.length === 0) return null;
    return parseObjectText(raw, 0);
  }
  if (typeof raw === 'object' && !Array.isArray(raw)) return raw as Record<string, unknown>;
  return undefined;
}

/** Stringifies a non-string tag value: null → '', objects → JSON, others → String(). */
function tagValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
}

/**
 * Tags → object of string → string. Non-string values are stringified in place (the
 * object comes from JSON.parse, so this is safe even for a `__proto__` key, which
 * JSON.parse creates as an own property). An empty object `{}` is kept as `{}`.
 */
function parseTagsUncached(raw: unknown): Decoded<Record<string, string>> {
  const obj = toObject(raw);
  if (obj === null) return EMPTY_OK;
  if (obj === undefined) return FAILED;
  if (typeof raw === 'object') {
    // the caller's object: never mutate it; copy with defineProperty (a `__proto__` key stays data)
    const copy: Record<string, string> = {};
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      Object.defineProperty(copy, k, {
        value: typeof v === 'string' ? v : tagValue(v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return {value: copy, error: false};
  }
  for (const k in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, k)) continue;
    const v = obj[k];
    if (typeof v !== 'string') obj[k] = tagValue(v);
  }
  return {value: obj as Record<string, string>, error: false};
}

/** AdditionalInfo → object (keys keep their case, values keep their JSON types). */
function parseAdditionalInfoUncached(raw: unknown): Decoded<Record<string, unknown>> {
  const obj = toObject(raw);
  if (obj === null) return EMPTY_OK;
  if (obj === undefined) return FAILED;
  return {value: obj, error: false};
}

/**
 * Decoded texts are memoised: a resource carries the same tags and additional info on every
 * row of every day and meter (a 1000-row page of the bench enrollment holds ~100 distinct tag
 * texts and ~180 additional-info texts), so most rows skip the JSON.parse. The objects are
 * shared between the records of those rows, hence frozen (deeply): nothing downstream may
 * change them, and `normalize/id.ts` can memoise their JSON text. Bounded; cleared when full.
 */
const MEMO_LIMIT = 2048;
/**
 * A miss costs about 1.5 µs more than a plain decode (freeze, detached key, insert). When texts
 * hardly repeat (an additional info that carries a per-row quantity, say), the memo steps aside:
 * after a sample of lookups with fewer than a quarter hits, the next BYPASS_LOOKUPS texts are
 * decoded plainly (unshared, not frozen), then the memo is tried again.
 */
const SAMPLE_LOOKUPS = 1024;
const MIN_SAMPLE_HITS = SAMPLE_LOOKUPS / 4;
export const BYPASS_LOOKUPS = 8 * SAMPLE_LOOKUPS;

class DecodedMemo<T extends object> {
  private readonly entries = new BoundedMemo<Decoded<T>>(MEMO_LIMIT);
  private lookups = 0;
  private hits = 0;
  private bypass = 0;

  constructor(private readonly decode: (raw: string) => Decoded<T>) {}

  get(raw: string): Decoded<T> {
    if (this.bypass > 0) {
      this.bypass--;
      return this.decode(raw);
    }
    if (++this.lookups === SAMPLE_LOOKUPS) {
      if (this.hits < MIN_SAMPLE_HITS) this.bypass = BYPASS_LOOKUPS;
      this.lookups = 0;
      this.hits = 0;
    }
    const hit = this.entries.get(raw);
    if (hit !== undefined) {
      this.hits++;
      return hit;
    }
    const decoded = this.decode(raw);
    if (decoded.value !== null) deepFreeze(decoded.value);
    this.entries.set(raw, Object.freeze(decoded));
    return decoded;
  }
}

function deepFreeze(o: object): void {
  Object.freeze(o);
  for (const v of Object.values(o)) {
    if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
  }
}

const tagsMemo = new DecodedMemo(parseTagsUncached);
const infoMemo = new DecodedMemo(parseAdditionalInfoUncached);

/**
 * Tags → object of string → string (see parseTagsUncached). A text's result is frozen and
 * shared by every row with that text; an object given by a JSON API is copied, not frozen.
 */
export function parseTags(raw: unknown): Decoded<Record<string, string>> {
  return typeof raw === 'string' && raw.length > 0 ? tagsMemo.get(raw) : parseTagsUncached(raw);
}

/** AdditionalInfo → object (see parseAdditionalInfoUncached); a text's result is frozen and shared. */
export function parseAdditionalInfo(raw: unknown): Decoded<Record<string, unknown>> {
  return typeof raw === 'string' && raw.length > 0 ? infoMemo.get(raw) : parseAdditionalInfoUncached(raw);
}
