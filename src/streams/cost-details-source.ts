import {HttpClient} from '../http/client';
import {Metric} from '../normalize/usage-record';
import {CostDetailsReader, CostMetric, ReportResult} from '../readers/cost-details';
import {resumableDownload} from '../readers/resumable-download';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {CompiledRules} from '../track';
import {csvBlobUnits} from '../work/csv-blob';
import {UnitExecutor} from '../work/executor';
import {UnitJob, UnitOutput} from '../work/unit';

/** Bytes per CSV row of the cost details schema, measured on real-shaped files; for estimates only. */
const BYTES_PER_ROW = 900;

/**
 * Cost Details API slices: a report per slice; each blob is cut into pieces of whole records
 * that the executor decodes in parallel, and their records come back in blob order.
 */
export class CostDetailsSliceSource implements SliceSource<ReportResult> {
  private readonly apiMetric: CostMetric;

  constructor(
    private readonly reader: CostDetailsReader,
    private readonly http: HttpClient,
    private readonly metric: Metric,
    private readonly batchSize: number,
    private readonly idleTimeoutMs: number,
    private readonly executor: UnitExecutor,
    private readonly rules: CompiledRules,
    /** Set when the rows become FOCUS records (streams/focus-source.ts, docs/design.md §15). */
    private readonly focus?: UnitJob['focus'],
  ) {
    this.apiMetric = metric === 'amortized' ? 'AmortizedCost' : 'ActualCost';
  }

  prepare(slice: DateSlice): Promise<ReportResult> {
    return this.reader.generate(this.apiMetric, slice);
  }

  estimateRows(prepared: ReportResult): number | undefined {
    return prepared.kind === 'empty' ? 0 : Math.round(prepared.byteCount / BYTES_PER_ROW);
  }

  async *units(prepared: ReportResult, _slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    if (prepared.kind === 'empty') return;
    const job: UnitJob = {...target, metric: this.metric, sourceApi: 'cost_details'};
    if (this.focus) job.focus = this.focus;
    for (const blob of prepared.blobs) {
      yield* csvBlobUnits(resumableDownload(this.http, blob, this.idleTimeoutMs), job, this.executor, this.rules, {batchSize: this.batchSize});
    }
  }
}
