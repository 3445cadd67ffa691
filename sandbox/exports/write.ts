/**
 * Part files of an export run, streamed to disk: CSV (plain or gzip) or Parquet (plain or
 * snappy, DECIMAL(38, n) cost columns). Parquet is written by hyparquet-writer on a worker thread:
 * the library is an ES module, which a worker's require loads natively (also under jest), and the
 * encoding work stays off the sandbox's event loop. Rows go to the worker one row group at a time.
 */
import {createWriteStream, promises as fsp, WriteStream} from 'fs';
import * as path from 'path';
import {Worker} from 'worker_threads';
import {createGzip, Gzip} from 'zlib';
import {csvField} from '../csv';
import {ExportFormat} from './spec';
import {ColType, Table, TableRow} from './table';

export interface WrittenPart {
  file: string;
  byteCount: number;
  rows: number;
}

/** Rows per Parquet row group (the last group of a part may be smaller). */
export const ROW_GROUP_ROWS = 20_000;

export function partFileName(format: ExportFormat, index: number, legacy: boolean): string {
  const ext = format === 'csv' ? '.csv' : format === 'csv-gzip' ? '.csv.gz' : format === 'parquet' ? '.parquet' : '.snappy.parquet';
  return legacy ? `part${index}${ext}` : `part_0_${String(index + 1).padStart(4, '0')}${ext}`;
}

interface PartSink {
  write(row: TableRow): Promise<void> | void;
  close(): Promise<void>;
}

function csvLineOf(cells: readonly string[]): string {
  let s = csvField(cells[0]);
  for (let i = 1; i < cells.length; i++) s += ',' + csvField(cells[i]);
  return s + '\n';
}

function waitWritable(w: Gzip | WriteStream, chunk: string): Promise<void> | void {
  if (w.write(chunk)) return;
  return new Promise((r) => w.once('drain', r));
}

function endStream(out: WriteStream, head: Gzip | WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.once('close', () => resolve());
    head.end();
  });
}

/** A CSV part; with gzip the file holds the compressed bytes (Content-Encoding stays empty). */
function csvSink(file: string, header: readonly string[], gzip: boolean): PartSink {
  const out = createWriteStream(file);
  const head: Gzip | WriteStream = gzip ? createGzip({level: 6}) : out;
  if (gzip) (head as Gzip).pipe(out);
  let buf = csvLineOf(header);
  return {
    write(row) {
      buf += csvLineOf(row.cells);
      if (buf.length > 1 << 17) {
        const chunk = buf;
        buf = '';
        return waitWritable(head, chunk);
      }
    },
    async close() {
      if (buf) await waitWritable(head, buf);
      buf = '';
      await endStream(out, head);
    },
  };
}

// ------------------------------------------------------------------------------- Parquet ----

const WORKER_SOURCE = `
const {parentPort, workerData} = require('worker_threads');
const hw = require(workerData.writerPath);
let pw = null;
let names = null;
parentPort.on('message', (m) => {
  try {
    if (m.type === 'open') {
      pw = new hw.ParquetWriter({writer: hw.fileWriter(m.file), schema: m.schema, codec: m.codec, createdBy: 'sandbox exports (hyparquet-writer)'});
      names = m.names;
    } else if (m.type === 'rows') {
      pw.write({columnData: names.map((name, i) => ({name, data: m.columns[i]})), rowGroupSize: m.columns[0].length});
    } else if (m.type === 'close') {
      pw.finish();
      pw = null;
    }
    parentPort.postMessage({ok: true});
  } catch (e) {
    parentPort.postMessage({ok: false, error: String((e && e.stack) || e)});
  }
});
`;

/** One worker thread writing Parquet files; messages are handled in order, each acknowledged. */
export class ParquetWorker {
  private readonly w: Worker;
  private readonly pending: Array<{resolve: () => void; reject: (e: Error) => void}> = [];
  private dead: Error | null = null;

  constructor() {
    this.w = new Worker(WORKER_SOURCE, {eval: true, workerData: {writerPath: require.resolve('hyparquet-writer')}});
    this.w.on('message', (m: {ok: boolean; error?: string}) => {
      const p = this.pending.shift();
      if (!p) return;
      if (m.ok) p.resolve();
      else p.reject(new Error(`parquet writer: ${m.error}`));
    });
    this.w.on('error', (e) => this.fail(e));
    this.w.on('exit', (code) => this.fail(new Error(`parquet writer exited (${code})`)));
  }

  private fail(e: Error): void {
    this.dead ??= e;
    for (const p of this.pending.splice(0)) p.reject(e);
  }

  send(msg: unknown): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.push({resolve, reject});
      this.w.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    this.dead ??= new Error('parquet writer closed');
    await this.w.terminate();
  }
}

function parquetSchema(header: readonly string[], types: readonly ColType[]): unknown[] {
  return [
    {name: 'root', num_children: header.length},
    ...header.map((name, i) => {
      const t = types[i];
      if (t === 'string') return {name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL'};
      return {
        name, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, repetition_type: 'OPTIONAL',
        converted_type: 'DECIMAL', precision: 38, scale: t.decimal, logical_type: {type: 'DECIMAL', precision: 38, scale: t.decimal},
      };
    }),
  ];
}

/** Exact unscaled value of a decimal text at `scale` (fails loudly if it does not fit). */
export function unscaled(text: string, scale: number): bigint {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] === '' && !m[3])) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const frac = m[3] ?? '';
  if (frac.replace(/0+$/, '').length > scale) throw new Error(`decimal ${text} has more than ${scale} decimals`);
  const v = BigInt((m[2] || '0') + frac.slice(0, scale).padEnd(scale, '0'));
  if (v >= 10n ** 38n) throw new Error(`decimal ${text} does not fit DECIMAL(38, ${scale})`);
  return m[1] === '-' ? -v : v;
}

/**
 * A Parquet part: rows are gathered into row groups; one group is encoded on the worker while
 * the next is generated here (at most one in flight, so memory stays at about two groups).
 */
function parquetSink(worker: ParquetWorker, file: string, header: readonly string[], types: readonly ColType[], snappy: boolean): PartSink {
  let cols: Array<Array<string | bigint | null>> = header.map(() => []);
  let n = 0;
  let inflight: Promise<void> = worker.send({type: 'open', file, schema: parquetSchema(header, types), codec: snappy ? 'SNAPPY' : 'UNCOMPRESSED', names: [...header]});
  inflight.catch(() => undefined);
  const flush = async () => {
    await inflight;
    if (n === 0) return;
    const columns = cols;
    cols = header.map(() => []);
    n = 0;
    inflight = worker.send({type: 'rows', columns});
    inflight.catch(() => undefined);
  };
  return {
    write(row) {
      for (let i = 0; i < header.length; i++) {
        const t = types[i];
        const v = row.cells[i];
        cols[i].push(t === 'string' ? v : v === '' ? null : unscaled(v, t.decimal));
      }
      if (++n >= ROW_GROUP_ROWS) return flush();
    },
    async close() {
      await flush();
      await inflight;
      await worker.send({type: 'close'});
    },
  };
}

/**
 * Write a table's rows as parts of at most `rowsPerPart` rows into `dir`; no rows, no parts.
 * `onRow` sees every row (the truth's tally).
 */
export async function writeParts(table: Table, dir: string, format: ExportFormat, rowsPerPart: number, legacyNames: boolean, parquet: () => ParquetWorker, onRow: (r: TableRow) => void): Promise<WrittenPart[]> {
  const parts: WrittenPart[] = [];
  let sink: PartSink | null = null;
  let cur: WrittenPart | null = null;
  const max = Math.max(1, Math.floor(rowsPerPart));
  const finish = async () => {
    if (!sink || !cur) return;
    await sink.close();
    cur.byteCount = (await fsp.stat(cur.file)).size;
    sink = null;
  };
  for (const row of table.rows()) {
    if (!cur || cur.rows >= max) {
      await finish();
      if (parts.length === 0) await fsp.mkdir(dir, {recursive: true});
      cur = {file: path.join(dir, partFileName(format, parts.length, legacyNames)), byteCount: 0, rows: 0};
      parts.push(cur);
      sink = format === 'csv' || format === 'csv-gzip'
        ? csvSink(cur.file, table.header, format === 'csv-gzip')
        : parquetSink(parquet(), cur.file, table.header, table.types, format === 'parquet-snappy');
    }
    onRow(row);
    cur.rows++;
    const w = sink!.write(row);
    if (w) await w;
  }
  await finish();
  return parts;
}
