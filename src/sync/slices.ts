import {addDays, addMonths, DateSlice, daysBetween, maxDay, minDay, monthEnd, monthStart} from '../dates';

// Defined with the day arithmetic so readers/ can name a slice without depending on sync/.
export type {DateSlice} from '../dates';

/**
 * Cuts [start, end] into slices of at most `sliceDays` days. Slices never cross a calendar month:
 * the Cost Details API takes at most one month per report, and a month boundary is where
 * billing periods close.
 */
export function planSlices(start: string, end: string, sliceDays: number): DateSlice[] {
  const slices: DateSlice[] = [];
  let cursor = start;
  while (cursor <= end) {
    const sliceEnd = minDay(minDay(addDays(cursor, sliceDays - 1), monthEnd(cursor)), end);
    slices.push({start: cursor, end: sliceEnd});
    cursor = addDays(sliceEnd, 1);
  }
  return slices;
}

export interface SyncWindowInput {
  startDate: string;
  endDate: string;
  cursor?: string;
  incremental: boolean;
  lookbackDays: number;
  monthCloseDays: number;
  today: string;
  /** Oldest usage day the API can still serve (Cost Details: 13 months), if limited. */
  oldestAvailable?: string;
}

export interface SyncWindow {
  start: string;
  end: string;
  /** Why the start is where it is, for the log. */
  reasons: string[];
  /** start_date was older than the API's history and was moved forward. */
  clampedFrom?: string;
  /** The saved cursor lies after the end date: nothing to read. */
  cursorBeyondEnd?: boolean;
}

/**
 * Where a sync starts and ends (docs/design.md §8): from max(start_date, cursor − lookback + 1), or the
 * first day of the previous month while that month is still closing; never before the oldest day
 * the API serves.
 */
export function syncWindow(input: SyncWindowInput): SyncWindow {
  const reasons: string[] = [];
  const end = input.endDate;
  let start = input.startDate;
  let cursorBeyondEnd = false;
  if (input.incremental && input.cursor) {
    if (input.cursor > end) {
      cursorBeyondEnd = true;
    } else {
      const resume = addDays(input.cursor, 1 - input.lookbackDays);
      if (resume > start) {
        start = resume;
        reasons.push(`cursor ${input.cursor} minus ${input.lookbackDays} look-back day(s)`);
      }
      // The previous month keeps changing until its billing period has closed.
      const previousMonthStart = addMonths(input.today, -1);
      const previousMonthEnd = monthEnd(previousMonthStart);
      const closing = daysBetween(previousMonthEnd, input.today) < input.monthCloseDays;
      if (closing && previousMonthStart < start) {
        const reread = maxDay(previousMonthStart, input.startDate);
        if (reread < start) {
          start = reread;
          reasons.push(`previous month still closing (month_close_days ${input.monthCloseDays})`);
        }
      }
    }
  }
  let clampedFrom: string | undefined;
  if (input.oldestAvailable && start < input.oldestAvailable) {
    clampedFrom = start;
    start = input.oldestAvailable;
  }
  if (cursorBeyondEnd) return {start: addDays(end, 1), end, reasons, clampedFrom, cursorBeyondEnd};
  return {start, end, reasons, clampedFrom};
}

/** The Cost Details API keeps 13 months: the first whole month inside that window. */
export function oldestCostDetailsDay(today: string): string {
  return monthStart(addMonths(today, -12));
}
