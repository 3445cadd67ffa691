import * as fs from 'fs';
import * as path from 'path';
import {PassThrough, Readable} from 'stream';
import {CsvBatch, decodeCsv} from '../../src/decode/csv';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

async function collect(input: NodeJS.ReadableStream, batchSize = 1000): Promise<CsvBatch[]> {
  const out: CsvBatch[] = [];
  for await (const b of decodeCsv(input, batchSize)) out.push(b);
  return out;
}

/** A byte stream that delivers `text` in chunks of `size` bytes (splits multi-byte chars too). */
function chunked(text: string | Buffer, size: number): Readable {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('decodeCsv', () => {
  test('strips the BOM, header first, all rows of the fixture (55 columns)', async () => {
    const batches = await collect(fs.createReadStream(path.join(FIXTURES, 'EA_ActualCost_Small.csv')));
    expect(batches).toHaveLength(1);
    expect(batches[0].header[0]).toBe('BillingAccountId');
    expect(batches[0].header).toHaveLength(55);
    expect(batches[0].rows).toHaveLength(11);
    for (const r of batches[0].rows) expect(r).toHaveLength(55);
  });

  test('batches of batchSize rows, all sharing the header', async () => {
    const batches = await collect(fs.createReadStream(path.join(FIXTURES, 'EA_AmortizedCost_Small.csv')), 5);
    expect(batches.map((b) => b.rows.length)).toEqual([5, 5, 5, 5, 5, 3]);
    for (const b of batches) expect(b.header).toBe(batches[0].header);
  });

  test('quoted commas, newlines and doubled quotes; CRLF; chunk boundaries anywhere', async () => {
    const text =
      '\ufeffA,B,C\r\n' +
      '"x, y","line1\nline2","say ""hi"""\r\n' +
      'plain,,"é ü ✓"\r\n';
    for (const size of [1, 2, 3, 7, 1000]) {
      const batches = await collect(chunked(text, size));
      expect(batches).toHaveLength(1);
      expect(batches[0].header).toEqual(['A', 'B', 'C']);
      expect(batches[0].rows).toEqual([
        ['x, y', 'line1\nline2', 'say "hi"'],
        ['plain', '', 'é ü ✓'],
      ]);
    }
  });

  test('rows with the wrong number of fields are yielded as is; empty lines skipped', async () => {
    const batches = await collect(chunked('A,B,C\n1,2,3\n\n1,2\n1,2,3,4\n', 4));
    expect(batches[0].rows).toEqual([
      ['1', '2', '3'],
      ['1', '2'],
      ['1', '2', '3', '4'],
    ]);
  });

  test('a stray quote inside an unquoted field is kept literally', async () => {
    const batches = await collect(chunked('A,B\nab"c,d\n', 100));
    expect(batches[0].rows).toEqual([['ab"c', 'd']]);
  });

  test('unclosed quote at end of input (truncated blob) throws', async () => {
    await expect(collect(chunked('A,B\n1,"never closed\n2,3\n', 5))).rejects.toThrow(/quote/i);
  });

  test('an error of the input stream is thrown', async () => {
    const input = new PassThrough();
    const p = collect(input);
    input.write('A,B\n1,2\n');
    setImmediate(() => input.destroy(new Error('socket hang up')));
    await expect(p).rejects.toThrow('socket hang up');
  });

  test('header only or empty input → no batches', async () => {
    expect(await collect(chunked('A,B\n', 10))).toEqual([]);
    expect(await collect(chunked('', 10))).toEqual([]);
  });

  test('streams: a consumer stopping early destroys the input; nothing is buffered whole', async () => {
    let produced = 0;
    const total = 200_000;
    const input = new Readable({
      read() {
        if (produced === 0) this.push('A,B,C\n');
        if (produced >= total) {
          this.push(null);
          return;
        }
        let s = '';
        for (let i = 0; i < 100 && produced < total; i++, produced++) s += `${produced},x,y\n`;
        this.push(s);
      },
    });
    let rows = 0;
    for await (const b of decodeCsv(input, 100)) {
      rows += b.rows.length;
      if (rows >= 1000) break;
    }
    expect(rows).toBe(1000);
    // back-pressure: only a small part of the source was ever produced
    expect(produced).toBeLessThan(total / 2);
    expect(input.destroyed).toBe(true);
  });
});
