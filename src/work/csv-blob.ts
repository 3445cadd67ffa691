import {Readable} from 'stream';

import {CsvResume, decodeCsv} from '../decode/csv';
import {CsvBlobSplitter} from '../decode/csv-units';
import {CompiledRules} from '../track';
import {BoundedQueue} from './bounded-queue';
import {UnitExecutor} from './executor';
import {isProblem, processCsvRows, UnitJob, UnitOutput, UnitProblem} from './unit';

/**
 * Bytes of CSV per unit of work: ~280 rows. A unit's text lives until its last row is done, and
 * at 512 KB it often outlived a young-generation cycle and was promoted; at 256 KB peak RSS was
 * 10-12 MB lower (100k rows: 153-155 against 164-166 MB; 1M rows: 167 against 179 MB) for the
 * same CPU within noise (128 KB saved a little more memory but cost ~4% CPU at 1M rows).
 */
const PIECE_BYTES = 256 * 1024;

/**
 * Rows per batch on the whole-blob path (see the tokenizer's fallback): a batch's records live
 * until the batch is written, and small batches let them die young (V8's scavenger frees them
 * cheaply instead of promoting them).
 */
const MAX_BATCH_ROWS = 100;

/** A piece in flight: its bytes (kept for the whole-blob path) and its result to come. */
interface InFlight {
  bytes: Uint8Array | null;
  result: Promise<UnitOutput | UnitProblem>;
}

const SERIAL: InFlight = {bytes: null, result: Promise.resolve({problem: 'serial'})};

export interface CsvBlobOptions {
  /** Rows per batch on the whole-blob path (page_size, at most MAX_BATCH_ROWS). */
  batchSize?: number;
  pieceBytes?: number;
}

/**
 * The records of one CSV blob, in order. A producer cuts the blob into pieces of whole records
 * and hands them to the executor (a bounded number in flight); the consumer yields their
 * results in order. From a piece the fast tokenizer cannot take alone (csv-parse's rarer rules,
 * or a cut fooled by a stray quote) the rest of the blob goes through the whole-blob decoder,
 * so the records are those of decodeCsv over the whole blob either way.
 */
export async function* csvBlobUnits(body: Readable, job: UnitJob, executor: UnitExecutor, rules: CompiledRules, opts: CsvBlobOptions = {}): AsyncGenerator<UnitOutput> {
  const input = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const splitter = new CsvBlobSplitter(input, opts.pieceBytes ?? PIECE_BYTES);
  const queue = new BoundedQueue<InFlight>(executor.parallelism * 2);
  let leftover: Uint8Array | null = null;
  const producer = queue.produce(async () => {
    for (;;) {
      const piece = await splitter.next();
      if (piece === null) break;
      if (piece === 'serial') {
        await queue.put(SERIAL);
        break;
      }
      const result = executor.csv({kind: 'csv', job, bytes: piece.bytes, header: splitter.header!, delimiter: splitter.delimiter, final: piece.final});
      result.catch(() => undefined); // awaited in turn by the consumer
      if (!(await queue.put({bytes: piece.bytes, result}))) {
        leftover = piece.bytes; // cut after the consumer switched to the whole-blob path
        break;
      }
    }
  });
  let finished = false;
  try {
    for (;;) {
      const item = await queue.take();
      if (!item) break;
      const out = await item.result;
      if (isProblem(out)) {
        const later = queue.cancel();
        await producer;
        const held = [...[item, ...later].map((x) => x.bytes), leftover]
          .filter((b): b is Uint8Array => b !== null)
          .map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
        const resume: CsvResume | undefined = splitter.header ? {header: splitter.header, delimiter: splitter.delimiter} : undefined;
        const batchSize = Math.min(opts.batchSize ?? MAX_BATCH_ROWS, MAX_BATCH_ROWS);
        yield* wholeBlob(concatChunks(held, splitter.rest()), resume, job, rules, batchSize);
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

/** The whole-blob path: decodeCsv (with its csv-parse fallback) on this thread. */
async function* wholeBlob(chunks: AsyncIterable<Buffer>, resume: CsvResume | undefined, job: UnitJob, rules: CompiledRules, batchSize: number): AsyncGenerator<UnitOutput> {
  const stream = Readable.from(chunks, {objectMode: false});
  for await (const batch of decodeCsv(stream, batchSize, resume)) {
    yield processCsvRows(batch.rows, batch.header, job, rules);
  }
}

async function* concatChunks(first: Buffer[], rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for (const b of first) yield b;
  yield* rest;
}
