import {decodeCsv} from '../decode/csv';
import {parquetRowBatches} from '../decode/parquet';
import {DatasetStreamDef, datasetRowNormalizer} from '../normalize/datasets';
import {Logger} from '../protocol/logger';
import {recordLine} from '../protocol/messages';
import {ExportsReader} from '../readers/exports';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {UnitOutput} from '../work/unit';
import {ExportMonth, ExportMonths, lastDayHeld} from './export-months';
import {gunzipWhenGzip} from './exports-source';

/** Rows per unit: a unit's records live until it is written. */
const ROWS_PER_UNIT = 500;

/**
 * Slices of an export dataset stream (docs/design.md §13, §14): price sheet and reservation files
 * are small, so their rows are decoded on the main thread, by header name, with the dataset's
 * normalizer. Runs, months and state are those of the cost streams (exports-source.ts); the days
 * kept are the slice's, compared on the dataset's cursor (the price sheet's billing month). The
 * reservation recommendations are a snapshot: one slice, the newest run.
 */
export class DatasetSliceSource implements SliceSource<ExportMonth> {
  private readonly months: ExportMonths;

  constructor(
    private readonly reader: ExportsReader,
    private readonly def: DatasetStreamDef,
    logger: Logger,
    private readonly opts: {idleTimeoutMs: number},
  ) {
    this.months = new ExportMonths(reader, def.stream, def.dataset, logger);
  }

  private get snapshot(): boolean {
    return this.def.cursorField === null;
  }

  planSlices(start: string, end: string): DateSlice[] {
    return this.snapshot ? [{start, end}] : this.months.slices(start, end);
  }

  prepare(slice: DateSlice, target: SliceTarget): Promise<ExportMonth> {
    return this.months.prepare(slice, target, this.snapshot);
  }

  estimateRows(prepared: ExportMonth): number | undefined {
    return prepared.unchanged ? 0 : prepared.runs.reduce((sum, r) => sum + (r.rows ?? 0), 0);
  }

  runOf(prepared: ExportMonth, slice: DateSlice): {month: string; key: string} | undefined {
    return this.snapshot ? undefined : this.months.settled(prepared, slice);
  }

  coveredUntil(prepared: ExportMonth, slice: DateSlice): string {
    return this.snapshot ? slice.end : lastDayHeld(prepared, slice);
  }

  async *units(prepared: ExportMonth, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    if (prepared.unchanged) return;
    const keep = this.keeper(slice);
    for (const run of prepared.runs) {
      for (let i = 0; i < run.blobs.length; i++) {
        const blob = run.blobs[i];
        const label = `${blob.name} (blob ${i + 1}/${run.blobs.length} of run ${run.runId} of export ${run.exportName})`;
        // small files: decoded here, Parquet (the price sheet may be) by row group
        const batches =
          run.fileFormat === 'Parquet'
            ? parquetRowBatches(this.reader.storage.range(blob, label), {batchSize: ROWS_PER_UNIT})
            : decodeCsv(gunzipWhenGzip(this.reader.storage.download(blob, label, this.opts.idleTimeoutMs)), ROWS_PER_UNIT);
        let normalize: ReturnType<typeof datasetRowNormalizer> | undefined;
        let header: string[] | undefined;
        for await (const batch of batches) {
          if (batch.header !== header) {
            header = batch.header;
            normalize = datasetRowNormalizer(this.def.dataset, header, {billingPeriod: `${prepared.month}-01`});
          }
          yield this.unit(batch.rows, normalize!, keep, target);
        }
      }
    }
  }

  /** Which rows a slice emits, by the day the dataset's cursor compares. */
  private keeper(slice: DateSlice): (day: string | null) => boolean {
    if (this.snapshot) return () => true;
    // the price sheet's cursor is a month (its first day): the month of the slice is kept whole
    if (this.def.cursorField === 'billing_period') return (day) => day !== null && day.slice(0, 7) === slice.start.slice(0, 7);
    return (day) => day !== null && day >= slice.start && day <= slice.end;
  }

  private unit(rows: string[][], normalize: ReturnType<typeof datasetRowNormalizer>, keep: (day: string | null) => boolean, target: SliceTarget): UnitOutput {
    const lines: string[] = [];
    const rejected = new Map<string, number>();
    let parseErrors = 0;
    for (const row of rows) {
      const out = normalize(row);
      if ('rejected' in out) {
        rejected.set(out.rejected, (rejected.get(out.rejected) ?? 0) + 1);
        continue;
      }
      if (!keep(out.day)) continue;
      const errors = out.record.parse_errors;
      if (Array.isArray(errors) && errors.length > 0) parseErrors++;
      if (target.emitRecords) lines.push(recordLine(target.stream, out.record, target.emittedAt));
      else lines.push('');
    }
    // no occurrence counting: rows of one file with the same identity state the same fact (§13)
    return {
      bytes: Buffer.from(lines.join('')),
      idEnds: new Uint32Array(0),
      keys: new Float64Array(0),
      hashes: null,
      conflicts: [],
      conflictCount: 0,
      records: lines.length,
      parseErrors,
      rejected: [...rejected.entries()],
    };
  }
}
