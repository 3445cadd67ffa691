import type {AirbyteInputState} from 'faros-airbyte-cdk/lib/protocol';

/** The per-stream cursor of docs/design.md §7: the last usage day emitted completely. */
export interface StreamCursor {
  usage_date?: string;
  /** Export streams: the run emitted completely per month, 'YYYY-MM' → run key (docs/design.md §14). */
  runs?: Record<string, string>;
}

export type ConnectorState = Record<string, StreamCursor>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the state given with --state in any of the shapes Airbyte has used: a list of per-stream
 * STREAM entries (current), a legacy object keyed by stream name (plain, or the Faros CDK's
 * compressed blob), or a list wrapping a legacy object. Unknown stream entries are kept; cursors
 * that are not dates are dropped with the stream treated as new.
 */
export function parseInputState(raw: unknown): ConnectorState {
  if (raw === null || raw === undefined) return {};
  let input: unknown = raw;
  // Some runners wrap states as STATE messages: [{"type":"STATE","state":{...}}].
  if (Array.isArray(input)) {
    input = input.map((entry) =>
      entry && typeof entry === 'object' && (entry as {type?: string}).type === 'STATE' ? (entry as {state: unknown}).state : entry,
    );
  }
  if (!Array.isArray(input) && typeof input === 'object' && (input as {type?: string}).type === 'LEGACY') {
    input = (input as {data?: unknown}).data;
  }
  // Loaded here: the CDK's utils bring lodash and more, which a read without state never needs.
  const {State} = require('faros-airbyte-cdk/lib/utils') as typeof import('faros-airbyte-cdk/lib/utils');
  // Any JSON may come in: State.decode takes what is not a state shape as a legacy state object.
  const decoded = State.decode(input as AirbyteInputState | AirbyteInputState[]) ?? {};
  const result: ConnectorState = {};
  for (const [stream, value] of Object.entries(decoded as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const cursor = (value as Record<string, unknown>).usage_date;
    result[stream] = typeof cursor === 'string' && DATE.test(cursor.slice(0, 10)) ? {usage_date: cursor.slice(0, 10)} : {};
    const runs = readRuns((value as Record<string, unknown>).runs);
    if (runs && result[stream].usage_date) result[stream].runs = runs;
  }
  return result;
}

const MONTH = /^\d{4}-\d{2}$/;

/** The `runs` map of an export stream's state; entries that are not 'YYYY-MM' → string are dropped. */
function readRuns(value: unknown): Record<string, string> | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const runs: Record<string, string> = {};
  for (const [month, key] of Object.entries(value as Record<string, unknown>)) {
    if (MONTH.test(month) && typeof key === 'string' && key) runs[month] = key;
  }
  return runs;
}
