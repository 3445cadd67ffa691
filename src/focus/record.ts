/**
 * A focus_costs record (docs/design.md §15): every column of the table (columns.ts) in its order,
 * x_RecordId first so the id's second step can append its suffix in place (normalize/id.ts).
 */
import {RECORD_COLUMNS} from './columns';

export type FocusRecord = Record<string, unknown>;

/**
 * Every column null, in record order. Made by JSON.parse, which gives V8's fast properties to an
 * object of 125 keys where assigning them one by one would not (a dictionary: slower to fill and
 * to stringify, measured about 2 times); each record is a spread copy, which keeps them.
 */
const TEMPLATE: FocusRecord = JSON.parse(JSON.stringify(Object.fromEntries(RECORD_COLUMNS.map(([name]) => [name, null])))) as FocusRecord;

/** A record with every column null, in record order (x_ParseErrors an empty list). */
export function emptyFocusRecord(): FocusRecord {
  const f: FocusRecord = {...TEMPLATE};
  f.x_ParseErrors = [];
  return f;
}

/** A day (`YYYY-MM-DD`) as a FOCUS date-time: midnight UTC, with seconds and `Z`. */
export function isoDateTime(day: string): string {
  return `${day}T00:00:00Z`;
}

/** Where the provisional id ends in a serialized record: its first column is x_RecordId. */
export const FOCUS_ID_END_IN_RECORD_JSON = '{"x_RecordId":"'.length + 32;
