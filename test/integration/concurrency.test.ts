import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, logs, Message, records, runCli, states, tempDir, traces, writeJson} from '../support/cli';
import {compareToTruth, sandboxConfig, truthByDay} from './sandbox-config';

/**
 * max_concurrency: reports generate in parallel at Azure, records and STATE still leave in
 * slice order, and Azure's 429 for too many reports in flight slows the connector down (its
 * adaptive limit halves) instead of failing the sync. No timing assertions: the speed-up
 * itself is measured by `npm run bench`.
 */
const sandboxes: Sandbox[] = [];
let dir: string;
let n = 0;

async function sandbox(options: Parameters<typeof startSandbox>[0]): Promise<Sandbox> {
  const sb = await startSandbox({rowsPerDay: 30, startDate: '2026-10-01', endDate: '2026-10-12', today: FROZEN_TODAY, retryAfterSeconds: 0, ...options});
  sandboxes.push(sb);
  return sb;
}

async function read(sb: Sandbox, config: Record<string, unknown>): Promise<CliRun> {
  const run = await runCli([
    'read',
    '--config', writeJson(path.join(dir, `c${n}.json`), sandboxConfig(sb, 'service_principal', config)),
    '--catalog', writeJson(path.join(dir, `k${n++}.json`), catalog(['usage_details'], 'full_refresh')),
  ]);
  expectProtocolOnly(run);
  return run;
}

/** No STATE may claim a day before all of that day's records have been written. */
function expectOrderedCheckpoints(messages: Message[]): void {
  let claimed = '';
  let lastState = '';
  for (const m of messages) {
    if (m.type === 'STATE') {
      const day = m.state.stream.stream_state.usage_date as string;
      expect(day > lastState).toBe(true);
      lastState = day;
      claimed = day;
    } else if (m.type === 'RECORD') {
      expect(m.record.data.usage_date > claimed).toBe(true);
    }
  }
}

beforeAll(() => {
  dir = tempDir();
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('concurrent report generation', () => {
  it('overlaps reports, keeps records and STATE in slice order, loses nothing', async () => {
    const sb = await sandbox({reportLatencyMs: 300, maxConcurrentReports: 16});
    const run = await read(sb, {slice_days: 1, max_concurrency: 4});
    expect(run.code).toBe(0);
    expect(sb.stats.concurrentReportsPeak).toBeGreaterThanOrEqual(3);
    expect(sb.stats.concurrentReportsPeak).toBeLessThanOrEqual(4);
    expect(sb.stats.rateLimited).toBe(0);
    expectOrderedCheckpoints(run.messages);
    expect(states(run, 'usage_details')).toHaveLength(12);
    expect(compareToTruth(records(run, 'usage_details'), truthByDay(sb, 'actual')).mismatches).toEqual([]);
  });

  it('429 for too many reports in flight: slows down, never fails', async () => {
    const sb = await sandbox({reportLatencyMs: 300, maxConcurrentReports: 2});
    const run = await read(sb, {slice_days: 1, max_concurrency: 8});
    expect(run.code).toBe(0);
    expect(sb.stats.rateLimited).toBeGreaterThan(0);
    expect(sb.stats.concurrentReportsPeak).toBeLessThanOrEqual(2);
    expect(traces(run, 'ERROR')).toEqual([]);
    expectOrderedCheckpoints(run.messages);
    expect(compareToTruth(records(run, 'usage_details'), truthByDay(sb, 'actual')).mismatches).toEqual([]);
    const summary = logs(run, 'INFO').find((l) => l.startsWith('Sync complete'))!;
    const throttled = Number(/(\d+) throttled/.exec(summary)![1]);
    expect(throttled).toBeGreaterThan(0);
  });
});
