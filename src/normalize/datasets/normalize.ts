/**
 * One row normalizer for every export dataset stream, driven by the field tables (fields.ts);
 * the rules are in docs/design.md §13. Columns are matched by name (`headerKey`: case, spaces
 * and underscores ignored), a field whose columns are all absent is null, a column no field
 * reads is kept as text in `additional_columns`, an unparseable value is null with its field
 * named in `parse_errors`. A row is rejected (with a short reason, never an exception) only when
 * it cannot be a record: wrong number of cells, nothing in it, or a field it cannot do without
 * (the cursor's day, the dataset's key) missing or unparseable.
 */
import {normalizeGuid, parseDate, parseNumber} from '../../decode/values';
import {headerKey} from '../aliases';
import {identityHash} from '../id';
import {enc, encJson, ID_SEPARATOR} from '../id-encoding';
import {cell} from '../rows';
import type {DatasetField} from './fields';

export type DatasetRow = {record: Record<string, unknown>; day: string | null} | {rejected: string};

/** What the caller knows about the file a row comes from. */
export interface DatasetRowContext {
  /**
   * The billing month the export run covers (any ISO date in it), for price sheets whose rows
   * carry no billing period column. Without it the month of the row's effective start date is used.
   */
  billingPeriod?: string;
}

export interface DatasetSpec {
  /** Microsoft's dataset type: the first element of every identity string, so datasets never share ids. */
  readonly dataset: string;
  readonly fields: readonly DatasetField[];
  /** The field whose ISO day the cursor compares (`day`), or null for full-refresh-only datasets. */
  readonly cursor: string | null;
  /** Fields a record cannot do without: a row without a usable value is rejected. */
  readonly required: readonly string[];
  /** Where the currency of JSON amount cells goes when the row has no currency of its own. */
  readonly currencyField?: string;
  /** Fills fields the file may not carry (the price sheet's billing period). */
  readonly complete?: (record: Record<string, unknown>, context: DatasetRowContext) => void;
}

const REJECT_FIELD_COUNT = Object.freeze({rejected: 'wrong number of fields'});
const REJECT_EMPTY = Object.freeze({rejected: 'empty row'});

/** A decoded amount cell's currency, when the cell was a JSON object that named one. */
interface Scratch {
  currency: string | null;
}

function firstCell(row: string[], cols: readonly number[]): string | null {
  for (const i of cols) {
    const v = cell(row, i);
    if (v !== null) return v;
  }
  return null;
}

function looksLikeJson(s: string): boolean {
  const c = s.charCodeAt(0);
  return c === 123 /* { */ || c === 91 /* [ */;
}

/** The property of a JSON object whose name is `name` in any case. */
function prop(o: Record<string, unknown>, ...names: string[]): unknown {
  for (const k of Object.keys(o)) if (names.includes(k.toLowerCase())) return o[k];
  return undefined;
}

/** A cell's value by kind: a value, null (empty), or undefined (unparseable). */
function decode(field: DatasetField, text: string | null, scratch: Scratch): unknown {
  if (text === null) return null;
  switch (field.kind) {
    case 'string':
      return text;
    case 'guid':
      return normalizeGuid(text);
    case 'number':
      return parseNumber(text);
    case 'date':
      return parseDate(text);
    case 'month': {
      const d = parseDate(text);
      return typeof d === 'string' ? d.slice(0, 8) + '01' : d;
    }
    case 'amount': {
      if (!looksLikeJson(text)) return parseNumber(text);
      const o = parseJson(text);
      if (o === undefined || o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
      const obj = o as Record<string, unknown>;
      const currency = prop(obj, 'currency', 'currencycode');
      if (typeof currency === 'string' && currency.trim() !== '') scratch.currency = currency.trim();
      const v = prop(obj, 'value', 'amount');
      return v === undefined ? undefined : parseNumber(v);
    }
    case 'json': {
      if (!looksLikeJson(text)) return text; // EA may write plain text: kept as written
      return parseJson(text);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** How a field's value enters the identity string (id-encoding.ts rules: null ≠ ''). */
function encodeIdentity(field: DatasetField, v: unknown): string {
  if (v === null || v === undefined) return enc(null);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return encJson(v);
  return enc(String(v));
}

/** The record id: the project's one identity hash over the dataset and its identity fields. */
export function datasetRecordId(spec: DatasetSpec, record: Record<string, unknown>): string {
  let s = spec.dataset;
  for (const field of spec.fields) if (field.identity) s += ID_SEPARATOR + encodeIdentity(field, record[field.name]);
  return identityHash(s);
}

/** A normalizer for the rows of one file (one header). */
export function makeDatasetNormalizer(
  spec: DatasetSpec,
  header: readonly string[],
  context: DatasetRowContext = {},
): (row: string[]) => DatasetRow {
  const keys = header.map((h) => headerKey(h ?? ''));
  const used = new Set<number>();
  const columns = spec.fields.map((field) => {
    const found: number[] = [];
    for (const name of field.columns) {
      const i = keys.indexOf(headerKey(name)); // a duplicated header name: the first column wins
      if (i >= 0 && !found.includes(i)) found.push(i);
    }
    for (const i of found) used.add(i);
    return found;
  });
  const extra: Array<[number, string]> = [];
  header.forEach((h, i) => {
    const name = (h ?? '').trim();
    if (!used.has(i) && name !== '' && !extra.some(([, n]) => n === name)) extra.push([i, name]);
  });
  const rejectMissing = new Map(spec.required.map((n) => [n, Object.freeze({rejected: `missing ${n}`})]));
  const rejectUnusable = new Map(spec.required.map((n) => [n, Object.freeze({rejected: `unusable ${n}`})]));

  return (row: string[]): DatasetRow => {
    if (row.length !== header.length) return REJECT_FIELD_COUNT;
    const record: Record<string, unknown> = {id: ''};
    const errors: string[] = [];
    const scratch: Scratch = {currency: null};
    let any = false;
    for (let k = 0; k < spec.fields.length; k++) {
      const field = spec.fields[k];
      const text = firstCell(row, columns[k]);
      if (text !== null) any = true;
      const value = decode(field, text, scratch);
      if (value === undefined) errors.push(field.name);
      record[field.name] = value === undefined ? null : value;
    }
    let additional: Record<string, string> | null = null;
    for (const [i, name] of extra) {
      const v = cell(row, i);
      if (v === null) continue;
      (additional ??= {})[name] = v;
      any = true;
    }
    if (!any) return REJECT_EMPTY;
    if (spec.currencyField && scratch.currency !== null && record[spec.currencyField] === null) {
      record[spec.currencyField] = scratch.currency;
    }
    spec.complete?.(record, context);
    for (const name of spec.required) {
      if (record[name] !== null) continue;
      return errors.includes(name) ? rejectUnusable.get(name)! : rejectMissing.get(name)!;
    }
    record.additional_columns = additional;
    record.parse_errors = errors;
    record.id = datasetRecordId(spec, record);
    return {record, day: spec.cursor === null ? null : (record[spec.cursor] as string)};
  };
}
