/** UTC calendar-day helpers on 'YYYY-MM-DD' strings. */
const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === s;
}

export function dayToMs(day: string): number {
  return Date.parse(day + 'T00:00:00Z');
}

export function msToDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return msToDay(dayToMs(day) + n * DAY_MS);
}

/** Days from a to b (b - a). */
export function diffDays(a: string, b: string): number {
  return Math.round((dayToMs(b) - dayToMs(a)) / DAY_MS);
}

/** Inclusive list of days from start to end (empty if start > end). */
export function listDays(start: string, end: string): string[] {
  const out: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

export function monthStart(day: string): string {
  return day.slice(0, 8) + '01';
}

export function monthEnd(day: string): string {
  const y = +day.slice(0, 4);
  const m = +day.slice(5, 7);
  return msToDay(Date.UTC(y, m, 0)); // day 0 of next month = last day of this month
}

/** First day of the month `n` months before the month of `day`. */
export function monthsBack(day: string, n: number): string {
  const y = +day.slice(0, 4);
  const m = +day.slice(5, 7) - 1 - n;
  return msToDay(Date.UTC(y, m, 1));
}

/** 'YYYY-MM-DD' -> 'MM/DD/YYYY' (the US format of older cost files). */
export function usDate(day: string): string {
  return `${day.slice(5, 7)}/${day.slice(8, 10)}/${day.slice(0, 4)}`;
}
