/**
 * Issue 5, faults: under 10% 5xx, 10% 429 (with Retry-After), 2% connection resets, truncated
 * JSON pages and CSV blobs, responses slower than the request timeout, a token that expires
 * every 50 requests, a report that ends Failed and a 204 for an empty slice in the middle, a
 * sync yields exactly the record ids and per-day cost sums of a clean run, for both APIs and
 * several fault seeds.
 */
import {FaultOptions} from '../../sandbox';
import {planSlices} from '../../src/sync/slices';
import {logs, records, states, traces} from '../support/cli';
import {centsByDay, compareToTruth, day, outline, sortedIds, Suite, sum, truthByDay} from './harness';

const suite = new Suite();
afterAll(() => suite.close('faults'));

const START = day(-40);
const END = day(-3);
const SLICE_DAYS = 2;
const SLICES = planSlices(START, END, SLICE_DAYS);
/** A slice in the middle with no usage at all: the Cost Details API answers 204. */
const EMPTY = SLICES[Math.floor(SLICES.length / 2)];
/** A slice whose first report ends Failed (each metric), then is requested again. */
const FAILED = SLICES[2];

const emptyDays: string[] = [];
for (let d = EMPTY.start; d <= EMPTY.end; d = new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) emptyDays.push(d);

const CONFIG = {slice_days: SLICE_DAYS, request_timeout_seconds: 2, max_retries: 8, max_concurrency: 3, lookback_days: 0};

function faults(seed: number): FaultOptions {
  return {
    seed,
    rate5xx: 0.1,
    rate429: 0.1,
    rateReset: 0.02,
    rateTruncate: 0.06,
    rateSlow: 0.01,
    slowMs: 2600,
    tokenExpiryEvery: 50,
    retryAfterSeconds: seed % 2, // Retry-After: 0 or 1 second
    failedReports: [
      {start: FAILED.start, end: FAILED.end, metric: 'ActualCost', times: 1},
      {start: FAILED.start, end: FAILED.end, metric: 'AmortizedCost', times: 1},
    ],
    emptyDays,
  };
}

const SANDBOX = {startDate: START, endDate: END, rowsPerDay: 40, maxRowsPerBlob: 60, eaPageSize: 30, seed: 5};

type Api = 'service_principal' | 'api_key';
const STREAMS: Record<Api, [string, 'actual' | 'amortized'][]> = {
  service_principal: [
    ['usage_details', 'actual'],
    ['usage_details_amortized', 'amortized'],
  ],
  api_key: [['usage_details', 'actual']],
};

/** The clean run of each API: the reference every fault run must match exactly. */
type Reference = Record<string, {ids: string[]; cents: Record<string, number>}>;
const clean: Partial<Record<Api, Promise<Reference>>> = {};

function cleanRun(api: Api): Promise<Reference> {
  clean[api] ??= readClean(api);
  return clean[api]!;
}

async function readClean(api: Api): Promise<Reference> {
  const sb = await suite.sandbox({...SANDBOX, emptyDays});
  const run = await suite.read(sb, STREAMS[api].map(([s]) => s), {auth: api, config: CONFIG});
  expect(run.code).toBe(0);
  const out: Record<string, {ids: string[]; cents: Record<string, number>}> = {};
  for (const [stream, metric] of STREAMS[api]) {
    const recs = records(run, stream);
    expect(compareToTruth(recs, truthByDay(sb, metric)).mismatches).toEqual([]);
    out[stream] = {ids: sortedIds(recs), cents: centsByDay(recs)};
  }
  return out;
}

const totals = {runs: 0, requests: 0, faults: {} as Record<string, number>, recordsCompared: 0};

// The runs mostly wait (back-off, Retry-After, timeouts): they run side by side.
it.concurrent.each([
  ['service_principal' as Api, 11],
  ['service_principal' as Api, 12],
  ['service_principal' as Api, 13],
  ['api_key' as Api, 21],
  ['api_key' as Api, 22],
  ['api_key' as Api, 23],
])('%s, fault seed %i: exactly the records and per-day sums of a clean run', async (api, seed) => {
  const reference = await cleanRun(api);
  const sb = await suite.sandbox({...SANDBOX, faults: faults(seed)});
  const started = Date.now();
  const run = await suite.read(sb, STREAMS[api].map(([s]) => s), {auth: api, config: CONFIG});
  const seconds = (Date.now() - started) / 1000;
  expect(traces(run, 'ERROR')).toEqual([]);
  expect(run.code).toBe(0);
  let compared = 0;
  for (const [stream, metric] of STREAMS[api]) {
    const recs = records(run, stream);
    // no record emitted twice: a retried page or a resumed blob never repeats rows
    expect(sortedIds(recs)).toHaveLength(recs.length);
    expect(sortedIds(recs)).toEqual(reference[stream].ids);
    expect(centsByDay(recs)).toEqual(reference[stream].cents);
    expect(compareToTruth(recs, truthByDay(sb, metric)).mismatches).toEqual([]);
    expect(records(run, stream).filter((r) => emptyDays.includes(r.usage_date))).toEqual([]);
    // a STATE per slice, in date order, ending at the end date
    const cursors = states(run, stream).map((s) => s.stream.stream_state.usage_date);
    expect(cursors).toEqual(SLICES.map((s) => s.end));
    compared += recs.length;
  }
  expect(outline(run).filter((l) => l.startsWith('STATUS')).map((l) => l.split(' ')[2])).toEqual(STREAMS[api].flatMap(() => ['STARTED', 'RUNNING', 'COMPLETE']));
  const f = sb.stats.faults;
  const requests = sum(sb.stats.requests);
  suite.figures[`${api} seed ${seed}`] = {seconds, requests, byEndpoint: sb.stats.requests, faults: f, recordsCompared: compared, tokensIssued: sb.issuedTokens.length};
  // every kind of fault was really injected
  expect(f['5xx']).toBeGreaterThan(0);
  expect(f.reset + f['429'] + f.slow).toBeGreaterThan(0);
  expect(f.truncate).toBeGreaterThan(0);
  if (api === 'service_principal') {
    expect(f['429']).toBeGreaterThan(0);
    expect(f.tokenExpiry).toBeGreaterThan(0);
    expect(f.failedReport).toBe(2);
    expect(logs(run, 'WARN').filter((l) => /reported Failed/.test(l))).toHaveLength(2);
    expect(sb.issuedTokens.length).toBeGreaterThan(1);
    expect(sb.stats.blobRequestsWithAuthorization).toBe(0);
  }
  totals.runs++;
  totals.requests += requests;
  for (const [k, v] of Object.entries(f)) totals.faults[k] = (totals.faults[k] ?? 0) + v;
  totals.recordsCompared += compared;
  suite.figures.total = totals;
});

it('no secret in any output of this file', () => {
  const scan = suite.scanAll();
  expect(scan.hits).toEqual([]);
  expect(scan.runs).toBeGreaterThanOrEqual(8);
  suite.figures.secretScan = scan;
});
