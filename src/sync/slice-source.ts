import {Normalized} from '../normalize';
import {DateSlice} from './slices';

/**
 * How a stream reads one slice, in two steps so slices can overlap: `prepare` does the slow,
 * small part ahead of time (generate a report, fetch a first page) and `batches` streams the
 * rows when the slice's turn comes, so nothing big is held while waiting.
 */
export interface SliceSource<P> {
  prepare(slice: DateSlice): Promise<P>;
  batches(prepared: P, slice: DateSlice): AsyncGenerator<Normalized[]>;
  /** Rows expected from a prepared slice, for progress estimates; undefined if unknown. */
  estimateRows(prepared: P): number | undefined;
}
