/**
 * Issue 5, crashes: a sync killed with SIGKILL at 10 seeded random points (by message index or
 * by time), each time restarted from the last STATE it printed, loses nothing: the union of all
 * records, de-duplicated by id, equals a clean run and the per-day sums match to the cent, for
 * both APIs. Checked twice: with every record ever printed (the issue's union), and with only
 * the records a destination must keep (those followed by a STATE of their stream).
 * SIGTERM stops cleanly: the last complete STATE flushed, INCOMPLETE, a non-zero exit, and the
 * next sync completes the data.
 */
import {Sandbox} from '../../sandbox';
import {catalog, CliRun, Message, records, states, traces} from '../support/cli';
import {centsByDay, compareToTruth, day, outline, prng, sandboxConfig, sortedIds, Suite, truthByDay} from './harness';

const suite = new Suite();
afterAll(() => suite.close('crash'));

const START = day(-30);
const END = day(-2);
const RULES = [
  {name: 'prod-cc', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-PROD'}},
  {name: 'prod-cc-finance', priority: 1, match: {subscription_name: '*prod*'}, set: {cost_center: 'CC-FIN'}},
];
const CONFIG = {slice_days: 2, lookback_days: 2, tracking_rules: RULES, max_retries: 4};

type Api = 'service_principal' | 'api_key';
const STREAMS: Record<Api, string[]> = {
  service_principal: ['usage_details', 'usage_details_amortized', 'tracking_conflicts'],
  api_key: ['usage_details', 'tracking_conflicts'],
};

/** Records a destination keeps from a run that died: each stream's records up to its last STATE. */
function committed(messages: Message[]): Message[] {
  const lastState = new Map<string, number>();
  messages.forEach((m, i) => {
    if (m.type === 'STATE') lastState.set(m.state.stream.stream_descriptor.name, i);
  });
  return messages.filter((m, i) => m.type === 'RECORD' && i < (lastState.get(m.record.stream) ?? -1));
}

/** The state to restart from: the last STATE of each stream, over every run so far. */
function mergeState(previous: Map<string, unknown>, run: CliRun): Map<string, unknown> {
  const next = new Map(previous);
  for (const m of run.messages) if (m.type === 'STATE') next.set(m.state.stream.stream_descriptor.name, m.state);
  return next;
}

function args(sb: Sandbox, api: Api, state: Map<string, unknown>): string[] {
  const a = ['read', '--config', suite.file(sandboxConfig(sb, api, CONFIG)), '--catalog', suite.file(catalog(STREAMS[api]))];
  if (state.size > 0) a.push('--state', suite.file([...state.values()]));
  return a;
}

/** Kills the CLI `ms` milliseconds after its first message (a time point). */
function killAfter(ms: number): {killWhen: (m: Message, seen: Message[]) => boolean} {
  let first = 0;
  return {
    killWhen: (_m, seen) => {
      if (seen.length === 1) first = Date.now();
      return Date.now() - first >= ms;
    },
  };
}

/**
 * Where the clean run stood when it had covered what `state` covers: the index of its last
 * message a restart from `state` need not repeat (so kill points fall in the work still to do).
 */
function positionIn(clean: Message[], state: Map<string, unknown>): number {
  let position = 0;
  clean.forEach((m, i) => {
    if (m.type !== 'STATE') return;
    const name = m.state.stream.stream_descriptor.name;
    const have = (state.get(name) as {stream?: {stream_state?: {usage_date?: string}}} | undefined)?.stream?.stream_state?.usage_date;
    if (have && m.state.stream.stream_state.usage_date <= have) position = Math.max(position, i);
  });
  return position;
}

describe.each([
  ['service_principal' as Api, 101],
  ['api_key' as Api, 202],
])('%s: SIGKILL at 10 seeded points, each restart from the last STATE printed', (api, seed) => {
  it('loses nothing: union of records equals a clean run, per-day sums to the cent', async () => {
    const sb = await suite.sandbox({startDate: START, endDate: END, rowsPerDay: 30, maxRowsPerBlob: 50, eaPageSize: 40, pageLatencyMs: 5});
    let first = 0;
    const clean = await suite.cli(args(sb, api, new Map()), {killWhen: (_m, seen) => (seen.length === 1 && (first = Date.now()), false)});
    const cleanMs = Date.now() - first;
    expect(clean.code).toBe(0);
    const random = prng(seed);
    let state = new Map<string, unknown>();
    const all: Message[] = [];
    const kept: Message[] = [];
    const points: string[] = [];
    let kills = 0;
    for (let run = 0; kills < 10; run++) {
      expect(run).toBeLessThan(20);
      // the share of the clean run still to do from this state
      const remaining = 1 - positionIn(clean.messages, state) / clean.messages.length;
      // even points: a message index; odd points: a time after the first message (both seeded)
      const byTime = kills % 2 === 1;
      // somewhere in the first half of what is left, so that ten kills leave work for the next
      const u = 0.02 + 0.48 * random();
      const at = byTime ? Math.round(u * cleanMs * remaining) : 1 + Math.floor(u * clean.messages.length * remaining);
      const kill = byTime ? killAfter(at) : {killWhen: (_m: Message, seen: Message[]) => seen.length >= at};
      const result = await suite.cli(args(sb, api, state), kill);
      all.push(...result.messages);
      if (result.signal === 'SIGKILL') {
        kills++;
        points.push(`${byTime ? `${at}ms` : `#${at}`}: ${result.messages.length} msgs, ${states(result).length} states`);
        kept.push(...committed(result.messages));
      } else {
        // the point lay after the end: the run completed on its own (not counted as a crash)
        expect(result.code).toBe(0);
        kept.push(...result.messages.filter((m) => m.type === 'RECORD'));
      }
      state = mergeState(state, result);
    }
    // the last restart completes the sync
    const last = await suite.cli(args(sb, api, state));
    expect(last.code).toBe(0);
    all.push(...last.messages);
    kept.push(...last.messages.filter((m) => m.type === 'RECORD'));
    let compared = 0;
    for (const stream of STREAMS[api]) {
      const want = records(clean, stream);
      for (const [what, msgs] of [['printed', all], ['kept', kept]] as const) {
        const got = records(msgs, stream);
        expect({stream, what, ids: sortedIds(got)}).toEqual({stream, what, ids: sortedIds(want)});
        if (stream !== 'tracking_conflicts') {
          expect({stream, what, cents: centsByDay(got)}).toEqual({stream, what, cents: centsByDay(want)});
          const metric = stream === 'usage_details_amortized' ? 'amortized' : 'actual';
          expect(compareToTruth(got, truthByDay(sb, metric)).mismatches).toEqual([]);
        }
      }
      compared += want.length;
    }
    suite.figures[`${api} SIGKILL`] = {crashPoints: kills, points, runs: kills + 2, recordsCompared: compared, cleanMessages: clean.messages.length, cleanMs};
  });
});

describe('SIGTERM', () => {
  it('stops after the current batch: last complete STATE flushed, INCOMPLETE, exit 143; the next sync completes', async () => {
    const sb = await suite.sandbox({startDate: START, endDate: END, rowsPerDay: 30, maxRowsPerBlob: 50});
    const streams = ['usage_details', 'usage_details_amortized'];
    const config = {slice_days: 2, lookback_days: 1};
    const run = await suite.read(sb, streams, {config, kill: {signal: 'SIGTERM', killWhen: (m, seen) => m.type === 'RECORD' && seen.filter((x) => x.type === 'STATE').length === 3}});
    expect(run.signal).toBeNull();
    expect(run.code).toBe(143);
    const lines = outline(run);
    // the stream's last STATE, then INCOMPLETE, and nothing of the next stream
    expect(lines.filter((l) => l.startsWith('STATUS'))).toEqual(['STATUS usage_details STARTED', 'STATUS usage_details RUNNING', 'STATUS usage_details INCOMPLETE']);
    const cursor = states(run, 'usage_details').pop().stream.stream_state.usage_date;
    expect(lines.indexOf(`STATE usage_details ${cursor}`)).toBeLessThan(lines.indexOf('STATUS usage_details INCOMPLETE'));
    expect(traces(run, 'ERROR')).toEqual([]);
    // every day the STATE claims is complete
    const claimed = records(run, 'usage_details').filter((r) => r.usage_date <= cursor);
    expect(compareToTruth(claimed, truthByDay(sb, 'actual', START, cursor)).mismatches).toEqual([]);
    const resumed = await suite.read(sb, streams, {config, state: states(run)});
    expect(resumed.code).toBe(0);
    const union = [...records(run, 'usage_details'), ...records(resumed, 'usage_details')];
    expect(compareToTruth(union, truthByDay(sb, 'actual')).mismatches).toEqual([]);
    expect(compareToTruth(records(resumed, 'usage_details_amortized'), truthByDay(sb, 'amortized')).mismatches).toEqual([]);
    suite.figures['SIGTERM mid-stream'] = {cursor, resumedRecords: records(resumed).length};
  });

  it('while reports are still generating: stops within seconds, keeps the state it had, exit non-zero', async () => {
    const sb = await suite.sandbox({startDate: START, endDate: END, rowsPerDay: 30, reportLatencyMs: 4000, retryAfterSeconds: 1});
    const state = [{type: 'STREAM', stream: {stream_descriptor: {name: 'usage_details'}, stream_state: {usage_date: day(-10)}}}];
    let signalled = 0;
    const run = await suite.read(sb, ['usage_details'], {
      config: {slice_days: 2, lookback_days: 1},
      state,
      kill: {signal: 'SIGTERM', killWhen: (m) => m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS' && m.trace.stream_status.status === 'STARTED' && (signalled = Date.now()) > 0},
    });
    const stopMs = Date.now() - signalled;
    expect(run.code).toBe(143);
    expect(outline(run).filter((l) => l.startsWith('STATUS'))).toEqual(['STATUS usage_details STARTED', 'STATUS usage_details INCOMPLETE']);
    expect(stopMs).toBeLessThan(8000);
    suite.figures['SIGTERM while generating'] = {stopMs};
  });

  it('while a blob download stalls (30 s, timeout 60 s): stops within seconds, the last STATE stands, the next sync completes', async () => {
    const faults = {seed: 3, alwaysFail: true, slowMs: 30_000, retryAfterSeconds: 0} as Record<string, unknown>;
    const sb = await suite.sandbox({startDate: START, endDate: END, rowsPerDay: 30, maxRowsPerBlob: 20, faults});
    const config = {slice_days: 2, lookback_days: 1, request_timeout_seconds: 60};
    const args = ['read', '--config', suite.file(sandboxConfig(sb, 'service_principal', config)), '--catalog', suite.file(catalog(['usage_details']))];
    // once two slices are done, every blob stalls; SIGTERM comes while the runner waits for one
    const run = await suite.cliSignalled(args, {
      when: (m, seen) => m.type === 'STATE' && seen.filter((x) => x.type === 'STATE').length === 2 && Object.assign(faults, {endpoints: ['blob'], rateSlow: 1}) !== null,
      delayMs: 1500,
      signal: 'SIGTERM',
    });
    const stopMs = Date.now() - run.signalledAt!;
    delete faults.rateSlow;
    expect(run.code).toBe(143);
    expect(stopMs).toBeLessThan(5000);
    expect(sb.stats.faults.slow).toBeGreaterThan(0);
    const lines = outline(run);
    expect(lines.slice(-1)).toEqual(['STATUS usage_details INCOMPLETE']);
    const cursor = states(run, 'usage_details').pop().stream.stream_state.usage_date;
    const claimed = records(run, 'usage_details').filter((r) => r.usage_date <= cursor);
    expect(compareToTruth(claimed, truthByDay(sb, 'actual', START, cursor)).mismatches).toEqual([]);
    const resumed = await suite.read(sb, ['usage_details'], {config, state: states(run)});
    expect(resumed.code).toBe(0);
    expect(compareToTruth([...claimed, ...records(resumed)], truthByDay(sb, 'actual')).mismatches).toEqual([]);
    suite.figures['SIGTERM while a blob stalls'] = {stopMs, cursor};
  });
});

it('no secret in any output of this file', () => {
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  suite.figures.secretScan = scan;
});
