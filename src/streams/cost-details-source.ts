import {Readable} from 'stream';

import {decodeCsv, CsvResume} from '../decode/csv';
import {CsvBlobSplitter} from '../decode/csv-units';
import {HttpClient} from '../http/client';
import {Metric} from '../normalize/usage-record';
import {Logger} from '../protocol/logger';
import {CostDetailsReader, CostMetric, ReportResult} from '../readers/cost-details';
import {resumableDownload} from '../readers/resumable-download';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {CompiledRules} from '../track';
import {BoundedQueue} from '../work/bounded-queue';
import {UnitExecutor} from '../work/executor';
import {isProblem, processCsvRows, UnitJob, UnitOutput, UnitProblem} from '../work/unit';

/** Bytes per CSV row of the cost details schema, measured on real-shaped files; for estimates only. */
const BYTES_PER_ROW = 900;

/**
 * Rows per batch on the whole-blob path (see the tokenizer's fallback): a batch's records live
 * until the batch is written, and small batches let them die young (V8's scavenger frees them
 * cheaply instead of promoting them).
 */
export const MAX_BATCH_ROWS = 100;

/** Bytes of CSV per unit of work: ~550 rows; small enough that pieces in flight stay a few MB. */
const PIECE_BYTES = 512 * 1024;

/** A piece in flight: its bytes (kept for the whole-blob path) and its result to come. */
interface InFlight {
  bytes: Uint8Array | null;
  result: Promise<UnitOutput | UnitProblem>;
}

const SERIAL: InFlight = {bytes: null, result: Promise.resolve({problem: 'serial'})};

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
    private readonly logger: Logger,
    private readonly executor: UnitExecutor,
    private readonly rules: CompiledRules,
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
    for (const blob of prepared.blobs) {
      yield* this.blobUnits(resumableDownload(this.http, blob, this.logger, this.idleTimeoutMs), job);
    }
  }

  /**
   * One blob: a producer cuts pieces and hands them to the executor (a bounded number in
   * flight); the consumer yields their results in order. A piece the fast decoder cannot take
   * alone sends the rest of the blob, from that piece on, through the whole-blob decoder.
   */
  private async *blobUnits(body: Readable, job: UnitJob): AsyncGenerator<UnitOutput> {
    const input = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const splitter = new CsvBlobSplitter(input, PIECE_BYTES);
    const queue = new BoundedQueue<InFlight>(this.executor.parallelism * 2);
    let leftover: Uint8Array | null = null;
    const producer = (async () => {
      for (;;) {
        const piece = await splitter.next();
        if (piece === null) break;
        if (piece === 'serial') {
          await queue.put(SERIAL);
          break;
        }
        const result = this.executor.csv({kind: 'csv', job, bytes: piece.bytes, header: splitter.header!, delimiter: splitter.delimiter, final: piece.final});
        result.catch(() => undefined); // awaited in turn by the consumer
        if (!(await queue.put({bytes: piece.bytes, result}))) {
          leftover = piece.bytes; // cut after the consumer switched to the whole-blob path
          break;
        }
      }
    })().then(
      () => queue.close(),
      (err: unknown) => queue.close(err),
    );
    let finished = false;
    try {
      for (;;) {
        const item = await queue.take();
        if (!item) break;
        const out = await item.result;
        if (isProblem(out)) {
          // from this piece on, the blob goes through the whole-blob decoder (csv-parse's rules)
          const later = queue.cancel();
          await producer;
          const held = [...[item, ...later].map((x) => x.bytes), leftover].filter((b): b is Uint8Array => b !== null).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
          const resume: CsvResume | undefined = splitter.header ? {header: splitter.header, delimiter: splitter.delimiter} : undefined;
          yield* this.wholeBlob(concatChunks(held, splitter.rest()), resume, job);
          finished = true;
          return;
        }
        yield out;
      }
      finished = true;
    } finally {
      if (!finished) {
        queue.cancel();
        body.on('error', () => undefined);
        body.destroy();
      }
    }
  }

  private async *wholeBlob(chunks: AsyncIterable<Buffer>, resume: CsvResume | undefined, job: UnitJob): AsyncGenerator<UnitOutput> {
    const stream = Readable.from(chunks, {objectMode: false});
    for await (const batch of decodeCsv(stream, Math.min(this.batchSize, MAX_BATCH_ROWS), resume)) {
      yield processCsvRows(batch.rows, batch.header, job, this.rules);
    }
  }
}

async function* concatChunks(first: Buffer[], rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for (const b of first) yield b;
  yield* rest;
}
