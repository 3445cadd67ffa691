/**
 * Issue 5, exhausted retries: Azure goes down in the middle of a sync (each endpoint in turn:
 * sign-in, report request, report poll, blob download, EA page; by error status and by
 * timeouts). The sync ends with one TRACE error (system_error), STREAM_STATUS INCOMPLETE, the
 * STATE of the last complete slice and a non-zero exit, and prints nothing after its error;
 * the next sync from that state completes the data exactly.
 * (A report that keeps ending Failed is covered in test/integration/connector.test.ts.)
 */
import {FaultOptions} from '../../sandbox';
import {addDays} from '../../src/dates';
import {planSlices} from '../../src/sync/slices';
import {Message, records, states, traces} from '../support/cli';
import {compareToTruth, day, outline, Suite, truthByDay} from './harness';

const suite = new Suite();
afterAll(() => suite.close('exhausted'));

const START = day(-20);
const END = day(-2);
const SLICE_DAYS = 2;
const CONFIG = {slice_days: SLICE_DAYS, max_retries: 2, request_timeout_seconds: 2, max_concurrency: 2, lookback_days: 1};

type Api = 'service_principal' | 'api_key';

interface Outage {
  name: string;
  api: Api;
  /** The faults switched on once the sync has printed `afterStates` STATE messages. */
  faults: Partial<FaultOptions>;
  afterStates: number;
  /** What the error message must say. */
  says: RegExp;
}

const OUTAGES: Outage[] = [
  {name: 'sign-in (5xx from the start)', api: 'service_principal', faults: {endpoints: ['token'], rate5xx: 1}, afterStates: 0, says: /signing in with the service principal: HTTP 5\d\d/},
  {name: 'report requests (429)', api: 'service_principal', faults: {endpoints: ['generate'], rate429: 1}, afterStates: 2, says: /requesting the ActualCost report for .*HTTP 429.*after 3 attempts/},
  {name: 'report polls (5xx)', api: 'service_principal', faults: {endpoints: ['poll'], rate5xx: 1}, afterStates: 3, says: /waiting for the ActualCost report for .*HTTP 5\d\d/},
  {name: 'blob downloads (5xx)', api: 'service_principal', faults: {endpoints: ['blob'], rate5xx: 1}, afterStates: 2, says: /downloading blob 1\/\d+ of the ActualCost report .*HTTP 5\d\d.*after 3 attempts/},
  {name: 'EA pages (5xx)', api: 'api_key', faults: {endpoints: ['ea'], rate5xx: 1}, afterStates: 3, says: /reading page \d+ of EA usage for .*HTTP 5\d\d/},
  {name: 'EA pages (timeouts)', api: 'api_key', faults: {endpoints: ['ea'], rateSlow: 1}, afterStates: 1, says: /reading page \d+ of EA usage for .*no answer within 2s/},
];

const figures: Record<string, unknown> = {};

it.concurrent.each(OUTAGES.map((o) => [o.name, o] as const))('outage of %s: system_error, INCOMPLETE, last complete STATE, non-zero exit; the next sync completes', async (_name, outage) => {
  // the outage switches on during the sync: these are the options the sandbox reads
  const faults: FaultOptions = {seed: 5, alwaysFail: true, slowMs: 2600, retryAfterSeconds: 0};
  const sb = await suite.sandbox({startDate: START, endDate: END, rowsPerDay: 30, maxRowsPerBlob: 40, eaPageSize: 25, faults});
  const down = (): void => void Object.assign(faults, outage.faults);
  if (outage.afterStates === 0) down();
  const stream = 'usage_details';
  const failed = await suite.read(sb, [stream], {
    auth: outage.api,
    config: CONFIG,
    kill: {killWhen: (m: Message, seen: Message[]) => (m.type === 'STATE' && seen.filter((x) => x.type === 'STATE').length === outage.afterStates && down(), false)},
  });
  const injected = {...sb.stats.faults};
  // Azure is back
  for (const key of Object.keys(outage.faults)) delete (faults as Record<string, unknown>)[key];

  expect(failed.code).not.toBe(0);
  expect(failed.signal).toBeNull();
  const errors = traces(failed, 'ERROR');
  expect(errors).toHaveLength(1);
  expect(errors[0].error.failure_type).toBe('system_error');
  expect(errors[0].error.message).toMatch(outage.says);
  expect(errors[0].error.message).toMatch(/The next sync resumes from the last saved state\.$/);
  expect(errors[0].error.message).not.toMatch(/\n|\s{2}at /);
  // the error is the last word: nothing printed after it (no estimate, no retry log of work started ahead)
  expect(failed.messages[failed.messages.length - 1]).toMatchObject({type: 'TRACE', trace: {type: 'ERROR'}});
  const lines = outline(failed);
  expect(lines.slice(-2)).toEqual([`STATUS ${stream} INCOMPLETE`, 'ERROR system_error']);
  const cursors = states(failed, stream).map((s) => s.stream.stream_state.usage_date);
  expect(cursors.length).toBeGreaterThanOrEqual(outage.afterStates);
  // the STATE claims only complete days: the records up to it match the truth exactly...
  const cursor = cursors[cursors.length - 1];
  if (cursor) {
    const claimed = records(failed, stream).filter((r) => r.usage_date <= cursor);
    expect(compareToTruth(claimed, truthByDay(sb, 'actual', START, cursor)).mismatches).toEqual([]);
  }
  // ...and it is the last complete slice: the slice after it is not complete
  const next = planSlices(cursor ? addDays(cursor, 1) : START, END, SLICE_DAYS)[0];
  const nextRecords = records(failed, stream).filter((r) => r.usage_date >= next.start && r.usage_date <= next.end);
  expect(compareToTruth(nextRecords, truthByDay(sb, 'actual', next.start, next.end)).mismatches.length).toBeGreaterThan(0);

  // (a roomier timeout and more retries: this run must not fail for a busy machine)
  const resumed = await suite.read(sb, [stream], {auth: outage.api, config: {...CONFIG, request_timeout_seconds: 10, max_retries: 5}, state: states(failed)});
  expect(resumed.code).toBe(0);
  expect(traces(resumed, 'ERROR')).toEqual([]);
  // what a destination keeps of the failed sync (records before its last STATE), plus the next sync
  const lastState = failed.messages.map((m) => m.type).lastIndexOf('STATE');
  const kept = records(failed.messages.slice(0, Math.max(0, lastState)), stream);
  const union = [...kept, ...records(resumed, stream)];
  const {mismatches, rows} = compareToTruth(union, truthByDay(sb, 'actual'));
  expect(mismatches).toEqual([]);
  figures[outage.name] = {statesBeforeError: cursors.length, lastState: cursor ?? null, injected: Object.fromEntries(Object.entries(injected).filter(([, v]) => v > 0)), recordsCompared: rows, error: errors[0].error.message};
  suite.figures.outages = figures;
});

it('no secret in any output of this file', () => {
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  suite.figures.secretScan = scan;
});
