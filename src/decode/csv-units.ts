import {CsvTokenizer} from './csv';

const QUOTE = 0x22;
const LF = 0x0a;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** A record longer than this (or a quote that never closes) is left to the whole-blob decoder. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/** A piece of a blob: whole records, cut at a line end (the last piece may end without one). */
export interface CsvPiece {
  bytes: Uint8Array;
  final: boolean;
}

/**
 * End of the last complete record in `buf` (the index after its LF), or -1: a LF ends a record
 * when the quotes before it are balanced. That is exact for RFC 4180 records; a stray quote in
 * an unquoted field fools it, which the unit's tokenizer then detects (it must end exactly at
 * the cut), and the blob goes to the whole-blob decoder from there.
 */
export function lastRecordEnd(buf: Uint8Array, from = 0): number {
  let i = from;
  let cut = -1;
  const n = buf.length;
  for (;;) {
    // outside quotes: the last LF before the next quote is a record end
    const q = buf.indexOf(QUOTE, i);
    const stop = q < 0 ? n : q;
    if (stop > i) {
      const lf = buf.lastIndexOf(LF, stop - 1);
      if (lf >= i) cut = lf + 1;
    }
    if (q < 0) return cut;
    // inside quotes: skip to the closing quote ("" inside is two toggles, which cancel out)
    const close = buf.indexOf(QUOTE, q + 1);
    if (close < 0) return cut;
    i = close + 1;
  }
}

/**
 * Cuts a CSV blob, as it streams in, into pieces of about `pieceBytes` whole records each, so
 * they can be decoded in parallel and their records put back in order. The header is tokenized
 * here (every piece is decoded with it). Only whole-blob anomalies are not cut: `next()` then
 * answers 'serial' and `rest()` gives the bytes from where cutting stopped.
 */
export class CsvBlobSplitter {
  header: string[] | null = null;
  delimiter = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  /** Bytes before the header is complete, kept as received (BOM included) for `rest()`. */
  private headerBytes: Buffer[] = [];

  constructor(
    private readonly input: AsyncIterator<Buffer | string>,
    private readonly pieceBytes = 1 << 20,
  ) {}

  /** The next piece; null at the end of the blob; 'serial' when the rest must be decoded whole. */
  async next(): Promise<CsvPiece | 'serial' | null> {
    if (this.header === null) {
      const ok = await this.readHeader();
      if (ok !== true) return ok;
    }
    for (;;) {
      if (this.pendingBytes >= this.pieceBytes || (this.ended && this.pendingBytes > 0)) {
        const buf = this.takeAll();
        let cut = this.ended ? buf.length : -1;
        // a piece of about pieceBytes even when the input arrives in bigger chunks
        if (cut < 0 && buf.length > this.pieceBytes * 2) cut = lastRecordEnd(buf.subarray(0, this.pieceBytes * 2));
        if (cut < 0) cut = lastRecordEnd(buf);
        if (cut > 0) {
          const piece = new Uint8Array(cut);
          piece.set(buf.subarray(0, cut));
          if (cut < buf.length) this.keep(Buffer.from(buf.subarray(cut)));
          return {bytes: piece, final: this.ended && this.pendingBytes === 0};
        }
        this.keep(buf);
        if (this.pendingBytes > MAX_PENDING_BYTES) return 'serial';
      }
      if (this.ended) return null;
      await this.read();
    }
  }

  /** The bytes not handed out as pieces, then the rest of the input (for the whole-blob decoder). */
  async *rest(): AsyncGenerator<Buffer> {
    if (this.header === null) {
      for (const b of this.headerBytes) yield b;
      this.headerBytes = [];
    }
    const held = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const b of held) yield b;
    while (!this.ended) {
      const r = await this.input.next();
      if (r.done) break;
      yield toBuffer(r.value);
    }
    this.ended = true;
  }

  /** Reads until the header record is complete; 'serial' for a header the fast tokenizer cannot take. */
  private async readHeader(): Promise<true | 'serial' | null> {
    for (;;) {
      const all = Buffer.concat(this.headerBytes);
      this.headerBytes = [all];
      const bom = all.length >= 3 && all.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
      // cut at the last LF so no UTF-8 sequence is split; the header ends at a line end anyway
      const lastLf = this.ended ? all.length : all.lastIndexOf(LF) + 1;
      if (lastLf > bom) {
        const text = all.subarray(bom, lastLf).toString('utf8');
        const tok = new CsvTokenizer();
        let pos: number;
        try {
          pos = tok.scan(text, 0, this.ended && lastLf === all.length, 0);
        } catch {
          return 'serial';
        }
        if (tok.anomaly) return 'serial';
        if (tok.header !== null) {
          this.header = tok.header;
          this.delimiter = tok.delimiter;
          const used = bom + Buffer.byteLength(text.slice(0, pos));
          this.headerBytes = [];
          if (used < all.length) this.keep(Buffer.from(all.subarray(used)));
          return true;
        }
      }
      if (this.ended) return all.length === 0 ? null : 'serial';
      if (all.length > MAX_PENDING_BYTES) return 'serial';
      const r = await this.input.next();
      if (r.done) this.ended = true;
      else this.headerBytes.push(toBuffer(r.value));
    }
  }

  private async read(): Promise<void> {
    const r = await this.input.next();
    if (r.done) this.ended = true;
    else this.keep(toBuffer(r.value));
  }

  private keep(b: Buffer): void {
    if (b.length === 0) return;
    this.pending.push(b);
    this.pendingBytes += b.length;
  }

  private takeAll(): Buffer {
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return buf;
  }
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}
