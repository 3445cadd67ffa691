import fs from 'fs';
import os from 'os';
import path from 'path';

import {SystemError} from '../../src/errors';
import {WorkerPool, workerYoungGenerationMb} from '../../src/work/pool';
import {UnitJob} from '../../src/work/unit';

const job: UnitJob = {stream: 'usage_details', emitRecords: true, auditConflicts: true, metric: 'actual', sourceApi: 'cost_details', emittedAt: 1};
const input = {kind: 'csv' as const, job, bytes: Buffer.from('2026-10-01,1\n'), header: ['Date', 'Cost'], delimiter: 1, final: true};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
});

/** A stand-in worker script: what a broken or crashing decoding thread does. */
function script(body: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-'));
  dirs.push(dir);
  const file = path.join(dir, 'worker.js');
  fs.writeFileSync(file, `const {parentPort} = require('worker_threads');\n${body}\n`);
  return file;
}

describe('WorkerPool', () => {
  it('fails the units of a thread that dies with a system error, not a hang', async () => {
    const pool = new WorkerPool(1, {trackingRules: []}, script(`parentPort.on('message', () => process.exit(3));`));
    const err = await pool.csv(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SystemError);
    expect(String((err as Error).message)).toMatch(/decoding thread stopped \(exit code 3\).*resumes from the last saved state/);
    await pool.close();
  });

  it('fails a unit whose thread throws while loading', async () => {
    const pool = new WorkerPool(1, {trackingRules: []}, script(`throw new Error('cannot load');`));
    await expect(pool.csv(input)).rejects.toThrow(/decoding thread stopped \(cannot load\)/);
    await pool.close();
  });

  it('passes a thread-side error of one unit to that unit only', async () => {
    const pool = new WorkerPool(
      1,
      {trackingRules: []},
      script(`parentPort.on('message', ({id}) => id === 1 ? parentPort.postMessage({id, type: 'error', message: 'bad unit'}) : parentPort.postMessage({id, type: 'problem', problem: {problem: 'serial'}}));`),
    );
    await expect(pool.csv(input)).rejects.toThrow(/decoding thread failed: bad unit/);
    await expect(pool.csv(input)).resolves.toEqual({problem: 'serial'});
    await pool.close();
  });

  it('spreads units over its threads and keeps no thread alive once closed', async () => {
    const pool = new WorkerPool(2, {trackingRules: []}, script(`parentPort.on('message', ({id}) => setTimeout(() => parentPort.postMessage({id, type: 'problem', problem: {problem: 'serial', thread: require('worker_threads').threadId}}), 20));`));
    const results = (await Promise.all([pool.csv(input), pool.csv(input), pool.csv(input), pool.csv(input)])) as unknown as Array<{thread: number}>;
    expect(new Set(results.map((r) => r.thread)).size).toBe(2);
    await pool.close();
    await expect(pool.csv(input)).rejects.toThrow(/closed/);
  });

  it('starts its threads with the young generation it is given', async () => {
    const reportLimits = script(`const {resourceLimits} = require('worker_threads');\nparentPort.on('message', ({id}) => parentPort.postMessage({id, type: 'done', output: resourceLimits}));`);
    for (const mb of [12, 24]) {
      const pool = new WorkerPool(1, {trackingRules: []}, reportLimits, mb);
      const limits = (await pool.csv(input)) as unknown as {maxYoungGenerationSizeMb: number};
      await pool.close();
      expect(limits.maxYoungGenerationSizeMb).toBe(mb);
    }
  });

  it('uses a larger young generation for EA pages and for reads with tracking rules', () => {
    const rule = {name: 'r', match: {resource_group: '*'}, set: {team: 'x'}};
    expect(workerYoungGenerationMb([], 'csv')).toBe(12);
    expect(workerYoungGenerationMb(undefined, 'csv')).toBe(12);
    expect(workerYoungGenerationMb([rule], 'csv')).toBe(24);
    expect(workerYoungGenerationMb([], 'ea-pages')).toBe(24);
    expect(workerYoungGenerationMb([rule], 'ea-pages')).toBe(24);
  });
});
