import {CompiledRules} from '../track';
import {CsvUnitInput, EaPageMeta, EaUnitInput, isProblem, parseEaPage, ParquetUnitInput, processCsvUnit, processEaRows, processParquetUnit, unusablePage, UnitOutput, UnitProblem} from './unit';

/** An EA page handed over: its meta as soon as it is parsed, its records when they are done. */
export interface EaPageWork {
  meta: Promise<EaPageMeta | UnitProblem>;
  output: Promise<UnitOutput>;
}

/**
 * Runs units of work (work/unit.ts). Results come back per unit; keeping them in order is the
 * caller's job, which lets several units be in flight at once.
 */
export interface UnitExecutor {
  /** Units worth having in flight at once to keep every thread busy. */
  readonly parallelism: number;
  csv(input: CsvUnitInput): Promise<UnitOutput | UnitProblem>;
  ea(input: EaUnitInput): EaPageWork;
  /** Rows of a Parquet row group; the units of one group are handed over in row order. */
  parquet(input: ParquetUnitInput): Promise<UnitOutput>;
  /** Starts what the executor needs ahead of the first unit (threads load their code meanwhile). */
  warm(): void;
  /**
   * Takes back a unit's output bytes once written and no longer referenced, for the next units'
   * output. Without it, written outputs from other threads pile up on the main thread as
   * garbage its collector rarely visits (tens of MB of peak RSS).
   */
  release(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** Runs every unit on the calling thread, at once (one core; also what `check` uses). */
export class InThreadExecutor implements UnitExecutor {
  readonly parallelism = 1;

  constructor(private readonly rules: CompiledRules) {}

  csv(input: CsvUnitInput): Promise<UnitOutput | UnitProblem> {
    return Promise.resolve(processCsvUnit(input, this.rules));
  }

  ea(input: EaUnitInput): EaPageWork {
    const parsed = parseEaPage(input.bytes);
    if (isProblem(parsed)) {
      const output = Promise.reject(unusablePage(parsed));
      output.catch(() => undefined);
      return {meta: Promise.resolve(parsed), output};
    }
    return {meta: Promise.resolve(parsed.meta), output: Promise.resolve(processEaRows(parsed.rows, input, this.rules))};
  }

  parquet(input: ParquetUnitInput): Promise<UnitOutput> {
    try {
      return Promise.resolve(processParquetUnit(input, this.rules));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  warm(): void {
    /* nothing to start */
  }

  release(): void {
    /* output buffers of this thread are collected with the rest of its garbage */
  }

  async close(): Promise<void> {
    /* nothing to stop */
  }
}
