import {ConfigError} from './errors';

/** Calendar-day arithmetic on 'YYYY-MM-DD' strings, in UTC; no date library on this path. */
const DAY_MS = 86_400_000;

/** A run of calendar days, both ends inclusive ('YYYY-MM-DD'): what one read asks Azure for. */
export interface DateSlice {
  start: string;
  end: string; // inclusive
}

export function isValidIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function toDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function todayUtc(now: Date = new Date()): string {
  return toDay(now);
}

/**
 * Pins the connector's "today" (UTC, YYYY-MM-DD) instead of the clock: for reproducible
 * re-runs of a past sync and for tests against a sandbox frozen at a date.
 */
export const TODAY_ENV = 'SOURCE_AZURE_BILLING_TODAY';

/** The connector's "today": the clock's UTC date, or the pinned one from SOURCE_AZURE_BILLING_TODAY. */
export function connectorToday(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): string {
  const pinned = env[TODAY_ENV];
  if (pinned === undefined || pinned === '') return todayUtc(now);
  if (!isValidIsoDate(pinned)) {
    throw new ConfigError(`${TODAY_ENV} must be a calendar date YYYY-MM-DD (or unset for the clock's UTC date), got "${pinned}".`);
  }
  return pinned;
}

export function addDays(day: string, days: number): string {
  return toDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function monthStart(day: string): string {
  return `${day.slice(0, 7)}-01`;
}

export function monthEnd(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return toDay(new Date(Date.UTC(y, m, 0)));
}

/** First day of the month `months` months before the month of `day`. */
export function addMonths(day: string, months: number): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7)) - 1 + months;
  return toDay(new Date(Date.UTC(y, m, 1)));
}

export function minDay(a: string, b: string): string {
  return a < b ? a : b;
}

export function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}
