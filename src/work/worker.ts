/**
 * Entry point of a worker thread: units in, RECORD bytes out (see work/unit.ts). No I/O and no
 * logging here: the main thread owns HTTP, stdout and the protocol.
 */
import {parentPort, workerData} from 'worker_threads';

import {compileTrackingRules} from '../track';
import {isProblem, parseEaPage, processCsvUnit, processEaRows, transferables, UnitInput} from './unit';

export interface WorkerInit {
  /** The config's tracking_rules, already validated by the main thread. */
  trackingRules: unknown;
}

/** Main thread → worker. */
export interface UnitRequest {
  id: number;
  input: UnitInput;
}

/** Worker → main thread. */
export type UnitReply =
  | {id: number; type: 'meta'; meta: unknown}
  | {id: number; type: 'done'; output: unknown}
  | {id: number; type: 'problem'; problem: unknown}
  | {id: number; type: 'error'; message: string};

function start(): void {
  const port = parentPort;
  if (!port) throw new Error('work/worker.ts runs as a worker thread');
  const init = workerData as WorkerInit;
  const rules = compileTrackingRules(init.trackingRules as never);
  port.on('message', ({id, input}: UnitRequest) => {
    try {
      if (input.kind === 'ea') {
        const parsed = parseEaPage(input.bytes);
        if (isProblem(parsed)) {
          port.postMessage({id, type: 'problem', problem: parsed});
          return;
        }
        // the reader asks for the next page while this one's rows are being processed
        port.postMessage({id, type: 'meta', meta: parsed.meta});
        const output = processEaRows(parsed.rows, input, rules);
        port.postMessage({id, type: 'done', output}, transferables(output));
      } else {
        const result = processCsvUnit(input, rules);
        if (isProblem(result)) port.postMessage({id, type: 'problem', problem: result});
        else port.postMessage({id, type: 'done', output: result}, transferables(result));
      }
    } catch (err) {
      port.postMessage({id, type: 'error', message: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err)});
    }
  });
}

start();
