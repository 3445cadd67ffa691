import fs from 'fs';
import path from 'path';
import {Readable} from 'stream';

import {parquetWriteBuffer} from 'hyparquet-writer';

import {RecordPipeline} from '../../src/sync/pipeline';
import {compileTrackingRules} from '../../src/track';
import {csvBlobUnits} from '../../src/work/csv-blob';
import {InThreadExecutor, UnitExecutor} from '../../src/work/executor';
import {parquetBlobUnits, RangeSource} from '../../src/work/parquet-blob';
import {WorkerPool} from '../../src/work/pool';
import {UnitJob} from '../../src/work/unit';

/**
 * The same rows as a CSV export and as a Parquet export (typed columns: DECIMAL(38, 18) costs,
 * DATE, strings with nulls) give byte-identical RECORD lines, on this thread and on worker threads.
 */

const job: UnitJob = {stream: 'usage_details', emitRecords: true, auditConflicts: true, metric: 'actual', sourceApi: 'cost_details', emittedAt: 1};
const trackingRules = [
  {name: 'team-a', priority: 1, match: {resource_group: 'rg-*'}, set: {team: 'a'}},
  {name: 'team-b', priority: 1, match: {subscription_name: '*'}, set: {team: 'b'}},
];
const rules = compileTrackingRules(trackingRules);
const WORKER = path.resolve(__dirname, '..', '..', 'lib', 'src', 'work', 'worker.js');

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Rows {
  date: Array<Date | null>;
  /** Cost as an unscaled DECIMAL(38, 18) and as the text a CSV export writes. */
  cost: Array<{unscaled: bigint; text: string} | null>;
  quantity: Array<{unscaled: bigint; text: string}>;
  subscription: Array<string | null>;
  resourceGroup: Array<string | null>;
  meter: string[];
  tags: Array<string | null>;
}

const HEADER = ['Date', 'CostInBillingCurrency', 'Quantity', 'SubscriptionName', 'ResourceGroup', 'MeterCategory', 'Tags'];

/** A CSV export's decimal text ("12.5", "-0.000123", "7") and its unscaled DECIMAL(38, 18). */
function decimal(r: () => number): {unscaled: bigint; text: string} {
  const whole = BigInt(Math.floor(r() * 100000));
  const places = Math.floor(r() * 19);
  let frac = '';
  for (let i = 0; i < places; i++) frac += Math.floor(r() * 10);
  const neg = r() < 0.1;
  const text = `${neg ? '-' : ''}${whole}${places ? '.' + frac : ''}`;
  const unscaled = (whole * 10n ** 18n + BigInt((frac || '0').padEnd(18, '0'))) * (neg ? -1n : 1n);
  return {unscaled, text};
}

function makeRows(seed: number, n: number): Rows {
  const r = rng(seed);
  const rows: Rows = {date: [], cost: [], quantity: [], subscription: [], resourceGroup: [], meter: [], tags: []};
  for (let i = 0; i < n; i++) {
    rows.date.push(r() < 0.01 ? null : new Date(Date.UTC(2026, 9, 1 + Math.floor(r() * 3))));
    rows.cost.push(r() < 0.02 ? null : decimal(r));
    rows.quantity.push(decimal(r));
    rows.subscription.push(r() < 0.05 ? null : r() < 0.1 ? `Sub "quoted", ${i % 3}` : `Sub ${Math.floor(r() * 3)}`);
    rows.resourceGroup.push(r() < 0.1 ? null : `rg-${Math.floor(r() * 4)}`);
    rows.meter.push(r() < 0.5 ? 'Virtual Machines' : 'Storage');
    rows.tags.push(r() < 0.3 ? null : `{"env": "prod${Math.floor(r() * 2)}", "note": "línea${r() < 0.2 ? '\nbreak' : ''}"}`);
    if (r() < 0.05 && i + 1 < n) {
      // an identical row: the id gets an occurrence suffix, across units too
      for (const k of Object.keys(rows) as Array<keyof Rows>) (rows[k] as unknown[]).push((rows[k] as unknown[])[i]);
      i++;
    }
  }
  return rows;
}

function csvCell(s: string | null): string {
  if (s === null) return '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV export of the rows: dates as MM/DD/YYYY, as EA cost files write them. */
function toCsv(rows: Rows): string {
  const lines = [HEADER.join(',')];
  for (let i = 0; i < rows.meter.length; i++) {
    const d = rows.date[i];
    const date = d ? `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}` : '';
    lines.push([date, rows.cost[i]?.text ?? '', rows.quantity[i].text, csvCell(rows.subscription[i]), csvCell(rows.resourceGroup[i]), rows.meter[i], csvCell(rows.tags[i])].join(','));
  }
  return lines.join('\n') + '\n';
}

function toParquet(rows: Rows, rowGroupSize: number): Uint8Array {
  const dec = (name: string, optional: boolean) => ({name, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 18, repetition_type: optional ? 'OPTIONAL' : 'REQUIRED'});
  const str = (name: string, optional: boolean) => ({name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: optional ? 'OPTIONAL' : 'REQUIRED'});
  const buffer = parquetWriteBuffer({
    columnData: [
      {name: 'Date', data: rows.date},
      {name: 'CostInBillingCurrency', data: rows.cost.map((c) => c?.unscaled ?? null)},
      {name: 'Quantity', data: rows.quantity.map((c) => c.unscaled)},
      {name: 'SubscriptionName', data: rows.subscription},
      {name: 'ResourceGroup', data: rows.resourceGroup},
      {name: 'MeterCategory', data: rows.meter},
      {name: 'Tags', data: rows.tags},
    ] as never,
    schema: [
      {name: 'root', num_children: 7},
      {name: 'Date', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL'},
      dec('CostInBillingCurrency', true),
      dec('Quantity', false),
      str('SubscriptionName', true),
      str('ResourceGroup', true),
      str('MeterCategory', false),
      str('Tags', true),
    ] as never,
    codec: 'SNAPPY',
    rowGroupSize,
    pageSize: 2048,
  });
  return new Uint8Array(buffer);
}

function memorySource(bytes: Uint8Array): RangeSource {
  return {byteLength: bytes.byteLength, read: async (start, end) => bytes.slice(start, end)};
}

async function csvOutput(text: string): Promise<string> {
  const pipeline = new RecordPipeline('usage_details', undefined);
  let out = '';
  for await (const unit of csvBlobUnits(Readable.from([Buffer.from(text)]), job, new InThreadExecutor(rules), rules)) out += Buffer.from(pipeline.finish(unit)).toString();
  return out;
}

async function parquetOutput(bytes: Uint8Array, executor: UnitExecutor, unitRows: number): Promise<{out: string; units: number}> {
  const pipeline = new RecordPipeline('usage_details', undefined);
  let out = '';
  let units = 0;
  for await (const unit of parquetBlobUnits(memorySource(bytes), job, executor, rules, {unitRows})) {
    out += Buffer.from(pipeline.finish(unit)).toString();
    units++;
  }
  return {out, units};
}

describe('parquetBlobUnits', () => {
  const n = 1500;
  const rows = makeRows(7, n);
  const csv = toCsv(rows);
  let expected = '';

  beforeAll(async () => {
    expected = await csvOutput(csv);
    expect(expected.split('\n').length - 1).toBeGreaterThan(n * 0.9);
    expect(expected).toMatch(/"id":"[0-9a-f]{32}-1"/); // duplicates were suffixed
  });

  it('gives the RECORD lines of the CSV export of the same rows, on this thread', async () => {
    for (const [groupRows, unitRows] of [[400, 37], [1500, 500], [100, 1000]]) {
      const {out, units} = await parquetOutput(toParquet(rows, groupRows), new InThreadExecutor(rules), unitRows);
      expect(out).toBe(expected);
      expect(units).toBeGreaterThanOrEqual(Math.ceil(n / Math.max(groupRows, unitRows)));
    }
  });

  for (const threads of [1, 2]) {
    it(`gives the same RECORD lines on ${threads} worker thread(s)`, async () => {
      expect(fs.existsSync(WORKER)).toBe(true); // npm test builds first; alone: npm run build
      const pool = new WorkerPool(threads, {trackingRules}, WORKER);
      try {
        for (const [groupRows, unitRows] of [[400, 37], [1500, 100]]) {
          const {out} = await parquetOutput(toParquet(rows, groupRows), pool, unitRows);
          expect(out).toBe(expected);
        }
      } finally {
        await pool.close();
      }
    });
  }

  it('fails with the reader\'s error when a row group cannot be read', async () => {
    const bytes = toParquet(rows, 400);
    let reads = 0;
    const failing: RangeSource = {
      byteLength: bytes.byteLength,
      read: async (start, end) => {
        if (++reads === 3) throw new Error('connection reset');
        return bytes.slice(start, end);
      },
    };
    const seen: number[] = [];
    const run = async (): Promise<void> => {
      for await (const unit of parquetBlobUnits(failing, job, new InThreadExecutor(rules), rules, {unitRows: 100})) seen.push(unit.records);
    };
    await expect(run()).rejects.toThrow(/connection reset/);
    expect(seen.length).toBe(4); // the first group's units came out before the failure
  });
});
