/**
 * A FOCUS conformance check of this project's own (docs/design.md §15), driven by the FOCUS 1.2
 * column table (columns.ts): Mandatory columns present, non-nullable ones never null, column
 * types, the allowed values of the enumerated columns, date-time formats. Tests run it on every
 * record they produce; it is not a full FOCUS validator (cross-column rules are a few only).
 */
import {FOCUS_COLUMNS, FocusColumn} from './columns';

export const ALLOWED_VALUES: Readonly<Record<string, readonly string[]>> = {
  ChargeCategory: ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
  ChargeClass: ['Correction'],
  ChargeFrequency: ['One-Time', 'Recurring', 'Usage-Based'],
  PricingCategory: ['Standard', 'Dynamic', 'Committed', 'Other'],
  CommitmentDiscountStatus: ['Used', 'Unused'],
  CommitmentDiscountCategory: ['Spend', 'Usage'],
  CapacityReservationStatus: ['Used', 'Unused'],
  ServiceCategory: [
    'AI and Machine Learning', 'Analytics', 'Business Applications', 'Compute', 'Databases', 'Developer Tools',
    'Multicloud', 'Identity', 'Integration', 'Internet of Things', 'Management and Governance', 'Media',
    'Migration', 'Mobile', 'Networking', 'Security', 'Storage', 'Web', 'Other',
  ],
};

/** What records we write carry: ISO 8601 in UTC with seconds (fractions allowed) and `Z`. */
const OUTPUT_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
/** On input also FOCUS 1.0's form without seconds (`2024-01-01T00:00Z`), as FocusCost 1.0 exports write it. */
const INPUT_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?Z$/;

export interface ConformanceOptions {
  /** `output` (default): our records; `input`: a FOCUS file's rows (also the 1.0 date-time form). */
  mode?: 'output' | 'input';
  /** Check only the columns present (example rows that show a few columns). */
  partial?: boolean;
}

function validDateTime(v: string, pattern: RegExp): boolean {
  if (!pattern.test(v)) return false;
  const withSeconds = v.length >= 19 && v[16] === ':' ? v : v.replace('Z', ':00Z');
  return !Number.isNaN(Date.parse(withSeconds));
}

function checkType(c: FocusColumn, v: unknown, datePattern: RegExp): string | null {
  switch (c.type) {
    case 'Decimal':
      return typeof v === 'number' && Number.isFinite(v) ? null : `${c.name}: not a decimal number (${JSON.stringify(v)})`;
    case 'DateTime':
      return typeof v === 'string' && validDateTime(v, datePattern) ? null : `${c.name}: not an ISO date-time in UTC with Z (${JSON.stringify(v)})`;
    case 'JSON':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? null : `${c.name}: not a JSON object`;
    default:
      return typeof v === 'string' ? null : `${c.name}: not a string (${JSON.stringify(v)})`;
  }
}

/** The problems of one record; empty when it conforms. */
export function focusProblems(record: Record<string, unknown>, options: ConformanceOptions = {}): string[] {
  const problems: string[] = [];
  const datePattern = options.mode === 'input' ? INPUT_DATE_TIME : OUTPUT_DATE_TIME;
  for (const c of FOCUS_COLUMNS) {
    if (!(c.name in record)) {
      if (c.level === 'Mandatory' && !options.partial) problems.push(`${c.name}: Mandatory column missing`);
      continue;
    }
    const v = record[c.name];
    if (v === null || v === undefined) {
      if (!c.nullable) problems.push(`${c.name}: null, which FOCUS does not allow`);
      continue;
    }
    const typeProblem = checkType(c, v, datePattern);
    if (typeProblem) {
      problems.push(typeProblem);
      continue;
    }
    const allowed = ALLOWED_VALUES[c.name];
    if (allowed && !allowed.includes(v as string)) problems.push(`${c.name}: "${String(v)}" is not one of ${allowed.join(', ')}`);
  }
  // A few cross-column rules of the specification.
  for (const [start, end] of [['ChargePeriodStart', 'ChargePeriodEnd'], ['BillingPeriodStart', 'BillingPeriodEnd']]) {
    const s = record[start];
    const e = record[end];
    if (typeof s === 'string' && typeof e === 'string' && Date.parse(e.replace(/T(\d\d:\d\d)Z$/, 'T$1:00Z')) <= Date.parse(s.replace(/T(\d\d:\d\d)Z$/, 'T$1:00Z'))) {
      problems.push(`${end}: not after ${start}`);
    }
  }
  if (record.CommitmentDiscountStatus != null && record.CommitmentDiscountId == null && 'CommitmentDiscountId' in record) {
    problems.push('CommitmentDiscountStatus: set without a CommitmentDiscountId');
  }
  if (record.CommitmentDiscountStatus != null && record.ChargeCategory != null && record.ChargeCategory !== 'Usage') {
    problems.push('CommitmentDiscountStatus: set on a charge that is not Usage');
  }
  // FOCUS: a consumed quantity and unit only on usage, and not on a commitment's unused part.
  if (record.ChargeCategory != null && (record.ChargeCategory !== 'Usage' || record.CommitmentDiscountStatus === 'Unused')) {
    const why = record.ChargeCategory !== 'Usage' ? `a ${String(record.ChargeCategory)} charge` : 'an unused commitment';
    for (const c of ['ConsumedQuantity', 'ConsumedUnit']) if (record[c] != null) problems.push(`${c}: set on ${why}`);
  }
  return problems;
}

/** Throws with the first few problems of the first non-conforming records. */
export function assertFocusConformance(records: Iterable<Record<string, unknown>>, options: ConformanceOptions = {}): number {
  let n = 0;
  const failures: string[] = [];
  for (const r of records) {
    n++;
    const p = focusProblems(r, options);
    if (p.length && failures.length < 5) failures.push(`record ${n} (${String(r.x_RecordId ?? '')}): ${p.join('; ')}`);
  }
  if (failures.length) throw new Error(`FOCUS conformance: ${failures.join('\n')}`);
  return n;
}
