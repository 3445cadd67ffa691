import {pipeline, Readable} from 'stream';
import zlib from 'zlib';

import {focusExportDataset, isKnownFocusVersion, unknownFocusVersionWarning} from '../focus/export-row';
import {Metric} from '../normalize/usage-record';
import {Logger} from '../protocol/logger';
import {Dataset} from '../readers/export-runs';
import {ExportsReader} from '../readers/exports';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {CompiledRules} from '../track';
import {csvBlobUnits} from '../work/csv-blob';
import {UnitExecutor} from '../work/executor';
import {parquetBlobUnits} from '../work/parquet-blob';
import {UnitJob, UnitOutput} from '../work/unit';
import {ExportMonth, ExportMonths, lastDayHeld} from './export-months';

/** Rows per byte of a run's files, when its manifest has no row count; for estimates only. */
const BYTES_PER_ROW = 900;

/**
 * Slices of an export stream (docs/design.md §14): one per month, read from the run that won the
 * month (export-runs.ts). A month whose winning run the state already holds is not downloaded;
 * a new run is read whole but only the slice's days are emitted (UnitJob.days), so the
 * look-back and month close decide what is re-emitted, as on the API path.
 */
export class ExportsSliceSource implements SliceSource<ExportMonth> {
  private readonly months: ExportMonths;
  /** FocusCost dataset versions already warned about (once per sync). */
  private readonly warnedVersions = new Set<string>();

  constructor(
    private readonly reader: ExportsReader,
    stream: string,
    private readonly dataset: Dataset,
    private readonly metric: Metric,
    private readonly executor: UnitExecutor,
    private readonly rules: CompiledRules,
    private readonly logger: Logger,
    private readonly opts: {batchSize: number; idleTimeoutMs: number},
  ) {
    this.months = new ExportMonths(reader, stream, dataset, logger);
  }

  planSlices(start: string, end: string): DateSlice[] {
    return this.months.slices(start, end);
  }

  prepare(slice: DateSlice, target: SliceTarget): Promise<ExportMonth> {
    return this.months.prepare(slice, target);
  }

  estimateRows(prepared: ExportMonth): number | undefined {
    if (prepared.unchanged) return 0;
    let rows = 0;
    for (const run of prepared.runs) rows += run.rows ?? run.blobs.reduce((sum, b) => sum + b.size, 0) / BYTES_PER_ROW;
    return Math.round(rows);
  }

  runOf(prepared: ExportMonth, slice: DateSlice): {month: string; key: string} | undefined {
    return this.months.settled(prepared, slice);
  }

  /** A run holds the days up to its end: later days of the slice have not been exported yet. */
  coveredUntil(prepared: ExportMonth, slice: DateSlice): string {
    return lastDayHeld(prepared, slice);
  }

  async *units(prepared: ExportMonth, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    if (prepared.unchanged) return;
    const base: UnitJob = {...target, metric: this.metric, sourceApi: 'exports', days: {from: slice.start, to: slice.end}};
    for (const run of prepared.runs) {
      if (run.startDay > slice.end || run.endDay < slice.start) continue;
      // a FocusCost run's rows are FOCUS records, named after its dataset version (docs/design.md §15)
      const job: UnitJob = this.dataset === 'FocusCost' ? {...base, focus: {from: 'export', dataset: focusExportDataset(run.dataVersion || 'unknown')}} : base;
      if (this.dataset === 'FocusCost' && !isKnownFocusVersion(run.dataVersion) && !this.warnedVersions.has(run.dataVersion)) {
        // read by name all the same, never refused (docs/design.md §15)
        this.warnedVersions.add(run.dataVersion);
        this.logger.warn(unknownFocusVersionWarning(run.dataVersion || 'unknown', run.exportName));
      }
      for (let i = 0; i < run.blobs.length; i++) {
        const blob = run.blobs[i];
        const label = `${blob.name} (blob ${i + 1}/${run.blobs.length} of run ${run.runId} of export ${run.exportName})`;
        if (run.fileFormat === 'Parquet') {
          // footer first, then a row group at a time, by byte ranges (snappy or not: the file says)
          yield* parquetBlobUnits(this.reader.storage.range(blob, label), job, this.executor, this.rules);
          continue;
        }
        const body = this.reader.storage.download(blob, label, this.opts.idleTimeoutMs);
        yield* csvBlobUnits(gunzipWhenGzip(body), job, this.executor, this.rules, {batchSize: this.opts.batchSize});
      }
    }
  }
}

/**
 * The blob's CSV bytes: inflated when they start with gzip's magic number. Told by the bytes, not
 * the manifest or the name: a blob stored with Content-Encoding gzip arrives already inflated.
 */
export function gunzipWhenGzip(body: Readable): Readable {
  const chunks = body[Symbol.asyncIterator]();
  async function* rest(first: Buffer): AsyncGenerator<Buffer> {
    yield first;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }
  async function* bytes(): AsyncGenerator<Buffer> {
    const first = await chunks.next();
    if (first.done) return;
    const head = first.value as Buffer;
    if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      yield* rest(head);
      return;
    }
    const inflated = pipeline(Readable.from(rest(head)), zlib.createGunzip(), () => undefined);
    yield* inflated as AsyncIterable<Buffer>;
  }
  const out = Readable.from(bytes(), {objectMode: false});
  out.once('close', () => body.destroy());
  return out;
}
