/**
 * Entry point of a worker thread: units in, RECORD bytes out (see work/unit.ts). No I/O and no
 * logging here: the main thread owns HTTP, stdout and the protocol.
 */
import {parentPort, workerData} from 'worker_threads';

import {compileTrackingRules} from '../track';
import {EaRowsJob, isProblem, offerSpareBuffer, parseEaPage, processCsvUnit, processParquetUnit, transferables, UnitInput} from './unit';

export interface WorkerInit {
  /** The config's tracking_rules, already validated by the main thread. */
  trackingRules: unknown;
}

/** Main thread → worker: a unit to do, or an output buffer given back for reuse. */
export type UnitRequest = {id: number; input: UnitInput} | {release: ArrayBuffer};

/** Worker → main thread. */
export type UnitReply =
  | {id: number; type: 'meta'; meta: unknown}
  | {id: number; type: 'done'; output: unknown}
  | {id: number; type: 'problem'; problem: unknown}
  | {id: number; type: 'error'; message: string};

/** EA rows done between two looks at the message queue (a few milliseconds of work). */
const ROWS_PER_STEP = 100;

function start(): void {
  const port = parentPort;
  if (!port) throw new Error('work/worker.ts runs as a worker thread');
  const init = workerData as WorkerInit;
  const rules = compileTrackingRules(init.trackingRules as never);
  // EA pages parsed but not yet processed, in arrival order: parsing a page (which tells the
  // reader where the next one is) never waits for the rows of the pages before it.
  const eaJobs: Array<{id: number; job: EaRowsJob}> = [];
  let pumping = false;

  const fail = (id: number, err: unknown): void => {
    port.postMessage({id, type: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err)});
  };

  const pump = (): void => {
    const head = eaJobs[0];
    if (!head) {
      pumping = false;
      return;
    }
    try {
      if (head.job.step(ROWS_PER_STEP)) {
        eaJobs.shift();
        const output = head.job.finish();
        port.postMessage({id: head.id, type: 'done', output}, transferables(output));
      }
    } catch (err) {
      eaJobs.shift();
      fail(head.id, err);
    }
    setImmediate(pump);
  };

  port.on('message', (request: UnitRequest) => {
    if ('release' in request) {
      offerSpareBuffer(request.release);
      return;
    }
    const {id, input} = request;
    try {
      if (input.kind === 'ea') {
        const parsed = parseEaPage(input.bytes);
        if (isProblem(parsed)) {
          port.postMessage({id, type: 'problem', problem: parsed});
          return;
        }
        port.postMessage({id, type: 'meta', meta: parsed.meta});
        eaJobs.push({id, job: new EaRowsJob(parsed.rows, input, rules)});
        if (!pumping) {
          pumping = true;
          setImmediate(pump);
        }
      } else if (input.kind === 'parquet') {
        const output = processParquetUnit(input, rules);
        port.postMessage({id, type: 'done', output}, transferables(output));
      } else {
        const result = processCsvUnit(input, rules);
        if (isProblem(result)) port.postMessage({id, type: 'problem', problem: result});
        else port.postMessage({id, type: 'done', output: result}, transferables(result));
      }
    } catch (err) {
      fail(id, err);
    }
  });
}

start();
