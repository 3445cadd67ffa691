/** Cost Details CSV rendering of synthetic rows (one line at a time, for streaming). */
import {Column, CURRENT_COLUMNS, currentName, LEGACY_COLUMNS} from './columns';
import {monthEnd, monthStart, usDate} from './dates';
import {UsageRow} from './enrollment';
import {hash32} from './prng';

export type CsvSchema = 'current' | 'legacy';
/** How dates are written: US (legacy files), plain ISO date, or ISO date-time with 7 fractional digits. */
export type DateStyle = 'us' | 'iso' | 'isoDateTime';

export interface CsvStyle {
  schema: CsvSchema;
  dateStyle: DateStyle;
}

/**
 * Style of a month's reports. Chosen per (seed, month), not per request, so re-reading a day
 * through any slice yields the same columns; consecutive months alternate so both appear.
 */
export function monthStyle(seed: number, month: string, override: 'auto' | CsvSchema = 'auto'): CsvStyle {
  const idx = +month.slice(0, 4) * 12 + +month.slice(5, 7);
  const legacy = override === 'auto' ? (hash32(seed, 'schema') + idx) % 2 === 0 : override === 'legacy';
  if (legacy) return {schema: 'legacy', dateStyle: 'us'};
  return {schema: 'current', dateStyle: hash32(seed, 'datestyle', month) % 2 === 0 ? 'iso' : 'isoDateTime'};
}

export function headerLine(schema: CsvSchema): string {
  return (schema === 'legacy' ? LEGACY_COLUMNS : CURRENT_COLUMNS).join(',') + '\n';
}

export function fmtDate(day: string, style: DateStyle): string {
  if (style === 'us') return usDate(day);
  if (style === 'iso') return day;
  return `${day}T00:00:00.0000000Z`;
}

/** Tags text as it appears in a cost file: inside of an object, a full object, or raw garbage. */
export function tagsText(r: Pick<UsageRow, 'tags' | 'tagsRaw'>, style: 'inner' | 'full'): string {
  if (r.tagsRaw !== undefined) return r.tagsRaw;
  if (r.tags.length === 0) return '';
  if (style === 'full') {
    let s = '{';
    for (let i = 0; i < r.tags.length; i++) s += (i ? ',' : '') + JSON.stringify(r.tags[i][0]) + ':' + JSON.stringify(r.tags[i][1]);
    return s + '}';
  }
  let s = '';
  for (let i = 0; i < r.tags.length; i++) s += (i ? ',' : '') + JSON.stringify(r.tags[i][0]) + ': ' + JSON.stringify(r.tags[i][1]);
  return s;
}

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(v: string): string {
  if (v.length === 0 || !NEEDS_QUOTES.test(v)) return v;
  return '"' + v.replace(/"/g, '""') + '"';
}

const COLS_CACHE = new Map<CsvSchema, Column[]>();
function columnsOf(schema: CsvSchema): Column[] {
  let cols = COLS_CACHE.get(schema);
  if (!cols) {
    cols = (schema === 'legacy' ? [...LEGACY_COLUMNS] : [...CURRENT_COLUMNS]).map(currentName);
    COLS_CACHE.set(schema, cols);
  }
  return cols;
}

const DATES = new Map<string, [string, string, string]>();

/** A day's date, its month's first and last day, as texts (memoized: few distinct days). */
export function datesOf(day: string, style: DateStyle): [string, string, string] {
  const key = style + day;
  let d = DATES.get(key);
  if (!d) {
    d = [fmtDate(day, style), fmtDate(monthStart(day), style), fmtDate(monthEnd(day), style)];
    if (DATES.size < 50_000) DATES.set(key, d);
  }
  return d;
}

/** One CSV line (with trailing \n) for a row, in the given style. */
export function csvLine(r: UsageRow, style: CsvStyle): string {
  return joinFields(fillEaCells(r, style), columnsOf(style.schema));
}

/** Writes an EA row's dates (in the file's style) and tags into its columns; CSV and exports share it. */
export function fillEaCells(r: UsageRow, style: CsvStyle): UsageRow['c'] {
  const c = r.c;
  const d = datesOf(r.day, style.dateStyle);
  c.Date = r.badDate !== undefined ? r.badDate : d[0];
  c.BillingPeriodStartDate = d[1];
  c.BillingPeriodEndDate = d[2];
  c.Tags = tagsText(r, r.tagsStyle);
  return c;
}

/** One CSV line (with trailing \n) of a row's columns, in the given order (any agreement's layout). */
export function joinFields<C extends string>(c: Record<C, string>, cols: readonly C[]): string {
  let s = csvField(c[cols[0]]);
  for (let i = 1; i < cols.length; i++) s += ',' + csvField(c[cols[i]]);
  return s + '\n';
}
