/**
 * Scalar decoders for the hot path: one call per field per record, so no regex is
 * compiled per call, no date library and no allocation beyond the result.
 *
 * Convention for every parser here:
 *   - a value            → parsed successfully
 *   - `null`             → absent or empty (not an error)
 *   - `undefined`        → present but unparseable (the caller records a parse error)
 */
import {BoundedMemo} from './bounded-memo';

function isSpace(c: number): boolean {
  // space, tab, CR, LF, NBSP
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 160;
}

/** Trims only when needed (cheap edge test first). */
export function trimIfNeeded(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  if (isSpace(s.charCodeAt(0)) || isSpace(s.charCodeAt(n - 1))) return s.trim();
  return s;
}

/** A text field: empty or whitespace-only → null, otherwise the (trimmed) text. */
export function parseString(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') {
    if (raw.length === 0) return null;
    const s = trimIfNeeded(raw);
    return s.length === 0 ? null : s;
  }
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : null;
  if (typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  return null;
}

/** English thousands-separated number: 1,234 / -12,345,678.90 / 1,234.5E+3. Compiled once. */
const THOUSANDS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?$/;
const COMMA = /,/g;

/**
 * Number from a CSV/JSON value: plain, signed, exponent (`1.5E-05`), long decimals (the
 * nearest double, which keeps sums exact to the cent), English thousands separators
 * (`1,234.5`). `NaN`, `Infinity`, hex/binary/octal literals and garbage are unparseable.
 */
export function parseNumber(raw: unknown): number | null | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return undefined;
  let s = raw;
  if (s.length === 0) return null;
  s = trimIfNeeded(s);
  const n = s.length;
  if (n === 0) return null;
  const c0 = s.charCodeAt(0);
  // Number() accepts 0x.., 0b.., 0o.. — not numbers in a billing file.
  if (c0 === 48 /* 0 */ && n > 1) {
    const c1 = s.charCodeAt(1) | 32;
    if (c1 === 120 /* x */ || c1 === 98 /* b */ || c1 === 111 /* o */) return undefined;
  }
  const v = Number(s);
  if (v === v) {
    // Number('Infinity') etc. are not finite; everything else Number accepts is a decimal here
    return v === Infinity || v === -Infinity ? undefined : v;
  }
  if (s.indexOf(',') > 0 && THOUSANDS.test(s)) {
    const w = Number(s.replace(COMMA, ''));
    return Number.isFinite(w) ? w : undefined;
  }
  return undefined;
}

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** Formats a validated calendar date, or undefined when out of range. */
export function formatDate(y: number, m: number, d: number): string | undefined {
  if (!(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return undefined;
  const ys = y >= 1000 ? String(y) : String(y).padStart(4, '0');
  return ys + '-' + pad2(m) + '-' + pad2(d);
}

/** Reads 1..maxLen digits from position i; returns [value, nextIndex] packed, or -1. */
function readInt(s: string, i: number, minLen: number, maxLen: number): number {
  let v = 0;
  let k = 0;
  while (k < maxLen && i + k < s.length) {
    const d = digit(s, i + k);
    if (d < 0) break;
    v = v * 10 + d;
    k++;
  }
  if (k < minLen) return -1;
  READ_END = i + k;
  return v;
}
let READ_END = 0;

/** What may follow a date: nothing, or a time part introduced by 'T' or a space. */
function validTail(s: string, i: number): boolean {
  if (i === s.length) return true;
  const c = s.charCodeAt(i);
  return c === 84 /* T */ || c === 32 /* space */ || c === 116 /* t */;
}

/** Raw → parsed date memo: a blob holds at most a few dozen distinct date strings. */
const dates = new BoundedMemo<string | null | undefined>(256);

/**
 * Usage dates → `YYYY-MM-DD`. Accepts `MM/DD/YYYY` (and `M/D/YYYY`, with an optional time
 * after a space), `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm:ss[.fffffff][Z|±hh:mm]` (the calendar date
 * as written, no time-zone shift), `YYYY/MM/DD` and `YYYYMMDD`. Month and day are range
 * checked (leap years included): `13/45/2026` is unparseable.
 */
export function parseDate(raw: unknown): string | null | undefined {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return undefined;
  if (raw.length === 0) return null;
  return dates.getOrCompute(raw, parseDateUncached);
}

function parseDateUncached(raw: string): string | null | undefined {
  const s = trimIfNeeded(raw);
  const n = s.length;
  if (n === 0) return null;
  if (n < 8) return undefined;
  // ISO: YYYY-MM-DD...
  if (n >= 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    const y = readInt(s, 0, 4, 4);
    const m = y < 0 ? -1 : readInt(s, 5, 2, 2);
    const d = m < 0 ? -1 : readInt(s, 8, 2, 2);
    if (d < 0 || !validTail(s, 10)) return undefined;
    if (n === 10 && d >= 1) {
      const f = formatDate(y, m, d);
      return f === undefined ? undefined : s; // already canonical
    }
    return formatDate(y, m, d);
  }
  // YYYY/MM/DD
  if (n >= 10 && s.charCodeAt(4) === 47 && s.charCodeAt(7) === 47) {
    const y = readInt(s, 0, 4, 4);
    const m = y < 0 ? -1 : readInt(s, 5, 2, 2);
    const d = m < 0 ? -1 : readInt(s, 8, 2, 2);
    if (d < 0 || !validTail(s, 10)) return undefined;
    return formatDate(y, m, d);
  }
  // M/D/YYYY or MM/DD/YYYY (US order, as Azure writes it)
  const m = readInt(s, 0, 1, 2);
  if (m >= 0 && s.charCodeAt(READ_END) === 47) {
    const d = readInt(s, READ_END + 1, 1, 2);
    if (d >= 0 && s.charCodeAt(READ_END) === 47) {
      const y = readInt(s, READ_END + 1, 4, 4);
      if (y < 0 || !validTail(s, READ_END)) return undefined;
      return formatDate(y, m, d);
    }
    return undefined;
  }
  // YYYYMMDD
  if (n === 8) {
    const y = readInt(s, 0, 4, 4);
    const mm = y < 0 ? -1 : readInt(s, 4, 2, 2);
    const d = mm < 0 ? -1 : readInt(s, 6, 2, 2);
    if (d < 0) return undefined;
    return formatDate(y, mm, d);
  }
  return undefined;
}

/** True/False/true/false/1/0/yes/no (any case; also Y/N). Empty → null. */
export function parseBoolean(raw: unknown): boolean | null | undefined {
  if (typeof raw === 'boolean') return raw;
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return raw === 1 ? true : raw === 0 ? false : undefined;
  if (typeof raw !== 'string') return undefined;
  if (raw.length === 0) return null;
  const s = trimIfNeeded(raw);
  switch (s.length) {
    case 0:
      return null;
    case 1:
      if (s === '1' || s === 'y' || s === 'Y') return true;
      if (s === '0' || s === 'n' || s === 'N') return false;
      return undefined;
    default: {
      const l = s.toLowerCase();
      if (l === 'true' || l === 'yes') return true;
      if (l === 'false' || l === 'no') return false;
      return undefined;
    }
  }
}

/** GUID shape 8-4-4-4-12 hex (no braces). */
export function isGuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}

/** A GUID is lower-cased (Azure mixes cases); any other value is returned unchanged. */
export function normalizeGuid(s: string | null): string | null {
  if (s === null || s.length !== 36) return s;
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return s;
    } else if (c >= 65 && c <= 70) {
      upper = true;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return s;
    }
  }
  return upper ? s.toLowerCase() : s;
}
