import fs from 'fs';
import path from 'path';
import zlib from 'zlib';

import fc from 'fast-check';
import {parquetWriteBuffer} from 'hyparquet-writer';

import {decodeCsv} from '../../src/decode/csv';
import {bytesToBigInt, decimalText, parquetRowBatches, RangeSource, readParquetPlan, RowGroupReader} from '../../src/decode/parquet';

/** A Parquet file in memory, read by range; records each read. */
function memorySource(bytes: Uint8Array): RangeSource & {reads: Array<[number, number]>} {
  const reads: Array<[number, number]> = [];
  return {
    byteLength: bytes.byteLength,
    reads,
    async read(start: number, end: number) {
      reads.push([start, end]);
      return bytes.slice(start, end);
    },
  };
}

type Column = {name: string; data: unknown[]};
type Element = Record<string, unknown> & {name: string};

function writeParquet(columns: Column[], elements: Element[], opts: {codec?: 'SNAPPY' | 'UNCOMPRESSED'; rowGroupSize?: number; pageSize?: number} = {}): Uint8Array {
  const buffer = parquetWriteBuffer({
    columnData: columns as never,
    schema: [{name: 'root', num_children: elements.length}, ...elements] as never,
    codec: opts.codec ?? 'SNAPPY',
    rowGroupSize: opts.rowGroupSize ?? 1000,
    pageSize: opts.pageSize,
  });
  return new Uint8Array(buffer);
}

async function allRows(bytes: Uint8Array, batchSize = 1000): Promise<{header: string[]; rows: string[][]}> {
  let header: string[] = [];
  const rows: string[][] = [];
  for await (const batch of parquetRowBatches(memorySource(bytes), {batchSize})) {
    header = batch.header;
    rows.push(...batch.rows);
  }
  return {header, rows};
}

/** Decimal text by the definition (independent of decimalText): sign, integer digits, `scale` fraction digits. */
function reference(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const abs = (neg ? -unscaled : unscaled).toString();
  if (scale === 0) return (neg ? '-' : '') + abs;
  const padded = abs.padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

const MAX38 = 10n ** 38n - 1n;

describe('decimal text', () => {
  it('is exact, with every digit of the scale', () => {
    expect(decimalText(123456789012345678901234567890n, 20)).toBe('1234567890.12345678901234567890');
    expect(decimalText(-123456789012345678901234567890n, 20)).toBe('-1234567890.12345678901234567890');
    expect(decimalText(5n, 2)).toBe('0.05');
    expect(decimalText(-5, 2)).toBe('-0.05');
    expect(decimalText(0n, 3)).toBe('0.000');
    expect(decimalText(42, 0)).toBe('42');
    expect(decimalText(MAX38, 0)).toBe('99999999999999999999999999999999999999');
    expect(decimalText(-MAX38, 38)).toBe('-0.99999999999999999999999999999999999999');
    expect(decimalText(MAX38, 18)).toBe('99999999999999999999.999999999999999999');
  });

  it('reads big-endian two\'s complement bytes of any length exactly', () => {
    expect(bytesToBigInt(new Uint8Array([]))).toBe(0);
    expect(bytesToBigInt(new Uint8Array([0xff]))).toBe(-1);
    expect(bytesToBigInt(new Uint8Array([0x00, 0x80]))).toBe(128);
    expect(bytesToBigInt(new Uint8Array([0xff, 0x7f]))).toBe(-129);
    const sixteen = (v: bigint): Uint8Array => {
      const out = new Uint8Array(16);
      let x = BigInt.asUintN(128, v);
      for (let i = 15; i >= 0; i--) {
        out[i] = Number(x & 0xffn);
        x >>= 8n;
      }
      return out;
    };
    fc.assert(
      fc.property(fc.bigInt(-MAX38, MAX38), (v) => {
        expect(BigInt(bytesToBigInt(sixteen(v)))).toBe(v);
      }),
    );
  });
});

describe('parquetRowBatches', () => {
  // DECIMAL in each physical type a writer may use, at every scale up to 20
  const layouts: Array<{type: string; typeLength?: number; precision: number; max: bigint}> = [
    {type: 'FIXED_LEN_BYTE_ARRAY', typeLength: 16, precision: 38, max: MAX38},
    {type: 'BYTE_ARRAY', precision: 38, max: MAX38},
    {type: 'INT64', precision: 18, max: 10n ** 18n - 1n},
    {type: 'INT32', precision: 9, max: 10n ** 9n - 1n},
  ];
  for (const layout of layouts) {
    for (const codec of ['SNAPPY', 'UNCOMPRESSED'] as const) {
      it(`decodes DECIMAL(${layout.precision}, 0..20) in ${layout.type} exactly (${codec})`, async () => {
        const scales = Array.from({length: Math.min(21, layout.precision + 1)}, (_, s) => s);
        const n = 300;
        const values = fc.sample(fc.bigInt(-layout.max, layout.max), {numRuns: n, seed: 42});
        // the edges, small values, and nulls
        values.splice(0, 6, layout.max, -layout.max, 0n, 1n, -1n, 123n);
        const data = values.map((v, i) => (i % 17 === 5 ? null : v));
        const columns = scales.map((s) => ({name: `d${s}`, data}));
        const elements = scales.map((s) => ({
          name: `d${s}`,
          type: layout.type,
          type_length: layout.typeLength,
          converted_type: 'DECIMAL',
          precision: layout.precision,
          scale: s,
          repetition_type: 'OPTIONAL',
        }));
        const {header, rows} = await allRows(writeParquet(columns, elements, {codec, rowGroupSize: 128}), 50);
        expect(header).toEqual(scales.map((s) => `d${s}`));
        expect(rows).toHaveLength(n);
        for (let i = 0; i < n; i++) {
          expect(rows[i]).toEqual(scales.map((s) => (data[i] === null ? '' : reference(data[i] as bigint, s))));
        }
      });
    }
  }

  it('gives the DECIMAL(38, 20) of the contract example', async () => {
    const bytes = writeParquet(
      [{name: 'Cost', data: [123456789012345678901234567890n, -123456789012345678901234567890n]}],
      [{name: 'Cost', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 20, repetition_type: 'REQUIRED'}],
    );
    expect((await allRows(bytes)).rows).toEqual([['1234567890.12345678901234567890'], ['-1234567890.12345678901234567890']]);
  });

  it('gives strings as UTF-8, dates and timestamps as ISO text, nulls as empty cells, over several row groups', async () => {
    const n = 2500;
    const names = Array.from({length: n}, (_, i) => (i % 11 === 3 ? null : i % 5 === 0 ? `Ünïcödé, "quoted" ${i % 7} 東京` : `sub-${i % 13}`));
    const unique = Array.from({length: n}, (_, i) => `row ${i} ${'x'.repeat(i % 40)}`);
    const days = Array.from({length: n}, (_, i) => (i % 9 === 4 ? null : new Date(Date.UTC(2026, 9, 1 + (i % 31)))));
    const stamps = Array.from({length: n}, (_, i) => BigInt(Date.UTC(2026, 9, 1, i % 24, i % 60, i % 60)) * 1000n + BigInt(i % 3 === 0 ? 0 : i));
    const counts = Array.from({length: n}, (_, i) => (i % 4 === 0 ? null : BigInt(i) * 1000n));
    const ratios = Array.from({length: n}, (_, i) => i / 8);
    const flags = Array.from({length: n}, (_, i) => i % 2 === 0);
    const bytes = writeParquet(
      [
        {name: 'SubscriptionName', data: names},
        {name: 'Unique', data: unique},
        {name: 'Date', data: days},
        {name: 'Stamp', data: stamps},
        {name: 'Count', data: counts},
        {name: 'Ratio', data: ratios},
        {name: 'Flag', data: flags},
      ],
      [
        {name: 'SubscriptionName', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL'},
        {name: 'Unique', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED'},
        {name: 'Date', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL'},
        {name: 'Stamp', type: 'INT64', logical_type: {type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS'}, repetition_type: 'REQUIRED'},
        {name: 'Count', type: 'INT64', repetition_type: 'OPTIONAL'},
        {name: 'Ratio', type: 'DOUBLE', repetition_type: 'REQUIRED'},
        {name: 'Flag', type: 'BOOLEAN', repetition_type: 'REQUIRED'},
      ],
      {rowGroupSize: 700, pageSize: 4096},
    );
    const plan = await readParquetPlan(memorySource(bytes));
    expect(plan.groups.map((g) => g.rows)).toEqual([700, 700, 700, 400]);
    const {header, rows} = await allRows(bytes, 333);
    expect(header).toEqual(['SubscriptionName', 'Unique', 'Date', 'Stamp', 'Count', 'Ratio', 'Flag']);
    expect(rows).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      const micros = stamps[i] % 1_000_000n;
      const iso = new Date(Number(stamps[i] / 1000n)).toISOString().slice(0, 19) + (micros === 0n ? '' : '.' + micros.toString().padStart(6, '0').replace(/0+$/, '')) + 'Z';
      expect(rows[i]).toEqual([
        names[i] ?? '',
        unique[i],
        days[i] === null ? '' : (days[i] as Date).toISOString().slice(0, 10),
        iso,
        counts[i] === null ? '' : String(counts[i]),
        String(ratios[i]),
        flags[i] ? 'True' : 'False',
      ]);
    }
  });

  it('reads the footer, then one row group at a time', async () => {
    const n = 5000;
    const bytes = writeParquet([{name: 'a', data: Array.from({length: n}, (_, i) => `value ${i}`)}], [{name: 'a', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED'}], {rowGroupSize: 1000});
    const source = memorySource(bytes);
    let rows = 0;
    for await (const batch of parquetRowBatches(source, {batchSize: 100})) rows += batch.rows.length;
    expect(rows).toBe(n);
    const plan = await readParquetPlan(memorySource(bytes));
    // the footer's tail, then each group's own byte range, nothing more
    expect(source.reads.slice(1)).toEqual(plan.groups.map((g) => [g.start, g.end]));
    expect(Math.max(...plan.groups.map((g) => g.end - g.start))).toBeLessThan(bytes.byteLength / 4);
  });

  it('says when a blob is not a Parquet file', async () => {
    await expect(allRows(new TextEncoder().encode('Date,Cost\n2026-10-01,1.5\n'))).rejects.toThrow(/not a Parquet file/);
  });
});

describe('files from another writer (DuckDB: version-1 data pages, dictionaries)', () => {
  const dir = path.resolve(__dirname, '..', 'fixtures', 'parquet');

  async function expectedCells(): Promise<{header: string[]; rows: string[][]}> {
    const rows: string[][] = [];
    let header: string[] = [];
    for await (const batch of decodeCsv(fs.createReadStream(path.join(dir, 'duckdb-expected.csv.gz')).pipe(zlib.createGunzip()), 100)) {
      header = batch.header;
      rows.push(...batch.rows);
    }
    return {header, rows};
  }

  for (const file of ['duckdb-v1-snappy.parquet', 'duckdb-v1-plain.parquet']) {
    it(`gives the cells DuckDB gives as text: ${file}`, async () => {
      const expected = await expectedCells();
      expect(expected.rows).toHaveLength(300);
      const bytes = new Uint8Array(fs.readFileSync(path.join(dir, file)));
      for (const batchSize of [7, 1000]) expect(await allRows(bytes, batchSize)).toEqual(expected);
      // a reader moved forward (as a unit that starts inside a group) gives the rows from there
      const plan = await readParquetPlan(memorySource(bytes));
      const group = plan.groups[0];
      const reader = new RowGroupReader(plan.columns, group, bytes.slice(group.start, group.end));
      reader.seek(123);
      expect(reader.read(10)).toEqual(expected.rows.slice(123, 133));
      reader.seek(250);
      expect(reader.read(1000)).toEqual(expected.rows.slice(250));
    });
  }
});
