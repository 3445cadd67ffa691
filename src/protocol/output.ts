import {Writable} from 'stream';

import {AirbyteMessageOut, recordLine} from './messages';
import {SecretRedactor} from './redact';

const FLUSH_BYTES = 256 * 1024;

/**
 * The only writer of stdout. Lines are batched into large writes, and callers await `ready()`
 * once per batch so a slow destination applies back-pressure instead of filling memory.
 * LOG and TRACE messages pass through the secret redactor; records are data, not text we wrote.
 */
export class ProtocolOutput {
  private buffer: string[] = [];
  private bufferedBytes = 0;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly sink: Writable = process.stdout,
    readonly redactor: SecretRedactor = new SecretRedactor(),
  ) {}

  /** Writes a non-record message; redacts it, and flushes at once so it is never held back. */
  message(msg: AirbyteMessageOut): void {
    let line = JSON.stringify(msg);
    if (msg.type === 'LOG' || msg.type === 'TRACE' || msg.type === 'CONNECTION_STATUS') {
      line = this.redactor.redact(line);
    }
    this.push(line + '\n');
    this.flush();
  }

  /** State is written after the records it covers, in the same ordered stream. */
  state(msg: AirbyteMessageOut): void {
    this.message(msg);
  }

  record(stream: string, data: unknown, emittedAt: number): void {
    this.push(recordLine(stream, data, emittedAt));
    if (this.bufferedBytes >= FLUSH_BYTES) this.flush();
  }

  /** Resolves when the sink can take more; await once per batch. */
  ready(): Promise<void> | undefined {
    return this.draining ?? undefined;
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.length === 1 ? this.buffer[0] : this.buffer.join('');
    this.buffer = [];
    this.bufferedBytes = 0;
    const ok = this.sink.write(chunk);
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
    this.buffer.push(line);
    this.bufferedBytes += line.length;
  }
}
