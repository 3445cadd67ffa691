/**
 * What the generated row normalizers (generated/record.ts) are made of: cell access with
 * fallback columns, the rejection results, parse-error bookkeeping. The rules are in
 * src/normalize/README.md ("Values", "Rejections vs parse_errors").
 */
import {formatDate, parseNumber, parseString, trimIfNeeded} from '../decode/values';
import {resolveColumns} from './aliases';
import type {Metric, SourceApi} from './fields';
import type {UsageRecord} from './generated/record';

export interface NormalizeContext {
  metric: Metric;
  sourceApi: SourceApi;
}

export type Normalized =
  | {record: UsageRecord; rejected?: undefined}
  | {record?: undefined; rejected: string /* short reason, e.g. 'unusable date' */};

/** Rejection reasons (one shared object each: no allocation per rejected row). */
export const REJECT_FIELD_COUNT: Normalized = Object.freeze({rejected: 'wrong number of fields'});
export const REJECT_DATE: Normalized = Object.freeze({rejected: 'unusable date'});
export const REJECT_NO_COST: Normalized = Object.freeze({rejected: 'missing cost'});
export const REJECT_BAD_COST: Normalized = Object.freeze({rejected: 'unparseable cost'});

/** A CSV cell as text: absent column, empty or blank → null; trimmed only when needed. */
export function cell(row: string[], i: number): string | null {
  if (i < 0) return null;
  const v = row[i];
  if (v === undefined || v.length === 0) return null;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  if (a > 32 && b > 32 && a !== 160 && b !== 160) return v;
  const t = trimIfNeeded(v);
  return t.length === 0 ? null : t;
}

/** Column indices for one field: primary and up to two fallbacks, -1 when absent. */
export interface Cols {
  a: number;
  b: number;
  c: number;
}

/** A field whose columns are not read (absent, or another agreement's: fields.ts `only`). */
export const NO_COLS: Cols = Object.freeze({a: -1, b: -1, c: -1});

export function cols(header: readonly string[], aliases: readonly string[]): Cols {
  const found = resolveColumns(header, aliases);
  return {a: found[0] ?? -1, b: found[1] ?? -1, c: found[2] ?? -1};
}

/** The first non-empty cell among a field's columns. */
export function pick(row: string[], k: Cols): string | null {
  const v = cell(row, k.a);
  if (v !== null || k.b < 0) return v;
  const w = cell(row, k.b);
  if (w !== null || k.c < 0) return w;
  return cell(row, k.c);
}

/** Day/Month/Year columns of legacy EA usage files → YYYY-MM-DD. */
export function dateFromParts(row: string[], d: number, m: number, y: number): string | null | undefined {
  if (d < 0 || m < 0 || y < 0) return null;
  const dd = parseNumber(row[d]);
  const mm = parseNumber(row[m]);
  const yy = parseNumber(row[y]);
  if (typeof dd !== 'number' || typeof mm !== 'number' || typeof yy !== 'number') return undefined;
  if (!Number.isInteger(dd) || !Number.isInteger(mm) || !Number.isInteger(yy)) return undefined;
  return formatDate(yy, mm, dd);
}

/** A parsed value, or null with the field named in `errors` when the text could not be parsed. */
export function orError<T>(value: T | null | undefined, field: string, errors: string[]): T | null {
  if (value !== undefined) return value;
  errors.push(field);
  return null;
}

/** First non-empty text among JSON values (numbers are stringified: EA ids are numbers). */
export function jtext(a: unknown, b?: unknown): string | null {
  const v = parseString(a);
  if (v !== null || b === undefined) return v;
  return parseString(b);
}
