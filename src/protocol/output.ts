import {Writable} from 'stream';

import {AirbyteMessage, recordLine} from './messages';
import {SecretRedactor} from './redact';

const FLUSH_BYTES = 256 * 1024;
/** Room for a full batch plus one more line of any usual size. */
const CHUNK_BYTES = FLUSH_BYTES + 64 * 1024;

/**
 * The only writer of stdout. Lines are batched into large writes, and callers await `ready()`
 * once per batch so a slow destination applies back-pressure instead of filling memory.
 * LOG and TRACE messages pass through the secret redactor; records are data, not text we wrote.
 */
export class ProtocolOutput {
  /**
   * Pending output. Record lines are UTF-8-encoded straight into `chunk` (no array of strings
   * to join, no second pass to encode the joined string); each flush hands the filled part to
   * the sink and starts a new chunk, since the sink may still hold the old one.
   */
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly sink: Writable = process.stdout,
    readonly redactor: SecretRedactor = new SecretRedactor(),
  ) {}

  /** Writes a non-record message; redacts it, and flushes at once so it is never held back. */
  message(msg: AirbyteMessage): void {
    // `type` first, as these lines always began: the CDK's message classes assign it after their body.
    let line = JSON.stringify(Object.assign({type: msg.type}, msg));
    if (msg.type === 'LOG' || msg.type === 'TRACE' || msg.type === 'CONNECTION_STATUS') {
      line = this.redactor.redact(line);
    }
    this.push(line + '\n');
    this.flush();
  }

  /** State is written after the records it covers, in the same ordered stream. */
  state(msg: AirbyteMessage): void {
    this.message(msg);
  }

  record(stream: string, data: unknown, emittedAt: number): void {
    this.push(recordLine(stream, data, emittedAt));
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  /**
   * Writes RECORD lines already serialized (by a unit of work). Returns whether the sink may
   * still hold `data` (a stream that queued it): only when it returns false may the caller
   * reuse or release the bytes.
   */
  bytes(data: Uint8Array): boolean {
    if (data.length === 0) return false;
    if (this.used + data.length <= this.chunk.length) {
      this.chunk.set(data, this.used);
      this.used += data.length;
      if (this.used >= FLUSH_BYTES) this.flush();
      return false;
    }
    this.flush();
    this.writeOut(data);
    // a synchronous sink (stdout to a file or, on Linux, a pipe) has written it already
    return this.sink.writableLength > 0;
  }

  /** Resolves when the sink can take more; await once per batch. */
  ready(): Promise<void> | undefined {
    return this.draining ?? undefined;
  }

  flush(): void {
    if (this.used === 0) return;
    const out = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.writeOut(out);
  }

  private writeOut(out: Uint8Array): void {
    const ok = this.sink.write(out);
    if (!ok && !this.draining) {
      this.draining = new Promise<void>((resolve) => {
        const done = (): void => {
          this.sink.off('drain', done);
          this.sink.off('close', done);
          this.sink.off('error', done);
          this.draining = null;
          resolve();
        };
        this.sink.once('drain', done);
        this.sink.once('close', done);
        this.sink.once('error', done);
      });
    }
  }

  private push(line: string): void {
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit
    if (this.used + line.length * 3 > this.chunk.length) {
      if (this.used + Buffer.byteLength(line) > this.chunk.length) {
        this.flush();
        if (line.length * 3 > this.chunk.length) {
          // a line longer than a chunk goes out on its own
          this.writeLarge(line);
          return;
        }
      }
    }
    this.used += this.chunk.write(line, this.used);
  }

  private writeLarge(line: string): void {
    const buf = Buffer.from(line, 'utf8');
    if (buf.length <= this.chunk.length) {
      buf.copy(this.chunk, 0);
      this.used = buf.length;
      return;
    }
    this.chunk = buf;
    this.used = buf.length;
    this.flush();
  }
}
