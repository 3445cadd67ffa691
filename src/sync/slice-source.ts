import {UnitOutput} from '../work/unit';
import {DateSlice} from './slices';

/** Where a slice's records go: which stream, whether they are written, and their emitted_at. */
export interface SliceTarget {
  stream: string;
  emitRecords: boolean;
  /** Whether the conflicts found are written (tracking_conflicts selected) or only counted. */
  auditConflicts: boolean;
  emittedAt: number;
  /**
   * Export streams, incremental: the runs already emitted completely, by month ('YYYY-MM' →
   * run key), from the input state (docs/design.md §14). Absent for a full refresh.
   */
  runs?: Readonly<Record<string, string>>;
}

/**
 * How a stream reads one slice, in two steps so slices can overlap: `prepare` does the slow,
 * small part ahead of time (generate a report, fetch a first page) and `units` streams the
 * records when the slice's turn comes, so nothing big is held while waiting. Units come out in
 * the order of the rows, whatever thread made them.
 */
export interface SliceSource<P> {
  prepare(slice: DateSlice, target: SliceTarget): Promise<P>;
  units(prepared: P, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput>;
  /** Rows expected from a prepared slice, for progress estimates; undefined if unknown. */
  estimateRows(prepared: P): number | undefined;
  /** Lets go of a prepared slice that will not be read (a stop, a failure before its turn). */
  discard?(prepared: P): void;
  /** Cuts the sync window into slices when the source has its own unit (exports: a month). */
  planSlices?(start: string, end: string): DateSlice[];
  /**
   * Export streams: the run a completed slice emitted, for the state's `runs` map (docs/design.md
   * §13); undefined when the slice does not settle its month.
   */
  runOf?(prepared: P, slice: DateSlice): {month: string; key: string} | undefined;
  /**
   * The last day of a completed slice whose rows the source holds, when it may hold fewer than the
   * slice (an export run that ends before the slice does): the cursor claims no further.
   */
  coveredUntil?(prepared: P, slice: DateSlice): string;
}
