import fs from 'fs';
import os from 'os';
import path from 'path';
import {Worker} from 'worker_threads';

import {SystemError} from '../errors';
import {CompiledRules} from '../track';
import {tuneGcForStreaming} from './gc';
import {EaPageWork, InThreadExecutor, UnitExecutor} from './executor';
import {CsvUnitInput, EaPageMeta, EaUnitInput, ParquetUnitInput, UnitInput, UnitOutput, UnitProblem, unusablePage} from './unit';
import type {UnitReply, WorkerInit} from './worker';

interface Pending {
  resolveMeta?: (meta: EaPageMeta | UnitProblem) => void;
  resolve: (out: UnitOutput | UnitProblem) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Threads used when the config leaves it to the connector: two, which is where the main thread
 * (HTTP, ids, stdout) stays ahead and memory stays under 200 MB; worker_threads asks for more.
 */
const DEFAULT_MAX_THREADS = 2;
/**
 * Young generation of a worker reading CSV without tracking rules, in MB. V8's default (up to
 * 48 MB a thread) took a two-thread read to 240-270 MB. 6 MB was the choice while written
 * outputs were left as garbage on the main thread; once they went back to the workers
 * (release) there was room for 12, where a CSV unit's strings die young instead of being
 * promoted: a 1M-row CSV read took 26% less time and CPU (48.9 -> 36.3 s) for 17 MB more peak
 * RSS (161 -> 178 MB).
 */
const WORKER_YOUNG_GENERATION_MB = 12;
/**
 * Young generation of a worker when its units are large or allocate more per row, in MB:
 * - tracking rules: each row also allocates its tracking object, rule names and rendered
 *   values, so the young generation fills faster and a unit's working set outlives more cycles
 *   and is promoted. With the bench's 50 rules, a 100k-row CSV read took 16-17% less CPU at
 *   24 MB than at 12 (8.96 against 10.67 s and 9.8 against 11.8 s, medians of 4);
 * - EA pages: a unit is a whole API page (1000 rows, ~6 MB of objects once parsed), more than
 *   a 12 MB young generation holds. A 100k-row EA read took 5% less CPU at 24 MB (8.17 against
 *   8.60 s, medians of 6; 8.59 against 9.17 s in another run).
 * Each costs ~15 MB of peak RSS; a CSV read without rules gained nothing, so it keeps 12 MB.
 */
const WORKER_YOUNG_GENERATION_LARGE_MB = 24;

/** What a read's units are made of, as far as the worker's memory settings go. */
export type UnitSource = 'csv' | 'ea-pages';

/** The young generation a worker gets for this read, in MB. */
export function workerYoungGenerationMb(trackingRules: unknown, units: UnitSource): number {
  const hasRules = Array.isArray(trackingRules) && trackingRules.length > 0;
  return hasRules || units === 'ea-pages' ? WORKER_YOUNG_GENERATION_LARGE_MB : WORKER_YOUNG_GENERATION_MB;
}

/**
 * Worker threads for the CPU-heavy part of a read (decode, normalize, hash, enrich, track,
 * serialize), so a sync uses more than one core. Started on first use; each unit goes to the
 * thread with the fewest units in hand. A thread that dies fails the sync with a system error
 * (the next sync resumes from the last STATE).
 */
export class WorkerPool implements UnitExecutor {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private nextRelease = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly init: WorkerInit,
    private readonly script: string,
    private readonly youngGenerationMb = WORKER_YOUNG_GENERATION_MB,
  ) {}

  get parallelism(): number {
    return this.size;
  }

  csv(input: CsvUnitInput): Promise<UnitOutput | UnitProblem> {
    return new Promise((resolve, reject) => this.send(input, {resolve, reject}, []));
  }

  ea(input: EaUnitInput): EaPageWork {
    let resolveMeta!: (m: EaPageMeta | UnitProblem) => void;
    let rejectMeta!: (e: Error) => void;
    const meta = new Promise<EaPageMeta | UnitProblem>((res, rej) => {
      resolveMeta = res;
      rejectMeta = rej;
    });
    const output = new Promise<UnitOutput>((resolve, reject) => {
      const pending: Pending = {
        resolveMeta,
        resolve: (out) => {
          if ('problem' in out) {
            resolveMeta(out);
            reject(unusablePage(out as UnitProblem));
          } else resolve(out);
        },
        reject: (err) => {
          rejectMeta(err);
          reject(err);
        },
      };
      // the page is not needed here once handed over: move it instead of copying it
      const bytes = input.bytes.byteOffset === 0 && input.bytes.byteLength === input.bytes.buffer.byteLength ? input.bytes : input.bytes.slice();
      this.send({...input, bytes}, pending, [bytes.buffer as ArrayBuffer]);
    });
    output.catch(() => undefined); // the reader awaits meta first; a failure is seen there too
    return {meta, output};
  }

  parquet(input: ParquetUnitInput): Promise<UnitOutput> {
    // the group's bytes are shared memory: posted, not copied
    return new Promise((resolve, reject) => this.send(input, {resolve: (out) => ('problem' in out ? reject(new Error(`Parquet unit: ${out.problem}`)) : resolve(out)), reject}, []));
  }

  warm(): void {
    while (!this.closed && this.threads.length < this.size) this.spawn();
  }

  /** Moves a written output's buffer to a thread (in turn), which reuses it for a later unit. */
  release(bytes: Uint8Array): void {
    const buffer = bytes.buffer;
    if (this.closed || this.threads.length === 0 || !(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
    const thread = this.threads[this.nextRelease++ % this.threads.length];
    thread.worker.postMessage({release: buffer}, [buffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate().catch(() => undefined)));
  }

  private send(input: UnitInput, pending: Pending, transfer: ArrayBuffer[]): void {
    if (this.closed) {
      pending.reject(new Error('the worker pool is closed'));
      return;
    }
    const thread = this.pick();
    const id = this.nextId++;
    thread.pending.set(id, pending);
    if (thread.pending.size === 1) thread.worker.ref();
    thread.worker.postMessage({id, input}, transfer);
  }

  /** The thread with the fewest units in hand, starting one more while under the size. */
  private pick(): Thread {
    let best: Thread | undefined;
    for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    if (best && (best.pending.size === 0 || this.threads.length >= this.size)) return best;
    return this.spawn();
  }

  private spawn(): Thread {
    tuneGcForStreaming();
    const worker = new Worker(this.script, {
      workerData: this.init,
      // a worker never writes to the protocol's stdout; anything it prints is dropped
      stdout: true,
      stderr: true,
      resourceLimits: {maxYoungGenerationSizeMb: this.youngGenerationMb},
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const thread: Thread = {worker, pending: new Map()};
    worker.on('message', (reply: UnitReply) => this.onReply(thread, reply));
    const fail = (why: string): void => {
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      const err = new SystemError(`A decoding thread stopped (${why}); the next sync resumes from the last saved state.`);
      for (const p of thread.pending.values()) p.reject(err);
      thread.pending.clear();
    };
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => {
      if (!this.closed || thread.pending.size > 0) fail(`exit code ${code}`);
    });
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private onReply(thread: Thread, reply: UnitReply): void {
    const pending = thread.pending.get(reply.id);
    if (!pending) return;
    if (reply.type === 'meta') {
      pending.resolveMeta?.(reply.meta as EaPageMeta);
      return;
    }
    thread.pending.delete(reply.id);
    if (thread.pending.size === 0) thread.worker.unref();
    if (reply.type === 'error') pending.reject(new Error(`decoding thread failed: ${reply.message}`));
    else if (reply.type === 'problem') pending.resolve(reply.problem as UnitProblem);
    else pending.resolve(reply.output as UnitOutput);
  }
}

/** Threads a read uses when the config leaves it to the connector: one per core, up to two. */
export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores));
}

/**
 * The executor for a read: worker threads when more than one thread is asked for and the
 * compiled worker script is there (it is not when the sources run under ts-jest), else the
 * calling thread.
 */
export function createExecutor(threads: number, rules: CompiledRules, trackingRules: unknown, units: UnitSource): UnitExecutor {
  const script = path.join(__dirname, 'worker.js');
  if (threads <= 1 || !fs.existsSync(script)) return new InThreadExecutor(rules);
  return new WorkerPool(threads, {trackingRules}, script, workerYoungGenerationMb(trackingRules, units));
}
