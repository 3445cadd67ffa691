import fs from 'fs';
import os from 'os';
import path from 'path';

import {makeEnrollment, ReportStore, resolveOptions} from '../../sandbox';

const options = resolveOptions({startDate: '2026-09-01', endDate: '2026-09-10', today: '2026-11-25', rowsPerDay: 400});
const enrollment = makeEnrollment({
  seed: options.seed, enrollmentNumber: options.enrollmentNumber, startDate: options.startDate, endDate: options.endDate,
  rowsPerDay: options.rowsPerDay, emptyDays: options.emptyDays, messRates: options.messRates,
});
const render = {maxRowsPerBlob: 500, csvSchema: options.csvSchema, bom: options.bom};

describe('ReportStore without a cache dir', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'report-store-'));
  });
  afterEach(() => fs.rmSync(base, {recursive: true, force: true}));

  it('renders into a temp dir and removes it on dispose', async () => {
    const store = new ReportStore(undefined, base);
    const report = await store.get(enrollment, 'actual', '2026-09-01', '2026-09-05', render);
    expect(report.blobs.length).toBeGreaterThan(1);
    for (const b of report.blobs) expect(fs.existsSync(b.file)).toBe(true);
    await store.dispose();
    expect(fs.readdirSync(base)).toEqual([]);
  });

  it('renders that start together share one temp dir, removed on dispose', async () => {
    const store = new ReportStore(undefined, base);
    const reports = await Promise.all([
      store.get(enrollment, 'actual', '2026-09-01', '2026-09-03', render),
      store.get(enrollment, 'actual', '2026-09-04', '2026-09-06', render),
      store.get(enrollment, 'amortized', '2026-09-01', '2026-09-03', render),
    ]);
    expect(fs.readdirSync(base)).toHaveLength(1);
    expect(new Set(reports.map((r) => path.dirname(r.dir))).size).toBe(1);
    await store.dispose();
    expect(fs.readdirSync(base)).toEqual([]);
  });

  it('leaves nothing behind when disposed while a render is still running', async () => {
    const store = new ReportStore(undefined, base);
    const inFlight = store.get(enrollment, 'actual', '2026-09-01', '2026-09-10', render);
    await store.dispose();
    await inFlight.catch(() => undefined);
    expect(fs.readdirSync(base)).toEqual([]);
    // and a store that is closed renders nothing more
    await expect(store.get(enrollment, 'actual', '2026-09-06', '2026-09-10', render)).rejects.toThrow(/closed/);
    expect(fs.readdirSync(base)).toEqual([]);
  });
});
