import {pipeline, Readable} from 'stream';
import zlib from 'zlib';

import {addDays, maxDay, minDay, monthEnd} from '../dates';
import {SystemError} from '../errors';
import {Metric} from '../normalize/usage-record';
import {Logger} from '../protocol/logger';
import {Dataset, ExportRun} from '../readers/export-runs';
import {ExportsReader} from '../readers/exports';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {CompiledRules} from '../track';
import {csvBlobUnits} from '../work/csv-blob';
import {UnitExecutor} from '../work/executor';
import {UnitJob, UnitOutput} from '../work/unit';

/** A month of one export stream, prepared: the runs chosen for it, or nothing new to read. */
export interface ExportMonth {
  month: string;
  /** The chosen runs (one per scope), oldest scope first. */
  runs: ExportRun[];
  /** The runs' ids, sorted and joined: what the state's `runs` map remembers of the month. */
  key: string;
  /** The state says this very run was emitted completely: nothing is downloaded. */
  unchanged: boolean;
}

/** Rows per byte of a run's files, when its manifest has no row count; for estimates only. */
const BYTES_PER_ROW = 900;

/**
 * Slices of an export stream (docs/design.md §14): one per month, read from the run that won the
 * month (export-runs.ts). A month whose winning run the state already holds is not downloaded;
 * a new run is read whole but only the slice's days are emitted (UnitJob.days), so the
 * look-back and month close decide what is re-emitted, as on the API path.
 */
export class ExportsSliceSource implements SliceSource<ExportMonth> {
  private warnedEmpty = false;

  constructor(
    private readonly reader: ExportsReader,
    private readonly stream: string,
    private readonly dataset: Dataset,
    private readonly metric: Metric,
    private readonly executor: UnitExecutor,
    private readonly rules: CompiledRules,
    private readonly logger: Logger,
    private readonly opts: {batchSize: number; idleTimeoutMs: number},
  ) {}

  /** Months: an export run covers a month, and the state remembers runs by month. */
  planSlices(start: string, end: string): DateSlice[] {
    const slices: DateSlice[] = [];
    for (let d = start; d <= end; d = addDays(monthEnd(d), 1)) slices.push({start: d, end: minDay(monthEnd(d), end)});
    return slices;
  }

  async prepare(slice: DateSlice, target: SliceTarget): Promise<ExportMonth> {
    const month = slice.start.slice(0, 7);
    const choices = await this.reader.choices(this.dataset);
    if (choices.length === 0 && !this.warnedEmpty) {
      this.warnedEmpty = true;
      this.logger.warn(`${this.stream}: no ${this.dataset} export found in ${this.reader.location}; the stream reads nothing. Create an export of that dataset, or check root_folder_path and export_names.`);
    }
    const runs = choices.filter((c) => c.month === month).map((c) => c.run);
    const key = runs.map((r) => r.runId).sort().join(',');
    const unchanged = key !== '' && target.runs?.[month] === key;
    if (unchanged) this.logger.info(`${this.stream} ${month}: run ${key} was read before and no newer run exists; nothing downloaded.`);
    return {month, runs, key, unchanged};
  }

  estimateRows(prepared: ExportMonth): number | undefined {
    if (prepared.unchanged) return 0;
    let rows = 0;
    for (const run of prepared.runs) rows += run.rows ?? run.blobs.reduce((sum, b) => sum + b.size, 0) / BYTES_PER_ROW;
    return Math.round(rows);
  }

  /** Settles the month in the state once the slice reached the last day the run holds. */
  runOf(prepared: ExportMonth, slice: DateSlice): {month: string; key: string} | undefined {
    if (prepared.key === '') return undefined;
    const lastDay = prepared.runs.reduce((d, r) => maxDay(d, minDay(r.endDay, monthEnd(slice.start))), slice.start);
    return slice.end >= lastDay ? {month: prepared.month, key: prepared.key} : undefined;
  }

  async *units(prepared: ExportMonth, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    if (prepared.unchanged) return;
    const job: UnitJob = {...target, metric: this.metric, sourceApi: 'exports', days: {from: slice.start, to: slice.end}};
    for (const run of prepared.runs) {
      if (run.startDay > slice.end || run.endDay < slice.start) continue;
      for (let i = 0; i < run.blobs.length; i++) {
        const blob = run.blobs[i];
        const label = `${blob.name} (blob ${i + 1}/${run.blobs.length} of run ${run.runId} of export ${run.exportName})`;
        if (run.fileFormat === 'Parquet') {
          throw new SystemError(`${label} is Parquet, which this build does not read yet; set the export's format to CSV, or leave it out with data_source.export_names.`);
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
