import {IdAssigner} from '../../src/normalize';
import {RecordPipeline} from '../../src/sync/pipeline';
import {compileTrackingRules} from '../../src/track';
import {BoundedQueue} from '../../src/work/bounded-queue';
import {InThreadExecutor} from '../../src/work/executor';
import {PassThrough, Writable} from 'stream';

import {ProtocolOutput} from '../../src/protocol/output';
import {isProblem, offerSpareBuffer, UnitJob, UnitOutput} from '../../src/work/unit';

const job: UnitJob = {stream: 'usage_details', emitRecords: true, auditConflicts: true, metric: 'actual', sourceApi: 'ea_reporting', emittedAt: 7};
const rules = compileTrackingRules([
  {name: 'by-rg', priority: 5, match: {resource_group: '*'}, set: {team: 'rg-${resource_group}'}},
  {name: 'by-sub', priority: 5, match: {subscription_name: '*'}, set: {team: 'sub'}},
]);

function eaRow(i: number): Record<string, unknown> {
  return {date: '2026-10-02', cost: 1.25 + (i % 3), subscriptionName: `Sub ${i % 2}`, resourceGroup: `rg${i % 3}`, meterCategory: 'Storage', tags: '"env": "prod"'};
}

function page(rows: unknown[], nextLink: string | null = null): Uint8Array {
  return Buffer.from(JSON.stringify({id: 'x', data: rows, nextLink}));
}

function lines(bytes: Uint8Array): any[] {
  return Buffer.from(bytes).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('units of work', () => {
  const executor = new InThreadExecutor(rules);

  it('an EA page: meta first, then RECORD lines whose ids are bare hashes', async () => {
    const work = executor.ea({kind: 'ea', job, bytes: page([eaRow(0), eaRow(1), {date: 'never', cost: 1}], 'https://ea.example/next')});
    expect(await work.meta).toEqual({nextLink: 'https://ea.example/next', rows: 3});
    const out = await work.output;
    expect(out.records).toBe(2);
    expect(out.rejected).toEqual([['unusable date', 1]]);
    const msgs = lines(out.bytes);
    expect(msgs.map((m) => m.record.stream)).toEqual(['usage_details', 'usage_details']);
    expect(msgs[0].record.emitted_at).toBe(7);
    for (let i = 0; i < 2; i++) {
      expect(msgs[i].record.data.id).toMatch(/^[0-9a-f]{32}$/);
      // idEnds point just after each id
      expect(Buffer.from(out.bytes.subarray(out.idEnds[i] - 32, out.idEnds[i])).toString()).toBe(msgs[i].record.data.id);
    }
  });

  it('a page that is not JSON, or has no data list, is a problem, not records', async () => {
    expect(await executor.ea({kind: 'ea', job, bytes: Buffer.from('{"data":[{"date"')}).meta).toEqual({problem: 'bad-json'});
    expect(await executor.ea({kind: 'ea', job, bytes: Buffer.from('{"value":[]}')}).meta).toEqual({problem: 'no-data'});
  });

  it('the pipeline suffixes repeats across units exactly as the IdAssigner does per record', async () => {
    const rows = [eaRow(0), eaRow(1), eaRow(0), eaRow(3), eaRow(0), eaRow(1)];
    const units: UnitOutput[] = [];
    for (const chunk of [rows.slice(0, 2), rows.slice(2, 5), rows.slice(5)]) units.push(await executor.ea({kind: 'ea', job, bytes: page(chunk)}).output);
    const conflicts: Array<{record_id: string; id: string}> = [];
    const pipeline = new RecordPipeline('usage_details', (c) => conflicts.push(c));
    const ids = units.flatMap((u) => lines(pipeline.finish(u)).map((m) => m.record.data.id as string));
    // the per-record reference: hash, then hash-1, hash-2 for identical rows of the day
    const assigner = new IdAssigner();
    const expected = lines((await executor.ea({kind: 'ea', job, bytes: page(rows)}).output).bytes).map((m) => {
      const r = m.record.data;
      assigner.assign(r);
      return r.id as string;
    });
    expect(ids).toEqual(expected);
    expect(ids.filter((id) => /-\d$/.test(id))).toHaveLength(3);
    expect(new Set(ids).size).toBe(ids.length);
    // every record has a same-priority conflict on `team`; each names its record's final id
    expect(conflicts.map((c) => c.record_id)).toEqual(ids);
    expect(new Set(conflicts.map((c) => c.id)).size).toBe(ids.length);
    expect(pipeline.tally.records).toBe(6);
    expect(pipeline.tally.conflicts).toBe(6);
  });

  it('the pieces of a unit with repeats are views of its bytes, the suffixes between them', async () => {
    const rows = [eaRow(0), eaRow(1), eaRow(0), eaRow(3), eaRow(0)];
    const out = await executor.ea({kind: 'ea', job, bytes: page(rows)}).output;
    const whole = Buffer.from(new RecordPipeline('usage_details', undefined).finish(out)).toString();
    const pieces = new RecordPipeline('usage_details', undefined).finishPieces(out);
    // two repeats: three views of the unit's bytes and two suffixes
    expect(pieces).toHaveLength(5);
    for (const i of [0, 2, 4]) expect(pieces[i].buffer).toBe(out.bytes.buffer);
    expect([pieces[1], pieces[3]].map((p) => Buffer.from(p).toString())).toEqual(['-1', '-2']);
    expect(pieces.map((p) => Buffer.from(p).toString()).join('')).toBe(whole);
    expect(lines(Buffer.from(whole)).map((m) => m.record.data.id.slice(32))).toEqual(['', '', '-1', '', '-2']);
    // no repeats: the unit's bytes as they are
    const single = await executor.ea({kind: 'ea', job, bytes: page([eaRow(0), eaRow(1)])}).output;
    expect(new RecordPipeline('usage_details', undefined).finishPieces(single)).toEqual([single.bytes]);
  });

  it('only counts conflicts when they are not audited (tracking_conflicts not selected)', async () => {
    const out = await executor.ea({kind: 'ea', job: {...job, auditConflicts: false}, bytes: page([eaRow(0), eaRow(1)])}).output;
    expect(out.conflicts).toEqual([]);
    expect(out.conflictCount).toBe(2);
    expect(out.hashes).toBeNull();
    const pipeline = new RecordPipeline('usage_details', undefined);
    pipeline.finish(out);
    expect(pipeline.tally.conflicts).toBe(2);
  });

  it('counts without serializing when only the audit is wanted', async () => {
    const out = await executor.ea({kind: 'ea', job: {...job, emitRecords: false}, bytes: page([eaRow(0), eaRow(0)])}).output;
    expect(out.bytes.length).toBe(0);
    expect(out.keys.length).toBe(2);
    expect(out.conflicts).toHaveLength(2);
    expect(isProblem(out)).toBe(false);
  });
});

describe('output buffers given back for reuse', () => {
  const executor = new InThreadExecutor(rules);

  it('a unit writes into a spare buffer that is large enough, and allocates when none is', async () => {
    const small = new ArrayBuffer(16);
    const large = new ArrayBuffer(1 << 20);
    offerSpareBuffer(small);
    offerSpareBuffer(large);
    const reference = await executor.ea({kind: 'ea', job, bytes: page([eaRow(0), eaRow(1)])}).output;
    expect(reference.bytes.buffer).toBe(large);
    const again = await executor.ea({kind: 'ea', job, bytes: page([eaRow(0), eaRow(1)])}).output;
    // only the small one is left: not used
    expect(again.bytes.buffer).not.toBe(small);
    expect(again.bytes.buffer).not.toBe(large);
    // same records whatever buffer they were written into
    expect(Buffer.from(again.bytes).equals(Buffer.from(reference.bytes))).toBe(true);
  });

  it('ProtocolOutput says whether the sink still holds the bytes it was given', () => {
    const big = Buffer.alloc(600 * 1024, 0x20);
    // copied into its own chunk: free at once
    const copied = new ProtocolOutput(new PassThrough());
    expect(copied.bytes(Buffer.from('{"type":"RECORD"}\n'))).toBe(false);
    // a sink that writes synchronously (stdout to a file or a Linux pipe) is done with it
    const written: Buffer[] = [];
    const sync = new Writable({
      write(chunk: Buffer, _enc, done) {
        written.push(Buffer.from(chunk));
        done();
      },
    });
    expect(new ProtocolOutput(sync).bytes(big)).toBe(false);
    expect(Buffer.concat(written).equals(big)).toBe(true);
    // a stream that queues it (nobody reading yet) still holds it: it must not be reused
    expect(new ProtocolOutput(new PassThrough({highWaterMark: 1024})).bytes(big)).toBe(true);
  });
});

describe('BoundedQueue', () => {
  it('keeps order, holds the producer at the limit, and ends after the items', async () => {
    const q = new BoundedQueue<number>(2);
    const puts: number[] = [];
    const producer = (async () => {
      for (let i = 0; i < 5; i++) {
        await q.put(i);
        puts.push(i);
      }
      q.close();
    })();
    await new Promise((r) => setImmediate(r));
    expect(puts).toEqual([0, 1]); // the third put waits for room
    const got: number[] = [];
    for (let x = await q.take(); x !== undefined; x = await q.take()) got.push(x);
    await producer;
    expect(got).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives the producer error after the items put before it', async () => {
    const q = new BoundedQueue<number>(4);
    await q.put(1);
    q.close(new Error('network gone'));
    expect(await q.take()).toBe(1);
    await expect(q.take()).rejects.toThrow('network gone');
  });

  it('cancel releases a waiting producer and returns what was not taken', async () => {
    const q = new BoundedQueue<number>(1);
    await q.put(1);
    const blocked = q.put(2);
    expect(q.cancel()).toEqual([1]);
    expect(await blocked).toBe(false);
    expect(await q.put(3)).toBe(false);
  });
});
