import {ParquetPlan, RangeSource, readParquetPlan} from '../decode/parquet';
import {CompiledRules} from '../track';
import {BoundedQueue} from './bounded-queue';
import {UnitExecutor} from './executor';
import {UnitJob, UnitOutput} from './unit';

export type {RangeSource} from '../decode/parquet';

/**
 * Rows per unit of work. A unit's cells and output live until it is written; a few hundred rows
 * keep a unit's output near a CSV unit's (~0.5-1 MB) while the per-unit overhead (posting the
 * column plan, seeking) stays small next to the rows' own work.
 */
const UNIT_ROWS = 500;

/** Row groups are numbered across the process, so a thread's held reader is never mistaken (unit.ts). */
let nextGroupKey = 1;

export interface ParquetBlobOptions {
  unitRows?: number;
}

/** A copy of the bytes in shared memory: every unit of the group posts it to a thread without copying. */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

/**
 * The records of one Parquet blob, in file order. The footer and each row group's byte range are
 * read here (`source.read`), one row group ahead of the units in flight; the rows are decoded and
 * made records on the executor's threads, a few hundred rows a unit, so memory holds at most two
 * row groups' compressed bytes and the units in flight.
 */
export async function* parquetBlobUnits(source: RangeSource, job: UnitJob, executor: UnitExecutor, rules: CompiledRules, opts: ParquetBlobOptions = {}): AsyncGenerator<UnitOutput> {
  void rules; // the executor holds the compiled rules; kept in the signature as csvBlobUnits has it
  const unitRows = Math.max(1, opts.unitRows ?? UNIT_ROWS);
  const plan: ParquetPlan = await readParquetPlan(source);
  const groups = plan.groups.filter((g) => g.rows > 0);
  const queue = new BoundedQueue<Promise<UnitOutput>>(executor.parallelism * 2);
  const fetch = (i: number): Promise<Uint8Array> | null => {
    if (i >= groups.length) return null;
    const p = source.read(groups[i].start, groups[i].end).then(shared);
    p.catch(() => undefined); // awaited in its turn
    return p;
  };
  const producer = queue.produce(async () => {
    let next = fetch(0);
    for (let i = 0; i < groups.length; i++) {
      const group = groups[i];
      const bytes = await next!;
      next = fetch(i + 1); // the next group downloads while this one's units are done
      const key = nextGroupKey++;
      for (let rowStart = 0; rowStart < group.rows; rowStart += unitRows) {
        const rowEnd = Math.min(group.rows, rowStart + unitRows);
        const result = executor.parquet({kind: 'parquet', job, key, header: plan.header, columns: plan.columns, group, bytes, rowStart, rowEnd});
        result.catch(() => undefined); // awaited in turn by the consumer
        if (!(await queue.put(result))) return;
      }
    }
  });
  let finished = false;
  try {
    for (;;) {
      const item = await queue.take();
      if (!item) break;
      yield await item;
    }
    finished = true;
  } finally {
    if (!finished) queue.cancel();
    await producer;
  }
}
