/**
 * How each identifying field enters the id's identity string (the rule is in id.ts and
 * docs/design.md §5): `name` order from the field table, values joined by U+001F, null
 * as U+0000 (so null and '' differ), booleans as T/F, tags and additional_info as the
 * JSON.stringify of the parsed object. Used by the generated identityString (generated/record.ts).
 */
export const ID_SEPARATOR = '\u001f';
const NULL = '\u0000';

export function enc(v: string | null): string {
  return v === null ? NULL : v;
}

/**
 * An export holds the rows the Cost Details API serves, delivered another way: its rows enter the
 * id as Cost Details rows, so the same row has the same id on both paths and a connection can
 * move to exports without duplicates (docs/design.md §5). The EA Reporting API keeps its own.
 */
export function encSourceApi(v: string | null): string {
  return v === 'exports' ? 'cost_details' : enc(v);
}

export function encBoolean(v: boolean | null): string {
  return v === null ? NULL : v ? 'T' : 'F';
}

/** JSON texts of frozen objects: decoded tags / additional info are frozen and shared by rows. */
const jsonOfFrozen = new WeakMap<object, string>();

export function encJson(v: object | null): string {
  if (v === null) return NULL;
  if (!Object.isFrozen(v)) return JSON.stringify(v); // may change later: nothing to remember
  let json = jsonOfFrozen.get(v);
  if (json === undefined) {
    json = JSON.stringify(v);
    jsonOfFrozen.set(v, json);
  }
  return json;
}
