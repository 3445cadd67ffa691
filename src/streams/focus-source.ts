import {ReportResult} from '../readers/cost-details';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {UnitOutput} from '../work/unit';
import {CostDetailsSliceSource} from './cost-details-source';

/** x_SourceDataset of the derived records (docs/design.md §15). */
export const DERIVED_FOCUS_DATASET = 'cost_details ActualCost+AmortizedCost';

interface Prepared {
  amortized: ReportResult;
  actual: ReportResult;
}

/**
 * FOCUS derived from the Cost Details API (docs/design.md §15): a slice needs both metrics'
 * reports, generated side by side; the amortized rows come out first, then the actual rows the
 * conversion keeps (commitment purchases and refunds), all through the one pipeline of the
 * slice, so ids are counted per day across both. The two sources are built with the job's
 * `focus` set: the rows become FOCUS records on the workers (work/unit.ts).
 */
export class FocusSliceSource implements SliceSource<Prepared> {
  constructor(
    private readonly amortized: CostDetailsSliceSource,
    private readonly actual: CostDetailsSliceSource,
  ) {}

  async prepare(slice: DateSlice): Promise<Prepared> {
    const amortized = this.amortized.prepare(slice);
    const actual = this.actual.prepare(slice);
    // both awaited, so a failure of one never leaves the other's rejection unhandled
    const [a, b] = await Promise.allSettled([amortized, actual]);
    if (a.status === 'rejected') throw a.reason;
    if (b.status === 'rejected') throw b.reason;
    return {amortized: a.value, actual: b.value};
  }

  estimateRows(prepared: Prepared): number | undefined {
    const a = this.amortized.estimateRows(prepared.amortized);
    const b = this.actual.estimateRows(prepared.actual);
    // every amortized row is kept, few actual rows are: the amortized report is the estimate
    return a === undefined ? b : a;
  }

  async *units(prepared: Prepared, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    yield* this.amortized.units(prepared.amortized, slice, target);
    yield* this.actual.units(prepared.actual, slice, target);
  }
}
