import {Readable} from 'stream';

import {decodeCsv} from '../../src/decode/csv';
import {CsvBlobSplitter, lastRecordEnd} from '../../src/decode/csv-units';
import {RecordPipeline} from '../../src/sync/pipeline';
import {compileTrackingRules} from '../../src/track';
import {csvBlobUnits} from '../../src/work/csv-blob';
import {InThreadExecutor, UnitExecutor} from '../../src/work/executor';
import {processCsvRows, processCsvUnit, UnitJob} from '../../src/work/unit';

const job: UnitJob = {stream: 'usage_details', emitRecords: true, auditConflicts: true, metric: 'actual', sourceApi: 'cost_details', emittedAt: 1};
const rules = compileTrackingRules([
  {name: 'team-a', priority: 1, match: {resource_group: 'rg-*'}, set: {team: 'a'}},
  {name: 'team-b', priority: 1, match: {subscription_name: '*'}, set: {team: 'b'}},
]);

const HEADER = 'Date,CostInBillingCurrency,SubscriptionName,ResourceGroup,MeterCategory,Tags,AdditionalInfo';

/** A seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A cost details CSV with quoted commas, quoted newlines, doubled quotes, duplicates and bad rows. */
function blob(seed: number, rows: number, opts: {crlf?: boolean; bom?: boolean; stray?: number; loneCr?: number} = {}): string {
  const r = rng(seed);
  const nl = opts.crlf ? '\r\n' : '\n';
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const day = 1 + Math.floor(r() * 3);
    const rg = r() < 0.5 ? `rg-${Math.floor(r() * 4)}` : `"rg, with comma ${Math.floor(r() * 3)}"`;
    const tags = r() < 0.3 ? '' : `"{""env"": ""prod${Math.floor(r() * 2)}"", ""note"": ""line${r() < 0.2 ? '\nbreak' : ''}""}"`;
    let sub = r() < 0.1 ? `"Sub ""quoted"" ${i % 3}"` : `Sub ${Math.floor(r() * 3)}`;
    if (opts.stray && r() < opts.stray) sub = `Sub"stray ${i % 2}`;
    const cost = r() < 0.02 ? 'n/a' : (r() * 100).toFixed(6);
    let line = `2026-10-0${day},${cost},${sub},${rg},Virtual Machines,${tags},"{""ServiceType"": ""Standard_D2s_v3""}"`;
    if (opts.loneCr && r() < opts.loneCr) line += '\rX';
    lines.push(line);
    if (r() < 0.05) lines.push(line); // an identical row: the id gets a suffix
  }
  return (opts.bom ? '\ufeff' : '') + lines.join(nl) + (r() < 0.5 ? nl : '');
}

/** Splits bytes into chunks of random sizes (as a network would). */
function chunked(bytes: Buffer, seed: number, max = 300): Readable {
  const r = rng(seed);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(r() * max);
    parts.push(bytes.subarray(i, i + n));
    i += n;
  }
  return Readable.from(parts, {objectMode: false});
}

/** The RECORD bytes of a blob through the whole-blob decoder, as one string. */
async function wholeBlobOutput(text: string): Promise<string> {
  const pipeline = new RecordPipeline('usage_details', undefined);
  let out = '';
  for await (const batch of decodeCsv(Readable.from([Buffer.from(text)]), 100)) {
    out += Buffer.from(pipeline.finish(processCsvRows(batch.rows, batch.header, job, rules))).toString();
  }
  return out;
}

async function pieceOutput(text: string, seed: number, executor: UnitExecutor, pieceBytes: number): Promise<{out: string; conflicts: string[]}> {
  const conflicts: string[] = [];
  const pipeline = new RecordPipeline('usage_details', (c) => conflicts.push(`${c.record_id} ${c.tracking_key}`));
  let out = '';
  for await (const unit of csvBlobUnits(chunked(Buffer.from(text), seed), job, executor, rules, {pieceBytes})) {
    out += Buffer.from(pipeline.finish(unit)).toString();
  }
  return {out, conflicts};
}

describe('lastRecordEnd', () => {
  const end = (s: string): number => lastRecordEnd(Buffer.from(s));
  it('finds the last line end outside quotes', () => {
    expect(end('a,b\nc,d\ne')).toBe(8);
    expect(end('a,"x\ny"\nc')).toBe(8);
    expect(end('a,"x\ny""\nz"\nc')).toBe(12);
    expect(end('a,"open\n')).toBe(-1);
    expect(end('no line end')).toBe(-1);
    expect(end('"q"\n')).toBe(4);
    expect(end('\n')).toBe(1);
  });
});

describe('CsvBlobSplitter', () => {
  it('cuts whole records only, and the pieces put together are the blob after its header', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const text = blob(seed, 200, {crlf: seed % 2 === 0, bom: seed % 3 === 0});
      const bytes = Buffer.from(text);
      const input = (chunked(bytes, seed) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const splitter = new CsvBlobSplitter(input, 1000);
      const pieces: Buffer[] = [];
      for (;;) {
        const p = await splitter.next();
        if (p === null) break;
        expect(p).not.toBe('serial');
        if (p === 'serial') break;
        pieces.push(Buffer.from(p.bytes));
        // every piece decodes alone with the header
        const out = processCsvUnit({kind: 'csv', job, bytes: p.bytes, header: splitter.header!, delimiter: splitter.delimiter, final: p.final}, rules);
        expect('problem' in out).toBe(false);
      }
      expect(pieces.length).toBeGreaterThan(5);
      expect(splitter.header![0]).toBe('Date');
      const afterHeader = text.replace(/^\ufeff/, '').slice(HEADER.length + (seed % 2 === 0 ? 2 : 1));
      expect(Buffer.concat(pieces).toString()).toBe(afterHeader);
    }
  });

  it('gives a blob whose header needs csv-parse back whole', async () => {
    const text = 'a,"b"x,c\n1,2,3\n';
    const splitter = new CsvBlobSplitter((Readable.from([Buffer.from(text)]) as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
    expect(await splitter.next()).toBe('serial');
    const rest: Buffer[] = [];
    for await (const b of splitter.rest()) rest.push(b);
    expect(Buffer.concat(rest).toString()).toBe(text);
  });

  it('ends at once on an empty blob', async () => {
    const splitter = new CsvBlobSplitter((Readable.from([]) as AsyncIterable<Buffer>)[Symbol.asyncIterator]());
    expect(await splitter.next()).toBeNull();
  });
});

describe('csvBlobUnits: pieces decoded apart give the records of the whole blob', () => {
  const executor = new InThreadExecutor(rules);

  it('byte for byte, ids with their suffixes and conflicts included', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const text = blob(seed, 300, {crlf: seed % 2 === 0, bom: seed % 4 === 0});
      const expected = await wholeBlobOutput(text);
      const {out, conflicts} = await pieceOutput(text, seed, executor, 700);
      expect(out).toBe(expected);
      expect(out).toMatch(/"id":"[0-9a-f]{32}-1"/); // duplicates were suffixed across pieces
      expect(conflicts.length).toBeGreaterThan(0);
    }
  });

  it('switches to the whole-blob decoder from a piece that needs it (stray quotes, lone CRs)', async () => {
    let switched = 0;
    const counting: UnitExecutor = {
      parallelism: 2,
      csv: async (input) => {
        const r = await executor.csv(input);
        if ('problem' in r) switched++;
        return r;
      },
      ea: (input) => executor.ea(input),
      warm: () => undefined,
      close: async () => undefined,
    };
    for (let seed = 1; seed <= 12; seed++) {
      const text = blob(seed, 300, {stray: seed % 2 ? 0.02 : 0, loneCr: seed % 2 ? 0 : 0.01});
      const expected = await wholeBlobOutput(text);
      const {out} = await pieceOutput(text, seed, counting, 500);
      expect(out).toBe(expected);
    }
    expect(switched).toBeGreaterThanOrEqual(6);
  });

  it('fails as the whole-blob decoder does on a quote left open at the end (a cut file)', async () => {
    const text = blob(3, 50) + '\n2026-10-01,1.0,Sub,"rg-open';
    await expect(wholeBlobOutput(text)).rejects.toThrow(/Quote Not Closed/);
    await expect(pieceOutput(text, 3, executor, 500)).rejects.toThrow(/Quote Not Closed/);
  });
});
