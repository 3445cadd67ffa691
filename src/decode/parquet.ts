/**
 * Parquet exports (docs/design.md §14): a file's footer into a plan, and a row group's bytes into
 * the string cells a CSV export of the same rows holds, one row at a time. hyparquet does the
 * format (thrift, encodings, snappy); the page walk is ours so that memory stays bounded: a row
 * group's compressed bytes plus one decoded page per column, never a whole decoded row group.
 *
 * Cells are text as a CSV export writes it: DECIMAL exactly (never through a float), DATE as
 * `YYYY-MM-DD`, timestamps as ISO 8601, strings as UTF-8, null as the empty cell.
 */
import type {CompressionCodec, DataReader, FileMetaData, PageHeader, ParquetType, SchemaElement} from 'hyparquet';
import {parquetMetadata} from 'hyparquet';
import {parquetHeader} from 'hyparquet/src/column.js';
import {decompressPage, readDataPage, readDataPageV2} from 'hyparquet/src/datapage.js';
import {readRleBitPackedHybrid} from 'hyparquet/src/encoding.js';
import {readPlain} from 'hyparquet/src/plain.js';

/** Bytes of a file read by range (a blob's Range GETs, or a local file in tests); `end` exclusive. */
export interface RangeSource {
  readonly byteLength: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** How a column's values become cell text. */
export type CellKind =
  | {kind: 'string'}
  | {kind: 'decimal'; scale: number}
  | {kind: 'date'}
  | {kind: 'timestamp'; unit: 'MILLIS' | 'MICROS' | 'NANOS'; utc: boolean}
  | {kind: 'int96'}
  | {kind: 'number'}
  | {kind: 'unsigned'}
  | {kind: 'boolean'}
  | {kind: 'uuid'};

export interface ParquetColumnPlan {
  name: string;
  type: ParquetType;
  typeLength?: number;
  optional: boolean;
  cell: CellKind;
}

export interface ParquetChunkPlan {
  /** Start of the column chunk, relative to its group's `start`. */
  offset: number;
  length: number;
  codec: CompressionCodec;
}

export interface ParquetGroupPlan {
  /** Byte range of the file holding every column chunk of the group (end exclusive). */
  start: number;
  end: number;
  rows: number;
  /** One per column, in column order. */
  chunks: ParquetChunkPlan[];
}

/** What a worker needs to decode any row group of a file: small, plain data (structured-cloneable). */
export interface ParquetPlan {
  header: string[];
  columns: ParquetColumnPlan[];
  groups: ParquetGroupPlan[];
  rows: number;
}

/** The footer's tail is read in one request of this size (most footers fit). */
const TAIL_BYTES = 64 * 1024;

/** Reads and parses a file's footer. */
export async function readParquetPlan(source: RangeSource): Promise<ParquetPlan> {
  const size = source.byteLength;
  if (size < 12) throw new Error(`not a Parquet file (${size} bytes)`);
  let tailStart = Math.max(0, size - TAIL_BYTES);
  let tail = await source.read(tailStart, size);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.byteLength - 4, true) !== 0x31524150) throw new Error('not a Parquet file (no PAR1 at its end)');
  const metadataLength = view.getUint32(tail.byteLength - 8, true);
  if (metadataLength + 8 > size - 4) throw new Error('Parquet footer length is past the start of the file');
  if (metadataLength + 8 > tail.byteLength) {
    tailStart = size - 8 - metadataLength;
    tail = await source.read(tailStart, size);
  }
  return planParquet(parquetMetadata(tail.slice(tail.byteLength - 8 - metadataLength)));
}

function cellKind(e: SchemaElement): CellKind {
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (lt?.type === 'DECIMAL') return {kind: 'decimal', scale: lt.scale ?? e.scale ?? 0};
  if (ct === 'DECIMAL') return {kind: 'decimal', scale: e.scale ?? 0};
  if (lt?.type === 'DATE' || ct === 'DATE') return {kind: 'date'};
  if (lt?.type === 'TIMESTAMP') return {kind: 'timestamp', unit: lt.unit, utc: lt.isAdjustedToUTC};
  if (ct === 'TIMESTAMP_MILLIS') return {kind: 'timestamp', unit: 'MILLIS', utc: true};
  if (ct === 'TIMESTAMP_MICROS') return {kind: 'timestamp', unit: 'MICROS', utc: true};
  if (lt?.type === 'UUID') return {kind: 'uuid'};
  if (lt?.type === 'INTEGER' && !lt.isSigned) return {kind: 'unsigned'};
  if (ct === 'UINT_8' || ct === 'UINT_16' || ct === 'UINT_32' || ct === 'UINT_64') return {kind: 'unsigned'};
  switch (e.type) {
    case 'INT96':
      return {kind: 'int96'};
    case 'BOOLEAN':
      return {kind: 'boolean'};
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return {kind: 'string'};
    default:
      return {kind: 'number'};
  }
}

/** The plan of a parsed footer. Exports hold flat columns only; anything nested is an error. */
export function planParquet(metadata: FileMetaData): ParquetPlan {
  const [, ...fields] = metadata.schema;
  const columns: ParquetColumnPlan[] = fields.map((e) => {
    if (e.num_children || e.repetition_type === 'REPEATED' || !e.type) throw new Error(`Parquet column ${e.name} is nested; export files hold flat columns only`);
    return {name: e.name, type: e.type, typeLength: e.type_length, optional: e.repetition_type !== 'REQUIRED', cell: cellKind(e)};
  });
  const groups = metadata.row_groups.map((g, i): ParquetGroupPlan => {
    if (g.columns.length !== columns.length) throw new Error(`Parquet row group ${i} has ${g.columns.length} columns, the schema ${columns.length}`);
    const ranges = g.columns.map((c, j) => {
      const m = c.meta_data;
      if (!m || m.path_in_schema.length !== 1 || m.path_in_schema[0] !== columns[j].name) throw new Error(`Parquet row group ${i}: column ${j} is not ${columns[j].name}`);
      const data = Number(m.data_page_offset);
      const dict = m.dictionary_page_offset === undefined ? 0 : Number(m.dictionary_page_offset);
      // some writers put 0 (or garbage past the data) in dictionary_page_offset
      const start = dict > 0 && dict < data ? dict : data;
      return {start, length: Number(m.total_compressed_size), codec: m.codec};
    });
    const start = Math.min(...ranges.map((r) => r.start));
    const end = Math.max(...ranges.map((r) => r.start + r.length));
    return {start, end, rows: Number(g.num_rows), chunks: ranges.map((r) => ({offset: r.start - start, length: r.length, codec: r.codec}))};
  });
  return {header: columns.map((c) => c.name), columns, groups, rows: Number(metadata.num_rows)};
}

// ------------------------------------------------------------------------------------------
// cells

const utf8 = new TextDecoder('utf-8');
const EMPTY: ArrayLike<unknown> = [];

/** UTF-8 to text; short ASCII (most cells) without the decoder's call overhead. */
function text(b: Uint8Array): string {
  const n = b.length;
  if (n > 32) return utf8.decode(b);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c > 127) return utf8.decode(b);
    s += String.fromCharCode(c);
  }
  return s;
}

/** Unscaled integer digits and a scale to decimal text: `-12345`, 3 → `-12.345`. */
export function decimalText(unscaled: bigint | number, scale: number): string {
  const neg = unscaled < 0;
  let digits = String(neg ? -unscaled : unscaled);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
  } else if (scale < 0) {
    digits += '0'.repeat(-scale);
  }
  return neg ? '-' + digits : digits;
}

/** A big-endian two's complement integer (DECIMAL in a byte array), exactly. */
export function bytesToBigInt(b: Uint8Array): bigint | number {
  const n = b.length;
  if (n === 0) return 0;
  const negative = b[0] >= 128;
  const pad = negative ? 255 : 0;
  let i = 0;
  while (i < n - 1 && b[i] === pad && (b[i + 1] >= 128) === negative) i++;
  if (n - i <= 6) {
    // up to 48 bits: exact in a double
    let v = 0;
    for (let j = i; j < n; j++) v = v * 256 + b[j];
    return negative ? v - 2 ** (8 * (n - i)) : v;
  }
  let hex = '';
  for (let j = i; j < n; j++) hex += (b[j] < 16 ? '0' : '') + b[j].toString(16);
  const v = BigInt('0x' + hex);
  return negative ? v - (1n << BigInt(8 * (n - i))) : v;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function dateText(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  return `${y < 1000 ? pad(y, 4) : y}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Seconds since the epoch plus a fraction (in `fractionDigits` digits) to ISO text. */
function isoText(seconds: number, fraction: number, fractionDigits: number, utc: boolean): string {
  const d = new Date(seconds * 1000);
  let s = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
  if (fraction > 0) s += '.' + pad(fraction, fractionDigits).replace(/0+$/, '');
  return utc ? s + 'Z' : s;
}

function timestampText(v: bigint, unit: 'MILLIS' | 'MICROS' | 'NANOS', utc: boolean): string {
  const per = unit === 'MILLIS' ? 1000n : unit === 'MICROS' ? 1_000_000n : 1_000_000_000n;
  let secs = v / per;
  let frac = v % per;
  if (frac < 0n) {
    frac += per;
    secs -= 1n;
  }
  return isoText(Number(secs), Number(frac), unit === 'MILLIS' ? 3 : unit === 'MICROS' ? 6 : 9, utc);
}

function int96Text(v: bigint): string {
  // low 64 bits: nanoseconds of the day; high 32 bits: Julian day
  const nanosOfDay = BigInt.asUintN(64, v);
  const days = (v >> 64n) - 2_440_588n;
  return timestampText(days * 86_400_000_000_000n + nanosOfDay, 'NANOS', true);
}

function uuidText(b: Uint8Array): string {
  let hex = '';
  for (let i = 0; i < b.length; i++) hex += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The function turning one raw value (as hyparquet's plain/dictionary decoders give it) into its cell. */
export function cellFormatter(column: ParquetColumnPlan): (raw: unknown) => string {
  const cell = column.cell;
  switch (cell.kind) {
    case 'string':
      return (raw) => (raw instanceof Uint8Array ? text(raw) : String(raw));
    case 'decimal': {
      const scale = cell.scale;
      return (raw) => {
        if (raw instanceof Uint8Array) return decimalText(bytesToBigInt(raw), scale);
        return decimalText(raw as number | bigint, scale);
      };
    }
    case 'date':
      return (raw) => dateText(Number(raw));
    case 'timestamp': {
      const {unit, utc} = cell;
      return (raw) => timestampText(BigInt(raw as bigint), unit, utc);
    }
    case 'int96':
      return (raw) => int96Text(raw as bigint);
    case 'unsigned':
      return column.type === 'INT64' ? (raw) => String(BigInt.asUintN(64, raw as bigint)) : (raw) => String((raw as number) >>> 0);
    case 'boolean':
      return (raw) => (raw ? 'True' : 'False');
    case 'uuid':
      return (raw) => uuidText(raw as Uint8Array);
    case 'number':
      return (raw) => String(raw);
  }
}

// ------------------------------------------------------------------------------------------
// the page walk

/** One column chunk read page by page; the cell of the next row on each `next()`. */
class ColumnReader {
  private readonly reader: DataReader;
  private readonly end: number;
  private readonly format: (raw: unknown) => string;
  private readonly decoder: Parameters<typeof readDataPageV2>[2];
  private readonly maxDef: number;
  private dict: string[] | null = null;
  private defBuffer = new Uint8Array(0);
  private indexBuffer = new Int32Array(0);
  private defs: ArrayLike<number> | undefined;
  private values: ArrayLike<unknown> = [];
  private fromDict = false;
  /**
   * Plain byte arrays stay in their page: the current page's bytes and, for BYTE_ARRAY, each
   * value's [start, end) in `spans` (reused). Not an array of views per value: a page holds tens
   * of thousands of values, and such arrays, held while the page is read, were most of a
   * worker's heap.
   */
  private plainBytes: 'none' | 'var' | 'fixed' = 'none';
  private page: Uint8Array = new Uint8Array(0);
  private spans = new Int32Array(0);
  /** What readValues left for setPage (the fallback path leaves 'none'). */
  private pendingPlain: 'none' | 'var' | 'fixed' = 'none';
  private fixedStart = 0;
  private pageRows = 0;
  private at = 0;
  private vi = 0;

  constructor(bytes: Uint8Array, chunk: ParquetChunkPlan, private readonly column: ParquetColumnPlan) {
    this.reader = {view: new DataView(bytes.buffer, bytes.byteOffset + chunk.offset, chunk.length), offset: 0};
    this.end = chunk.length;
    this.format = cellFormatter(column);
    this.maxDef = column.optional ? 1 : 0;
    const element: SchemaElement = {name: column.name, type: column.type, type_length: column.typeLength, repetition_type: column.optional ? 'OPTIONAL' : 'REQUIRED'};
    this.decoder = {
      pathInSchema: [column.name],
      type: column.type,
      element,
      schemaPath: [
        {element: {name: 'schema'}, children: [], count: 1, path: []},
        {element, children: [], count: 1, path: [column.name]},
      ],
      codec: chunk.codec,
      parsers: undefined as never, // only the conversion step uses them, and it is not called
    };
  }

  /** The next row's cell. */
  next(): string {
    while (this.at >= this.pageRows) this.load(0);
    const i = this.at++;
    const defs = this.defs;
    if (defs !== undefined && defs.length > 0 && defs[i] !== this.maxDef) return '';
    const vi = this.vi++;
    if (this.fromDict) return this.dict![this.values[vi] as number];
    if (this.plainBytes === 'var') return this.format(this.page.subarray(this.spans[2 * vi], this.spans[2 * vi + 1]));
    if (this.plainBytes === 'fixed') {
      const start = this.fixedStart + vi * this.column.typeLength!;
      return this.format(this.page.subarray(start, start + this.column.typeLength!));
    }
    return this.format(this.values[vi]);
  }

  /** Moves past `n` rows, without decoding the pages it can step over whole. */
  skip(n: number): void {
    while (n > 0) {
      const left = this.pageRows - this.at;
      if (left <= 0) {
        n -= this.load(n);
        continue;
      }
      const k = Math.min(left, n);
      const defs = this.defs;
      if (defs !== undefined && defs.length > 0) {
        for (let i = this.at; i < this.at + k; i++) if (defs[i] === this.maxDef) this.vi++;
      } else {
        this.vi += k;
      }
      this.at += k;
      n -= k;
    }
  }

  /**
   * Reads the next page. A data page of no more than `skipRows` rows is stepped over (its row
   * count returned); otherwise it becomes the current page (0 returned).
   */
  private load(skipRows: number): number {
    const r = this.reader;
    if (r.offset >= this.end) throw new Error(`Parquet column ${this.column.name}: the column chunk ended before its row group's last row`);
    const header: PageHeader = parquetHeader(r);
    const size = header.compressed_page_size;
    const compressed = new Uint8Array(r.view.buffer, r.view.byteOffset + r.offset, size);
    r.offset += size;
    if (header.type === 'DICTIONARY_PAGE') {
      const dh = header.dictionary_page_header!;
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), this.decoder.codec, undefined);
      const raw = readPlain({view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0}, this.column.type, dh.num_values, this.column.typeLength);
      const dict = new Array<string>(raw.length);
      for (let i = 0; i < raw.length; i++) dict[i] = this.format(raw[i]);
      this.dict = dict;
      return 0;
    }
    if (header.type === 'DATA_PAGE') {
      const dh = header.data_page_header!;
      if (dh.num_values <= skipRows) return dh.num_values;
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), this.decoder.codec, undefined);
      if (!this.fastEncoding(dh.encoding) || dh.definition_level_encoding !== 'RLE') {
        const {definitionLevels, dataPage} = readDataPage(page, dh, this.decoder);
        this.setPage(dh.num_values, dh.encoding, definitionLevels, dataPage);
        return 0;
      }
      const reader = {view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0};
      // v1: the definition levels (length-prefixed) and the values share the compressed page
      const defs = this.maxDef > 0 ? this.levels(reader, dh.num_values, undefined) : undefined;
      this.values = this.readValues(reader, dh.encoding, dh.num_values - this.nulls(defs, dh.num_values));
      this.setPage(dh.num_values, dh.encoding, defs, this.values);
      return 0;
    }
    if (header.type === 'DATA_PAGE_V2') {
      const dh = header.data_page_header_v2!;
      if (dh.num_rows <= skipRows) return dh.num_rows;
      if (!this.fastEncoding(dh.encoding) || dh.repetition_levels_byte_length > 0) {
        const {definitionLevels, dataPage} = readDataPageV2(compressed, header, this.decoder);
        this.setPage(dh.num_rows, dh.encoding, definitionLevels, dataPage);
        return 0;
      }
      // v2: the levels come first, never compressed; then the values, compressed or not
      const levelBytes = dh.definition_levels_byte_length;
      const defs = this.maxDef > 0 ? this.levels({view: new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength), offset: 0}, dh.num_values, levelBytes) : undefined;
      let body = compressed.subarray(levelBytes);
      const bodySize = Number(header.uncompressed_page_size) - levelBytes;
      if (dh.is_compressed !== false && bodySize > 0) body = decompressPage(body, bodySize, this.decoder.codec, undefined);
      const reader = {view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0};
      this.values = this.readValues(reader, dh.encoding, dh.num_values - dh.num_nulls);
      this.setPage(dh.num_rows, dh.encoding, defs, this.values);
      return 0;
    }
    return 0; // index pages: nothing to read
  }

  /** Encodings read here into reused buffers; others go through hyparquet's page reader. */
  private fastEncoding(encoding: string): boolean {
    return encoding === 'PLAIN' || encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
  }

  /**
   * A page's definition levels into this column's reused buffer: a page's levels are as many as
   * its rows (often 20,000 and more), and a fresh array per page per column is garbage the size
   * of the row group (V8 puts arrays that big in its large-object space).
   */
  private levels(reader: DataReader, count: number, length: number | undefined): Uint8Array {
    if (this.defBuffer.length < count) this.defBuffer = new Uint8Array(Math.max(count, this.defBuffer.length * 2));
    const defs = this.defBuffer.subarray(0, count);
    readRleBitPackedHybrid(reader, 1, defs, length);
    return defs;
  }

  private nulls(defs: Uint8Array | undefined, count: number): number {
    if (!defs) return 0;
    let present = 0;
    for (let i = 0; i < count; i++) present += defs[i];
    return count - present;
  }

  private readValues(reader: DataReader, encoding: string, count: number): ArrayLike<unknown> {
    if (encoding === 'PLAIN') {
      const type = this.column.type;
      if (type !== 'BYTE_ARRAY' && type !== 'FIXED_LEN_BYTE_ARRAY') return readPlain(reader, type, count, this.column.typeLength);
      const view = reader.view;
      this.page = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      if (type === 'FIXED_LEN_BYTE_ARRAY') {
        if (!this.column.typeLength) throw new Error(`Parquet column ${this.column.name}: FIXED_LEN_BYTE_ARRAY without a length`);
        this.fixedStart = reader.offset;
        reader.offset += count * this.column.typeLength;
        this.pendingPlain = 'fixed';
        return EMPTY;
      }
      if (this.spans.length < 2 * count) this.spans = new Int32Array(Math.max(2 * count, this.spans.length * 2));
      const spans = this.spans;
      let at = reader.offset;
      for (let i = 0; i < count; i++) {
        const length = view.getUint32(at, true);
        at += 4;
        spans[2 * i] = at;
        spans[2 * i + 1] = at + length;
        at += length;
      }
      if (at > view.byteLength) throw new Error(`Parquet column ${this.column.name}: a page's values run past its end`);
      reader.offset = at;
      this.pendingPlain = 'var';
      return EMPTY;
    }
    // dictionary indices, into this column's reused buffer
    if (this.indexBuffer.length < count) this.indexBuffer = new Int32Array(Math.max(count, this.indexBuffer.length * 2));
    const out = this.indexBuffer.subarray(0, count);
    const bitWidth = reader.view.getUint8(reader.offset++);
    if (bitWidth === 0) out.fill(0);
    else readRleBitPackedHybrid(reader, bitWidth, out, reader.view.byteLength - reader.offset);
    return out;
  }

  private setPage(rows: number, encoding: string, defs: ArrayLike<number> | undefined, values: ArrayLike<unknown>): void {
    this.plainBytes = this.pendingPlain;
    this.pendingPlain = 'none';
    this.fromDict = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
    if (this.fromDict && !this.dict) throw new Error(`Parquet column ${this.column.name}: a dictionary-encoded page without a dictionary`);
    this.pageRows = rows;
    this.defs = defs;
    this.values = values;
    this.at = 0;
    this.vi = 0;
  }
}

/**
 * The rows of one row group, in order, from its bytes (the group's byte range of the file).
 * Holds one decoded page per column at a time.
 */
export class RowGroupReader {
  private readonly columns: ColumnReader[];
  private row = 0;
  readonly rows: number;

  constructor(columns: ParquetColumnPlan[], group: ParquetGroupPlan, bytes: Uint8Array) {
    if (bytes.byteLength < group.end - group.start) throw new Error(`Parquet row group: ${bytes.byteLength} bytes for a ${group.end - group.start}-byte range`);
    this.rows = group.rows;
    this.columns = columns.map((c, i) => new ColumnReader(bytes, group.chunks[i], c));
  }

  /** The index of the next row. */
  get position(): number {
    return this.row;
  }

  /** Moves forward to row `to` of the group. */
  seek(to: number): void {
    if (to < this.row) throw new Error('RowGroupReader only moves forward');
    const n = to - this.row;
    for (const c of this.columns) c.skip(n);
    this.row = to;
  }

  /** Up to `max` rows of cells. */
  read(max: number): string[][] {
    const n = Math.min(max, this.rows - this.row);
    const out = new Array<string[]>(n);
    const cols = this.columns;
    const width = cols.length;
    for (let r = 0; r < n; r++) {
      const row = new Array<string>(width);
      for (let c = 0; c < width; c++) row[c] = cols[c].next();
      out[r] = row;
    }
    this.row += n;
    return out;
  }
}

export interface ParquetRowBatchOptions {
  /** Rows per batch (default 1000). */
  batchSize?: number;
}

/** A Parquet file's rows as CSV-like cells, on this thread, one row group in memory at a time. */
export async function* parquetRowBatches(source: RangeSource, opts: ParquetRowBatchOptions = {}): AsyncGenerator<{header: string[]; rows: string[][]}> {
  const batchSize = Math.max(1, opts.batchSize ?? 1000);
  const plan = await readParquetPlan(source);
  for (let g = 0; g < plan.groups.length; g++) {
    const group = plan.groups[g];
    if (group.rows === 0) continue;
    const reader = new RowGroupReader(plan.columns, group, await source.read(group.start, group.end));
    while (reader.position < reader.rows) yield {header: plan.header, rows: reader.read(batchSize)};
  }
}
