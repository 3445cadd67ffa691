import {ServicePrincipalAuth} from '../../src/http/auth';
import {HttpClient} from '../../src/http/client';
import {AdaptiveLimiter} from '../../src/http/limiter';
import {Logger} from '../../src/protocol/logger';
import {CostDetailsReader} from '../../src/readers/cost-details';

/** An Azure that completes every report at once (200 on the POST) and counts the requests. */
function fakeAzure(answer: (n: number) => {status: number; body?: unknown}) {
  const posts: unknown[] = [];
  const http = {
    async send(req: {method: string; data?: unknown}) {
      posts.push(req.data);
      const a = answer(posts.length);
      return {status: a.status, body: a.body, headers: {}};
    },
    backoff: async () => undefined,
  } as unknown as HttpClient;
  const gate = {run: <T>(fn: () => Promise<T>) => fn(), onSuccess: () => undefined, onThrottled: () => undefined} as unknown as AdaptiveLimiter;
  const infos: string[] = [];
  const logger = {info: (m: string) => infos.push(m), warn: () => undefined, debug: () => undefined} as unknown as Logger;
  const reader = new CostDetailsReader(http, {} as ServicePrincipalAuth, {apiBaseUrl: 'https://management.azure.com', scope: {type: 'ea_enrollment', enrollmentNumber: '12345678'}, maxReportWaitMs: 60_000, maxReportAttempts: 2}, logger, gate);
  return {reader, posts, infos};
}

const completed = (validTill: Date | undefined, n: number) => ({
  status: 200,
  body: {
    status: 'Completed',
    ...(validTill ? {validTill: validTill.toISOString()} : {}),
    manifest: {blobs: [{blobLink: `https://ccmreports.blob.core.windows.net/r/${n}.csv?sv=1&sig=x`, byteCount: 10}]},
  },
});
const inHours = (h: number) => new Date(Date.now() + h * 3600_000);
const SLICE = {start: '2026-11-01', end: '2026-11-07'};

describe('a report is shared by the streams of a sync while its links stay valid (docs/design.md §1)', () => {
  test('the same metric and slice asked twice: one report, the same links; the second use is logged', async () => {
    const {reader, posts, infos} = fakeAzure((n) => completed(inHours(24), n));
    const a = await reader.generate('ActualCost', SLICE);
    const b = await reader.generate('ActualCost', SLICE);
    expect(posts).toHaveLength(1);
    expect(b).toEqual(a);
    expect(infos).toEqual(['Reusing the ActualCost report for 2026-11-01..2026-11-07, generated earlier in this sync.']);
  });

  test('asked twice while it is being generated: one request, both get it', async () => {
    const {reader, posts} = fakeAzure((n) => completed(inHours(24), n));
    const [a, b] = await Promise.all([reader.generate('AmortizedCost', SLICE), reader.generate('AmortizedCost', SLICE)]);
    expect(posts).toHaveLength(1);
    expect(a).toEqual(b);
  });

  test('another metric or another slice is another report', async () => {
    const {reader, posts} = fakeAzure((n) => completed(inHours(24), n));
    await reader.generate('ActualCost', SLICE);
    await reader.generate('AmortizedCost', SLICE);
    await reader.generate('ActualCost', {start: '2026-11-01', end: '2026-11-06'});
    expect(posts).toEqual([
      {metric: 'ActualCost', timePeriod: SLICE},
      {metric: 'AmortizedCost', timePeriod: SLICE},
      {metric: 'ActualCost', timePeriod: {start: '2026-11-01', end: '2026-11-06'}},
    ]);
  });

  test('links valid for less than the margin (30 minutes): made anew, with new links', async () => {
    const {reader, posts} = fakeAzure((n) => completed(new Date(Date.now() + 20 * 60_000), n));
    const a = await reader.generate('ActualCost', SLICE);
    const b = await reader.generate('ActualCost', SLICE);
    expect(posts).toHaveLength(2);
    expect(b).not.toEqual(a);
  });

  test('without validTill: shared for a while (30 minutes from its making)', async () => {
    const {reader, posts} = fakeAzure((n) => completed(undefined, n));
    await reader.generate('ActualCost', SLICE);
    await reader.generate('ActualCost', SLICE);
    expect(posts).toHaveLength(1);
  });

  test('an empty report (204) has no links to expire: shared', async () => {
    const {reader, posts} = fakeAzure(() => ({status: 204}));
    expect(await reader.generate('ActualCost', SLICE)).toEqual({kind: 'empty'});
    expect(await reader.generate('ActualCost', SLICE)).toEqual({kind: 'empty'});
    expect(posts).toHaveLength(1);
  });

  test('a report that failed is not remembered: the next ask generates it again', async () => {
    const {reader, posts} = fakeAzure((n) => (n <= 2 ? {status: 200, body: {status: 'Failed', error: {message: 'boom'}}} : completed(inHours(24), n)));
    await expect(reader.generate('ActualCost', SLICE)).rejects.toThrow(/could not generate the ActualCost report for 2026-11-01..2026-11-07 .*\(status Failed: boom\) after 2 attempts/);
    const r = await reader.generate('ActualCost', SLICE);
    expect(r.kind).toBe('ready');
    expect(posts).toHaveLength(3);
  });
});
