/**
 * One unit of work: a piece of raw input (an EA page, or complete CSV records of a blob) turned
 * into RECORD lines, in one synchronous call with no I/O. The same code runs in a worker
 * thread (work/worker.ts) or on the main thread (work/executor.ts); the main thread then only
 * finishes the ids (the id's second step, id.ts: occurrence suffixes are per day, so they need
 * the units in order) and writes the bytes.
 *
 * Per row: decode → normalize → hash (the id's first step) → enrich (VM, AKS) → track (rules) →
 * serialize.
 */
import {BoundedMemo} from '../decode/bounded-memo';
import {CsvTokenizer} from '../decode/csv';
import {ParquetColumnPlan, ParquetGroupPlan, RowGroupReader} from '../decode/parquet';
import {enrichRecord} from '../enrich';
import {copyDerived, focusFromUsage, keepForFocus} from '../focus/convert';
import {focusExportRowNormalizer, FocusExportNormalized} from '../focus/export-row';
import {FOCUS_ID_END_IN_RECORD_JSON} from '../focus/record';
import {costDetailsRowNormalizer, Normalized, normalizeEaRow} from '../normalize';
import {hashId, hashKey, ID_END_IN_RECORD_JSON} from '../normalize/id';
import {Metric, SourceApi, UsageRecord} from '../normalize/usage-record';
import {applyTracking, CompiledRules, TrackingConflict} from '../track';

/** What every unit of one slice shares. */
export interface UnitJob {
  /** Stream the RECORD lines are written for. */
  stream: string;
  /** False when only the tracking audit is wanted (records are counted, not serialized). */
  emitRecords: boolean;
  /** Whether tracking conflicts are wanted as records (else they are only counted). */
  auditConflicts: boolean;
  metric: Metric;
  sourceApi: SourceApi;
  emittedAt: number;
  /** Rows to keep, by usage date (inclusive ISO days); rows outside are skipped, not rejected (docs/design.md §8). */
  days?: {from: string; to: string};
  /** Make FOCUS records instead of usage records (docs/design.md §15). */
  focus?: {from: 'export' | 'cost_details'; dataset: string};
}

export interface CsvUnitInput {
  kind: 'csv';
  job: UnitJob;
  /** Complete CSV records (UTF-8), cut at a line end, after the header. */
  bytes: Uint8Array;
  header: string[];
  /** The blob's record delimiter, as the tokenizer detected it from the header. */
  delimiter: number;
  /** The last unit of the blob: its last record may lack a line end. */
  final: boolean;
}

export interface EaUnitInput {
  kind: 'ea';
  job: UnitJob;
  /** One EA Reporting API page body, as received. */
  bytes: Uint8Array;
}

/** Rows of one Parquet row group (decode/parquet.ts), turned into the cells a CSV export holds. */
export interface ParquetUnitInput {
  kind: 'parquet';
  job: UnitJob;
  /** Names the row group among the units of this process; increases in file order. */
  key: number;
  header: string[];
  columns: ParquetColumnPlan[];
  group: ParquetGroupPlan;
  /** The group's byte range of the file; shared memory when threads decode it, so no unit copies it. */
  bytes: Uint8Array;
  /** Rows of the group this unit does, end exclusive. */
  rowStart: number;
  rowEnd: number;
}

export type UnitInput = CsvUnitInput | EaUnitInput | ParquetUnitInput;

/** A conflict found on one record of a unit; the main thread adds the final ids. */
export interface UnitConflict {
  /** Index of the record among the unit's records. */
  index: number;
  usage_date: string;
  resource_id: string | null;
  conflict: TrackingConflict;
}

export interface UnitOutput {
  /** RECORD lines; each record's id is provisional (its hash: id.ts), without an occurrence suffix yet. */
  bytes: Uint8Array;
  /** Per record: byte offset in `bytes` just after its provisional id (empty when not emitting). */
  idEnds: Uint32Array;
  /** Per record: its hash's occurrence key (id.ts), for the id's second step. */
  keys: Float64Array;
  /** Per record: its provisional id (only when the unit has conflicts, which need the ids). */
  hashes: string[] | null;
  /** The conflicts found, when the job audits them (empty otherwise). */
  conflicts: UnitConflict[];
  conflictCount: number;
  records: number;
  parseErrors: number;
  rejected: Array<[string, number]>;
}

/** EA page facts the reader needs before the rows are done: where the next page is. */
export interface EaPageMeta {
  nextLink: string | null;
  rows: number;
}

/** Why a unit could not be processed alone; the caller decides what to do. */
export type UnitProblem =
  /** The EA page is not valid JSON (a cut or garbled body: fetch it again). */
  | {problem: 'bad-json'}
  /** The EA page is JSON but has no "data" list. */
  | {problem: 'no-data'}
  /** The CSV unit needs the whole-blob rules (csv-parse fallback, or a cut inside a record). */
  | {problem: 'serial'};

/**
 * Output buffers the main thread gave back once it had written them (at most a few): a unit
 * reuses one that is large enough instead of allocating, so the megabytes of output a read
 * produces do not become garbage on either thread.
 */
const spareBuffers: ArrayBuffer[] = [];
const MAX_SPARE_BUFFERS = 2;

export function offerSpareBuffer(buffer: ArrayBuffer): void {
  if (spareBuffers.length >= MAX_SPARE_BUFFERS) spareBuffers.shift();
  spareBuffers.push(buffer);
}

function outputBuffer(minBytes: number): ArrayBuffer {
  for (let i = 0; i < spareBuffers.length; i++) {
    if (spareBuffers[i].byteLength >= minBytes) return spareBuffers.splice(i, 1)[0];
  }
  return new ArrayBuffer(minBytes);
}

/** Grows as needed; one buffer per unit in the usual case (sized from the input, or reused). */
class LineBuffer {
  buf: Buffer;
  used = 0;

  constructor(estimate: number) {
    this.buf = Buffer.from(outputBuffer(Math.max(4096, estimate)));
  }

  write(line: string): number {
    const start = this.used;
    if (this.used + line.length * 3 > this.buf.length) {
      const need = this.used + Buffer.byteLength(line);
      if (need > this.buf.length) {
        const bigger = Buffer.from(new ArrayBuffer(Math.max(need, this.buf.length * 2)));
        this.buf.copy(bigger, 0, 0, this.used);
        this.buf = bigger;
      }
    }
    this.used += this.buf.write(line, this.used);
    return start;
  }
}

/**
 * The rows of one unit, from normalized rows to output. Holds the unit's results; one per unit.
 */
export class UnitWriter {
  private readonly out: LineBuffer;
  private readonly prefix: string;
  /** Bytes from a line's start to the end of its provisional id (id.ts). */
  private readonly idOffset: number;
  private keys: Float64Array;
  private idEnds: Uint32Array;
  private hashes: string[] = [];
  private readonly conflicts: UnitConflict[] = [];
  private conflictCount = 0;
  private readonly rejected = new Map<string, number>();
  private count = 0;
  private parseErrors = 0;

  constructor(
    private readonly job: UnitJob,
    private readonly rules: CompiledRules,
    estimatedBytes: number,
    expectedRows: number,
  ) {
    this.out = new LineBuffer(job.emitRecords ? estimatedBytes : 0);
    this.prefix = `{"type":"RECORD","record":{"stream":${JSON.stringify(job.stream)},"emitted_at":${job.emittedAt},"data":`;
    this.idOffset = Buffer.byteLength(this.prefix) + (job.focus ? FOCUS_ID_END_IN_RECORD_JSON : ID_END_IN_RECORD_JSON);
    const capacity = Math.max(16, expectedRows);
    this.keys = new Float64Array(capacity);
    this.idEnds = new Uint32Array(job.emitRecords ? capacity : 0);
  }

  add(item: Normalized | FocusExportNormalized): void {
    const record = item.record;
    if (!record) {
      const reason = item.rejected ?? 'rejected';
      this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
      return;
    }
    // An export file covers a whole month: days the sync does not read are skipped (docs/design.md §14).
    const days = this.job.days;
    if (days !== undefined && (record.usage_date < days.from || record.usage_date > days.to)) return;
    // FOCUS (docs/design.md §15): a Cost Details row the conversion does not keep is no record
    if (this.job.focus && !('focus' in item) && !keepForFocus(record)) return;
    this.emit(record, 'focus' in item ? item.focus : undefined);
  }

  /** `exported`: the FOCUS record an export row already is (its usage view is `record`). */
  private emit(record: UsageRecord, exported?: Record<string, unknown>): void {
    let key: number;
    if (exported) {
      record.id = exported.x_RecordId as string; // the export row's own hash (focus/export-row.ts)
      key = hashKey(record.id);
    } else {
      key = hashId(record); // the id's first step; the main thread finishes it (id.ts)
    }
    const hash = record.id;
    enrichRecord(record);
    const conflicts = applyTracking(this.rules, record);
    const index = this.count++;
    if (index >= this.keys.length) this.grow();
    this.keys[index] = key;
    if (this.job.auditConflicts) this.hashes.push(hash); // conflict records name their record's id
    if (conflicts.length > 0) {
      this.conflictCount += conflicts.length;
      if (this.job.auditConflicts) {
        for (const conflict of conflicts) this.conflicts.push({index, usage_date: record.usage_date, resource_id: record.resource_id, conflict});
      }
    }
    if (record.parse_errors.length > 0) this.parseErrors++;
    if (this.job.emitRecords) {
      // three writes, not one concatenation: no 2 KB string copied just to be encoded
      const start = this.out.write(this.prefix);
      const focus = this.job.focus;
      if (focus === undefined) this.out.write(JSON.stringify(record));
      else if (exported) {
        copyDerived(exported, record, focus.dataset);
        this.out.write(JSON.stringify(exported));
      } else this.out.write(JSON.stringify(focusFromUsage(record, focus.dataset)));
      this.out.write('}}\n');
      this.idEnds[index] = start + this.idOffset;
    }
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    if (this.job.emitRecords) {
      const ends = new Uint32Array(this.idEnds.length * 2);
      ends.set(this.idEnds);
      this.idEnds = ends;
    }
  }

  finish(): UnitOutput {
    return {
      bytes: new Uint8Array(this.out.buf.buffer, 0, this.out.used),
      idEnds: this.idEnds.subarray(0, this.job.emitRecords ? this.count : 0),
      keys: this.keys.subarray(0, this.count),
      hashes: this.conflicts.length > 0 ? this.hashes : null,
      conflicts: this.conflicts,
      conflictCount: this.conflictCount,
      records: this.count,
      parseErrors: this.parseErrors,
      rejected: [...this.rejected.entries()],
    };
  }
}

/** Buffers the output holds, to hand to postMessage as transferables. */
export function transferables(out: UnitOutput): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const a of [out.bytes, out.idEnds, out.keys]) {
    if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0 && !list.includes(a.buffer)) list.push(a.buffer);
  }
  return list;
}

// ------------------------------------------------------------------------------------------
// EA pages

const utf8 = new TextDecoder('utf-8');

/** Parses an EA page body; the problem when it cannot be used. */
export function parseEaPage(bytes: Uint8Array): {rows: unknown[]; meta: EaPageMeta} | UnitProblem {
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(bytes));
  } catch {
    return {problem: 'bad-json'};
  }
  const page = body as {data?: unknown; nextLink?: unknown} | null;
  if (!page || typeof page !== 'object' || !Array.isArray(page.data)) return {problem: 'no-data'};
  const nextLink = typeof page.nextLink === 'string' && page.nextLink ? page.nextLink : null;
  return {rows: page.data, meta: {nextLink, rows: page.data.length}};
}

/**
 * The rows of a parsed EA page into a unit's output, a few at a time (`step`), so a worker can
 * parse the next page as soon as it arrives instead of after this one: the next page's link is
 * what the reader waits for. Rows are released as they are done.
 */
export class EaRowsJob {
  private readonly writer: UnitWriter;
  private readonly ctx: {metric: Metric; sourceApi: SourceApi};
  private at = 0;

  constructor(
    private readonly rows: unknown[],
    input: EaUnitInput,
    rules: CompiledRules,
  ) {
    // RECORD lines run about 1.6 times the EA JSON of their rows
    this.writer = new UnitWriter(input.job, rules, Math.ceil(input.bytes.length * 1.6), rows.length);
    this.ctx = {metric: input.job.metric, sourceApi: input.job.sourceApi};
  }

  /** Processes up to `maxRows` more rows; true once every row is done. */
  step(maxRows: number): boolean {
    const rows = this.rows;
    const end = Math.min(rows.length, this.at + maxRows);
    for (let i = this.at; i < end; i++) {
      this.writer.add(normalizeEaRow(rows[i] as Record<string, unknown>, this.ctx));
      rows[i] = null; // let the raw row go
    }
    this.at = end;
    return end >= rows.length;
  }

  finish(): UnitOutput {
    return this.writer.finish();
  }
}

/** The rows of a parsed EA page into a unit's output, all at once. */
export function processEaRows(rows: unknown[], input: EaUnitInput, rules: CompiledRules): UnitOutput {
  const job = new EaRowsJob(rows, input, rules);
  job.step(rows.length);
  return job.finish();
}

// ------------------------------------------------------------------------------------------
// CSV records

/** Rows tokenized at a time: small batches die young (cheap for the scavenger). */
const ROWS_PER_SCAN = 100;

/** Row normalizers by header (a worker sees the same few headers over and over). */
const normalizers = new BoundedMemo<(row: string[]) => Normalized>(64);

export function normalizerFor(header: string[], metric: Metric, sourceApi: SourceApi, focus?: UnitJob['focus']): (row: string[]) => Normalized {
  const fromExport = focus?.from === 'export';
  const key = (fromExport ? 'focus\u0000' : '') + metric + '\u0000' + sourceApi + '\u0000' + header.join('\u0000');
  let n = normalizers.get(key);
  if (!n) {
    // a FocusCost export's rows are FOCUS already: read by name (focus/export-row.ts)
    n = fromExport ? focusExportRowNormalizer(header, sourceApi) : costDetailsRowNormalizer(header, {metric, sourceApi});
    normalizers.set(key, n);
  }
  return n;
}

/**
 * The records of a CSV unit. The unit must hold whole records only and be parseable by the fast
 * tokenizer alone; otherwise it is a `serial` problem and the caller reads the rest of the blob
 * with the whole-blob decoder (which has csv-parse's rarer rules).
 */
export function processCsvUnit(input: CsvUnitInput, rules: CompiledRules): UnitOutput | UnitProblem {
  const text = utf8.decode(input.bytes);
  const tok = new CsvTokenizer();
  tok.header = input.header;
  tok.delimiter = input.delimiter;
  const normalize = normalizerFor(input.header, input.job.metric, input.job.sourceApi, input.job.focus);
  // RECORD lines run about 2.6 times the CSV text of their rows
  const writer = new UnitWriter(input.job, rules, Math.ceil(input.bytes.length * 2.6), Math.ceil(input.bytes.length / 700));
  let pos = 0;
  try {
    for (;;) {
      pos = tok.scan(text, pos, input.final, ROWS_PER_SCAN);
      const rows = tok.rows;
      tok.rows = [];
      for (let i = 0; i < rows.length; i++) writer.add(normalize(rows[i]));
      if (tok.anomaly) return {problem: 'serial'};
      if (rows.length < ROWS_PER_SCAN) break;
    }
  } catch {
    // e.g. a quoted field not closed at the end of the blob: the whole-blob decoder says so
    return {problem: 'serial'};
  }
  if (pos !== text.length) return {problem: 'serial'};
  return writer.finish();
}

/** Rows already tokenized on the main thread (the whole-blob path) into a unit's output. */
export function processCsvRows(rows: string[][], header: string[], job: UnitJob, rules: CompiledRules): UnitOutput {
  const normalize = normalizerFor(header, job.metric, job.sourceApi, job.focus);
  const writer = new UnitWriter(job, rules, rows.length * 2500, rows.length);
  for (let i = 0; i < rows.length; i++) writer.add(normalize(rows[i]));
  return writer.finish();
}

// ------------------------------------------------------------------------------------------
// Parquet row groups

/**
 * The reader of the row group this thread last worked on: the next unit of the same group
 * usually starts where it stopped, so its pages are not decoded again.
 */
let parquetReader: {key: number; reader: RowGroupReader} | null = null;

/**
 * The records of a Parquet unit: its rows as cells, then the CSV rows' path (normalizerFor and
 * UnitWriter, as processCsvRows), so a Parquet and a CSV export of the same rows give the same
 * RECORD lines.
 */
export function processParquetUnit(input: ParquetUnitInput, rules: CompiledRules): UnitOutput {
  let held = parquetReader;
  // units come in file order: a unit of a later group means the held one is done on this thread
  if (!held || held.key !== input.key || held.reader.position > input.rowStart) {
    held = {key: input.key, reader: new RowGroupReader(input.columns, input.group, input.bytes)};
  }
  parquetReader = null; // not held across a failure
  const reader = held.reader;
  reader.seek(input.rowStart);
  const normalize = normalizerFor(input.header, input.job.metric, input.job.sourceApi, input.job.focus);
  const count = input.rowEnd - input.rowStart;
  const writer = new UnitWriter(input.job, rules, count * 2500, count);
  // a few rows at a time, as the CSV tokenizer hands them over: small batches die young
  for (let left = count; left > 0; left -= ROWS_PER_SCAN) {
    const rows = reader.read(Math.min(ROWS_PER_SCAN, left));
    for (let i = 0; i < rows.length; i++) writer.add(normalize(rows[i]));
  }
  if (input.rowEnd < input.group.rows) parquetReader = held;
  return writer.finish();
}

/** The error an EA page's records reject with when the page could not be used (the reader reports the meta). */
export function unusablePage(problem: UnitProblem): Error {
  return new Error(`EA page not usable: ${problem.problem}`);
}

export function isProblem(x: unknown): x is UnitProblem {
  return typeof x === 'object' && x !== null && 'problem' in x;
}
