import {FIELD_NAMES} from '../normalize/fields';
import {UsageRecord, UsageRecordField} from '../normalize/usage-record';

/** Every UsageRecord field, at run time, in record order (the field table, normalize/fields.ts). */
export const USAGE_RECORD_FIELDS = FIELD_NAMES as readonly UsageRecordField[];

/**
 * Fields whose value is an object or array. Rules cannot match or reference them whole:
 * tags are reached with `tags.<key>`, and the others are either free-form (additional_info) or
 * outputs of tracking itself (tracking, tracking_rules).
 */
const STRUCTURED_FIELDS = new Set<string>([
  'tags', 'additional_info', 'tracking', 'tracking_rules', 'parse_errors',
]);

/** Fields a rule may match on or reference: every scalar (string, number, boolean) field. */
export const SCALAR_FIELDS: ReadonlySet<string> = new Set(
  USAGE_RECORD_FIELDS.filter((f) => !STRUCTURED_FIELDS.has(f)),
);

export function isStructuredField(name: string): boolean {
  return STRUCTURED_FIELDS.has(name);
}

export type ScalarField = Exclude<
  UsageRecordField,
  'tags' | 'additional_info' | 'tracking' | 'tracking_rules' | 'parse_errors'
>;

/** Case-insensitive equality of `key` with the already lower-cased `lower`, without allocating. */
export function equalsLower(key: string, lower: string): boolean {
  if (key.length !== lower.length) return false;
  for (let i = 0; i < key.length; i++) {
    let c = key.charCodeAt(i);
    if (c >= 65 && c <= 90) c |= 32;
    else if (c > 127) return key.toLowerCase() === lower; // non-ASCII: full case folding
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Case-insensitive tag lookup on the current record (tag keys compare case-insensitively). */
export class TagView {
  private tags: Record<string, string> | null = null;

  reset(record: UsageRecord | null): void {
    this.tags = record?.tags ?? null;
  }

  /** Value of the first tag (in key order) whose key equals `lowerKey` case-insensitively, or null. */
  get(lowerKey: string): string | null {
    const tags = this.tags;
    if (!tags) return null;
    for (const k in tags) {
      if (equalsLower(k, lowerKey)) {
        const v = tags[k];
        return typeof v === 'string' ? v : null;
      }
    }
    return null;
  }
}

/** A resolved accessor: string form of a scalar field or of a tag, or null when absent. */
export type Accessor = (record: UsageRecord, tags: TagView) => string | null;

export function scalarToString(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return null;
}

/** Builds the accessor for a match key or `${...}` reference. Caller has validated `ref`. */
export function makeAccessor(ref: string): Accessor {
  if (ref.startsWith('tags.')) {
    const key = ref.slice(5).toLowerCase();
    return (_r, tags) => tags.get(key);
  }
  const field = ref as ScalarField;
  return (r) => {
    const v = r[field];
    return typeof v === 'string' ? v : scalarToString(v);
  };
}

/** Returns an error message when `ref` is not a usable field reference, else null. */
export function checkReference(ref: string): string | null {
  if (ref.startsWith('tags.')) {
    return ref.length > 5 ? null : 'tag key missing after "tags."';
  }
  if (SCALAR_FIELDS.has(ref)) return null;
  if (ref === 'tags') return 'use tags.<key> to reach a tag';
  if (isStructuredField(ref)) return `field "${ref}" is an object or array and cannot be matched or referenced`;
  const lower = ref.toLowerCase();
  if (lower.startsWith('tags.')) return `unknown field "${ref}" (did you mean "tags.${ref.slice(5)}"?)`;
  if (SCALAR_FIELDS.has(lower)) return `unknown field "${ref}" (field names are lower case: "${lower}")`;
  return `unknown field "${ref}"`;
}
