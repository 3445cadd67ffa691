import fs from 'fs';
import path from 'path';

import {Sandbox, startSandbox} from '../../sandbox';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, logs, records, runCli, states, tempDir, traces, writeJson} from '../support/cli';
import {sandboxConfig} from './sandbox-config';

/**
 * Progress a user can see (Airbyte protocol): TRACE ESTIMATE per stream (Cost Details: from the
 * reports' byte counts, before the rows; EA: rows per day so far, after every slice), TRACE
 * STREAM_STATUS, and one INFO line per checkpoint with days, rows, rows/s and heap.
 */
const sandboxes: Sandbox[] = [];
let dir: string;
let n = 0;

async function read(sb: Sandbox, auth: 'service_principal' | 'api_key'): Promise<CliRun> {
  const run = await runCli([
    'read',
    '--config', writeJson(path.join(dir, `c${n}.json`), sandboxConfig(sb, auth, {slice_days: 3})),
    '--catalog', writeJson(path.join(dir, `k${n++}.json`), catalog(['usage_details'], 'full_refresh')),
  ]);
  expectProtocolOnly(run);
  return run;
}

function expectEstimateShape(t: any): void {
  expect(t.emitted_at).toEqual(expect.any(Number));
  expect(Object.keys(t.estimate).sort()).toEqual(['name', 'row_estimate', 'type']);
  expect(t.estimate.name).toBe('usage_details');
  expect(t.estimate.type).toBe('STREAM');
  expect(Number.isInteger(t.estimate.row_estimate)).toBe(true);
}

beforeAll(async () => {
  dir = tempDir();
  sandboxes.push(await startSandbox({rowsPerDay: 40, startDate: '2026-10-01', endDate: '2026-10-09', today: FROZEN_TODAY, eaPageSize: 50}));
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sb) => sb.close()));
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('progress', () => {
  for (const auth of ['service_principal', 'api_key'] as const) {
    it(`${auth}: ESTIMATE, STREAM_STATUS and a progress line per checkpoint`, async () => {
      const run = await read(sandboxes[0], auth);
      expect(run.code).toBe(0);
      const total = records(run, 'usage_details').length;
      const estimates = traces(run, 'ESTIMATE');
      expect(estimates.length).toBeGreaterThan(0);
      for (const t of estimates) expectEstimateShape(t);
      const last = estimates[estimates.length - 1].estimate.row_estimate;
      if (auth === 'api_key') {
        // rows per day so far × days: exact once every slice is read
        expect(last).toBe(total);
      } else {
        // from report byte counts, ahead of the rows
        const firstEstimate = run.messages.findIndex((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE');
        const firstRecord = run.messages.findIndex((m) => m.type === 'RECORD');
        expect(firstEstimate).toBeLessThan(firstRecord);
        expect(last).toBeGreaterThan(total * 0.5);
        expect(last).toBeLessThan(total * 2);
      }
      expect(traces(run, 'STREAM_STATUS').map((t) => t.stream_status.status)).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
      const lines = logs(run, 'INFO').filter((l) => l.includes(' done; '));
      expect(lines).toHaveLength(states(run, 'usage_details').length);
      expect(lines[lines.length - 1]).toMatch(new RegExp(`9/9 days, \\d+ rows in slice, ${total} rows, \\d+ rows/s, heap \\d+ MB$`));
    });
  }
});
