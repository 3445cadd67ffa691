import {addDays, maxDay, minDay, monthEnd} from '../dates';
import {Logger} from '../protocol/logger';
import {Dataset, ExportRun} from '../readers/export-runs';
import {ExportsReader} from '../readers/exports';
import {SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';

/** A month of one export stream, prepared: the runs chosen for it, or nothing new to read. */
export interface ExportMonth {
  month: string;
  /** The chosen runs (one per scope). */
  runs: ExportRun[];
  /** The runs' ids, sorted and joined: what the state's `runs` map remembers of the month. */
  key: string;
  /** The state says this very run was emitted completely: nothing is downloaded. */
  unchanged: boolean;
}

/**
 * What every export stream does with months (docs/design.md §14): slices are calendar months,
 * each read from the runs chosen for it; a month whose runs the state already holds is not
 * downloaded; the state records a month once its slice reached the last day the runs hold, and
 * the cursor claims no day after it.
 */
export class ExportMonths {
  private warnedEmpty = false;

  constructor(
    readonly reader: ExportsReader,
    private readonly stream: string,
    readonly dataset: Dataset,
    private readonly logger: Logger,
  ) {}

  /** Months: an export run covers a month, and the state remembers runs by month. */
  slices(start: string, end: string): DateSlice[] {
    const slices: DateSlice[] = [];
    for (let d = start; d <= end; d = addDays(monthEnd(d), 1)) slices.push({start: d, end: minDay(monthEnd(d), end)});
    return slices;
  }

  /**
   * The month of `slice` with its chosen runs; `snapshot`: the newest month that has runs, up to
   * the slice's end (a dataset without a cursor is read from its latest export only).
   */
  async prepare(slice: DateSlice, target: SliceTarget, snapshot = false): Promise<ExportMonth> {
    const choices = await this.reader.choices(this.dataset);
    if (choices.length === 0 && !this.warnedEmpty) {
      this.warnedEmpty = true;
      this.logger.warn(`${this.stream}: no ${this.dataset} export found in ${this.reader.location}; the stream reads nothing. Create an export of that dataset, or check root_folder_path and export_names.`);
    }
    const last = slice.end.slice(0, 7);
    const month = snapshot ? (choices.map((c) => c.month).filter((m) => m <= last).sort().pop() ?? last) : slice.start.slice(0, 7);
    const runs = choices.filter((c) => c.month === month).map((c) => c.run);
    const key = runs.map((r) => r.runId).sort().join(',');
    const unchanged = !snapshot && key !== '' && target.runs?.[month] === key;
    if (unchanged) this.logger.info(`${this.stream} ${month}: run ${key} was read before and no newer run exists; nothing downloaded.`);
    return {month, runs, key, unchanged};
  }

  /** The month for the state's `runs`, once the slice reached the last day its runs hold. */
  settled(prepared: ExportMonth, slice: DateSlice): {month: string; key: string} | undefined {
    if (prepared.key === '') return undefined;
    return slice.end >= lastDayHeld(prepared, {start: slice.start, end: monthEnd(slice.start)}) ? {month: prepared.month, key: prepared.key} : undefined;
  }
}

/** The last day of the slice the month's chosen runs hold (the day before the slice when none). */
export function lastDayHeld(prepared: ExportMonth, slice: DateSlice): string {
  let last = addDays(slice.start, -1);
  for (const run of prepared.runs) last = maxDay(last, minDay(run.endDay, slice.end));
  return last;
}
