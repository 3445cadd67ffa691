import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, Message, runCli, tempDir, writeJson} from '../support/cli';
import {sandboxConfig} from './sandbox-config';

/**
 * worker_threads: rows decoded on worker threads must leave exactly as the main thread alone
 * writes them: same records in the same order (ids with their repeat suffixes, across units
 * and threads), same conflicts, same STATE messages.
 */
let sb: Sandbox;
let dir: string;
let n = 0;

const RULES = [
  {name: 'team-tag', priority: 10, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
  {name: 'team-rg', priority: 10, match: {resource_group: '*'}, set: {team: 'rg-${resource_group}'}},
  {name: 'env', priority: 5, match: {'tags.env': 'prod'}, set: {environment: 'production'}},
];

beforeAll(async () => {
  dir = tempDir();
  // 10 days of 1,200 rows in blobs of 700 rows and pages of 300: many units per slice
  sb = await startSandbox({rowsPerDay: 1200, startDate: '2026-10-01', endDate: '2026-10-10', today: FROZEN_TODAY, maxRowsPerBlob: 700, eaPageSize: 300, retryAfterSeconds: 0});
});

afterAll(async () => {
  await sb.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

async function read(auth: 'service_principal' | 'api_key', threads: number): Promise<CliRun> {
  const config = sandboxConfig(sb, auth, {worker_threads: threads, slice_days: 4, max_concurrency: 2, tracking_rules: RULES});
  const run = await runCli([
    'read',
    '--config', writeJson(path.join(dir, `c${n}.json`), config),
    '--catalog', writeJson(path.join(dir, `k${n++}.json`), catalog(['usage_details', 'tracking_conflicts'], 'full_refresh')),
  ]);
  expectProtocolOnly(run);
  expect(run.code).toBe(0);
  return run;
}

/**
 * Per STATE: the records of each stream written before it, in order, then the STATE. (How the
 * two streams' lines interleave between two STATEs follows unit boundaries, which follow how
 * the network chunks a blob; it is not part of the output's meaning.)
 */
function comparable(messages: Message[]): string[] {
  const out: string[] = [];
  let usage: string[] = [];
  let conflicts: string[] = [];
  for (const m of messages) {
    if (m.type === 'RECORD') (m.record.stream === 'tracking_conflicts' ? conflicts : usage).push(`${m.record.stream} ${JSON.stringify(m.record.data)}`);
    if (m.type === 'STATE') {
      out.push(...usage, ...conflicts, `STATE ${JSON.stringify(m.state)}`);
      usage = [];
      conflicts = [];
    }
  }
  out.push(...usage, ...conflicts);
  return out;
}

describe('worker threads', () => {
  it.each(['service_principal', 'api_key'] as const)('%s: 2 and 3 threads write exactly what the main thread alone writes', async (auth) => {
    const one = comparable((await read(auth, 1)).messages);
    const records = one.filter((l) => l.startsWith('usage_details '));
    expect(records.length).toBeGreaterThan(10_000);
    expect(records.some((l) => /"id":"[0-9a-f]{32}-1"/.test(l))).toBe(true);
    expect(one.filter((l) => l.startsWith('tracking_conflicts ')).length).toBeGreaterThan(100);
    for (const threads of [2, 3]) {
      const many = comparable((await read(auth, threads)).messages);
      expect(many.length).toBe(one.length);
      expect(many).toEqual(one);
    }
  });
});
