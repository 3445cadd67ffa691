import {parse, Parser} from 'csv-parse';

export interface CsvBatch {
  header: string[];
  rows: string[][];
}

/**
 * Streams a CSV blob (a Readable of bytes) through csv-parse: strips a UTF-8 BOM, takes the
 * first record as the header, yields batches of up to `batchSize` data rows (every batch
 * carries the same header array). Quoted fields may hold commas, doubled quotes and newlines.
 *
 * - Column count is relaxed: a row with the wrong number of fields is yielded as is (the
 *   normalizer rejects it). Empty lines are skipped.
 * - A stray quote inside an unquoted field is kept literally (relax_quotes); an unclosed
 *   quoted field at end of input is structural truncation and throws, as does an error of
 *   the input stream, so the caller retries the blob.
 * - Never buffers the whole blob: records are pulled synchronously from the parser's
 *   buffer and the parser applies back-pressure to the input while a batch is consumed.
 * - If the consumer stops early (break/return/throw), the parser and the input stream are
 *   destroyed (the generator owns the stream once called).
 */
function ignore(): void {
  /* late errors after the generator has finished are irrelevant */
}

export async function* decodeCsv(input: NodeJS.ReadableStream, batchSize: number): AsyncGenerator<CsvBatch> {
  const size = Number.isFinite(batchSize) && batchSize >= 1 ? Math.floor(batchSize) : 1000;
  const parser: Parser = parse({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  let failure: Error | null = null;
  let ended = false;
  let signaled = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    signaled = true;
    const w = wake;
    if (w) {
      wake = null;
      w();
    }
  };
  const onError = (e: unknown): void => {
    if (!failure) failure = e instanceof Error ? e : new Error(String(e));
    notify();
  };
  const onEnd = (): void => {
    ended = true;
    notify();
  };
  parser.on('readable', notify);
  parser.on('end', onEnd);
  parser.on('error', onError);
  input.on('error', onError);
  input.pipe(parser);

  let header: string[] | null = null;
  let rows: string[][] = [];
  let finished = false;
  try {
    for (;;) {
      let rec: string[] | null;
      while ((rec = parser.read() as string[] | null) !== null) {
        if (header === null) {
          header = rec;
          continue;
        }
        rows.push(rec);
        if (rows.length >= size) {
          const batch = {header, rows};
          rows = [];
          yield batch;
        }
      }
      if (failure) throw failure;
      if (ended) break;
      if (!signaled) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      signaled = false;
    }
    if (failure) throw failure;
    if (header !== null && rows.length > 0) yield {header, rows};
    finished = true;
  } finally {
    parser.off('readable', notify);
    parser.off('end', onEnd);
    input.removeListener('error', onError);
    // keep listeners so a late error (e.g. from destroy) cannot crash the process
    parser.on('error', ignore);
    if (!finished) {
      input.on('error', ignore);
      input.unpipe(parser);
      parser.destroy();
      const d = (input as {destroy?: () => void}).destroy;
      if (typeof d === 'function') d.call(input);
    }
  }
}
