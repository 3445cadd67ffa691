import * as fs from 'fs';
import * as path from 'path';
import {decodeCsv} from '../../src/decode/csv';
import {costDetailsRowNormalizer, Hash52Set, IdAssigner, recordHash} from '../../src/normalize';
import {finalId, hashId, hashKey, ID_END_IN_RECORD_JSON} from '../../src/normalize/id';
import {UsageRecord} from '../../src/normalize/usage-record';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'EA_AmortizedCost_Small.csv');

async function fixtureRows(): Promise<{header: string[]; rows: string[][]}> {
  let header: string[] = [];
  const rows: string[][] = [];
  for await (const b of decodeCsv(fs.createReadStream(FIXTURE), 1000)) {
    header = b.header;
    rows.push(...b.rows);
  }
  return {header, rows};
}

function assignAll(header: string[], rows: string[][], metric: 'actual' | 'amortized' = 'amortized'): UsageRecord[] {
  const norm = costDetailsRowNormalizer(header, {metric, sourceApi: 'cost_details'});
  const ids = new IdAssigner();
  return rows.map((row) => {
    const r = norm(row).record!;
    ids.assign(r);
    return r;
  });
}

function shuffle<T>(a: T[], seed: number): T[] {
  const out = [...a];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function costById(records: UsageRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(r.id, (m.get(r.id) ?? 0) + r.cost);
  return m;
}

describe('IdAssigner', () => {
  test('the two steps (hashId anywhere, finishIds in order, into serialized bytes) give the ids assign gives', async () => {
    const {header, rows} = await fixtureRows();
    const norm = costDetailsRowNormalizer(header, {metric: 'amortized', sourceApi: 'cost_details'});
    // every row twice and one three times: repeats within and across runs of records
    const picked = [...rows.slice(0, 20), ...rows.slice(0, 20), rows[3]];
    const expected = assignAll(header, picked).map((r) => r.id);
    const ids = new IdAssigner();
    const got: string[] = [];
    for (const run of [picked.slice(0, 15), picked.slice(15)]) {
      const keys = new Float64Array(run.length);
      const idEnds = new Uint32Array(run.length);
      let text = '';
      run.forEach((row, i) => {
        const r = norm(row).record!;
        keys[i] = hashId(r);
        expect(keys[i]).toBe(hashKey(r.id));
        const line = 'line:' + JSON.stringify(r) + '\n';
        idEnds[i] = Buffer.byteLength(text) + 'line:'.length + ID_END_IN_RECORD_JSON;
        text += line;
      });
      const {pieces, repeats} = ids.finishIds(keys, idEnds, Buffer.from(text));
      const out = Buffer.concat(pieces).toString().trim().split('\n');
      out.forEach((l, i) => {
        const r = JSON.parse(l.slice(5)) as UsageRecord;
        expect(r.id).toBe(finalId(r.id.slice(0, 32), repeats?.get(i) ?? 0));
        got.push(r.id);
      });
    }
    expect(got).toEqual(expected);
    expect(got.filter((id) => id.endsWith('-1'))).toHaveLength(20);
    expect(got.filter((id) => id.endsWith('-2'))).toHaveLength(1);
  });

  test('finishIds only counts when the records were not serialized', () => {
    const ids = new IdAssigner();
    const bytes = new Uint8Array(0);
    const {pieces, repeats} = ids.finishIds(new Float64Array([5, 6, 5, 5]), new Uint32Array(0), bytes);
    expect(pieces).toEqual([bytes]);
    expect([...repeats!.entries()]).toEqual([[2, 1], [3, 2]]);
    expect(ids.finishIds(new Float64Array([7]), new Uint32Array(0), bytes).repeats).toBeNull();
  });

  test('ids are 32 hex chars and stable across runs (golden value)', async () => {
    const {header, rows} = await fixtureRows();
    const a = assignAll(header, rows);
    const b = assignAll(header, rows);
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    for (const r of a) expect(r.id).toMatch(/^[0-9a-f]{32}(-\d+)?$/);
    // golden: a change here means every destination would re-key its data
    expect(a[0].id).toMatchInlineSnapshot(`"493e89c7ad3b9d4b0b152ff540b6488e"`);
  });

  test('fixture rows that differ only in measures or AdditionalInfo (other reservation) keep distinct ids', async () => {
    const {header, rows} = await fixtureRows();
    const ids = assignAll(header, rows).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // rows 8 and 23 differ only in Quantity and AdditionalInfo.ReservationId: two charges
    expect(ids[7]).not.toBe(ids[22]);
    expect(ids.filter((id) => id.includes('-'))).toEqual([]);
  });

  test('identical rows get plain, -1, -2', async () => {
    const {header, rows} = await fixtureRows();
    const recs = assignAll(header, [rows[0], rows[0], rows[0], rows[1]]);
    const h = recs[0].id;
    expect(recs.map((r) => r.id)).toEqual([h, `${h}-1`, `${h}-2`, recs[3].id]);
    expect(recs[3].id).not.toContain('-');
  });

  test('shuffled re-read: same multiset of ids and same per-id cost sums', async () => {
    const {header, rows} = await fixtureRows();
    // add exact duplicates (same cost) so the occurrence counter is exercised
    const all = [...rows, rows[2], rows[2], rows[5]];
    const base = assignAll(header, all);
    for (const seed of [1, 2, 3, 42]) {
      const again = assignAll(header, shuffle(all, seed));
      expect(again.map((r) => r.id).sort()).toEqual(base.map((r) => r.id).sort());
      expect(costById(again)).toEqual(costById(base));
    }
  });

  test('measures do not change the id; identifying fields do', async () => {
    const {header, rows} = await fixtureRows();
    const col = (name: string) => header.indexOf(name);
    const row = rows[0];
    const [base] = assignAll(header, [row]);
    const change = (name: string, value: string) => {
      const r = [...row];
      r[col(name)] = value;
      return assignAll(header, [r])[0].id;
    };
    expect(change('Cost', '999.99')).toBe(base.id);
    expect(change('Quantity', '12345')).toBe(base.id);
    expect(change('EffectivePrice', '1')).toBe(base.id);
    expect(change('UnitPrice', '1')).toBe(base.id);
    expect(change('PayGPrice', '1')).toBe(base.id);
    expect(change('MeterId', '00000000-0000-0000-0000-000000000001')).not.toBe(base.id);
    expect(change('MeterName', 'other')).not.toBe(base.id);
    expect(change('Date', '09/23/2023')).not.toBe(base.id);
    expect(change('Tags', '"env": "dev"')).not.toBe(base.id);
    expect(change('ResourceId', '/subscriptions/x')).not.toBe(base.id);
    // GUID case does not matter (normalized to lower case)
    expect(change('SubscriptionId', row[col('SubscriptionId')].toUpperCase())).toBe(base.id);
    // the metric is part of the identity
    expect(assignAll(header, [row], 'actual')[0].id).not.toBe(base.id);
  });

  test('null and empty string are distinct in the hash input', async () => {
    const {header, rows} = await fixtureRows();
    const r = assignAll(header, [rows[0]])[0];
    const a = {...r, tags: {}};
    const b = {...r, tags: null};
    expect(recordHash(a)).not.toBe(recordHash(b));
  });

  test('shared (frozen) tags hash like an equal unshared object, and a changed object is hashed as changed', async () => {
    const {header, rows} = await fixtureRows();
    const r = assignAll(header, [rows[0]])[0];
    const shared = Object.freeze({env: 'prod', team: 'pay'});
    const own: Record<string, string> = {env: 'prod', team: 'pay'};
    const withShared = {...r, tags: shared};
    expect(recordHash(withShared)).toBe(recordHash({...r, tags: own}));
    expect(recordHash(withShared)).toBe(recordHash({...r, tags: shared})); // the remembered text
    const before = recordHash({...r, tags: own});
    own.team = 'data'; // an unfrozen object's text is not remembered
    expect(recordHash({...r, tags: own})).not.toBe(before);
    expect(recordHash({...r, tags: own})).toBe(recordHash({...r, tags: {env: 'prod', team: 'data'}}));
  });

  test('Hash52Set: exact membership and compact memory (bytes per row)', () => {
    const s = new Hash52Set();
    const n = 500_000;
    const keys: number[] = [];
    let x = 0x12345;
    for (let i = 0; i < n; i++) {
      // pseudo-random 52-bit keys
      x = (x * 48271) % 2147483647;
      const hi = x % 1048576;
      keys.push(hi * 4294967296 + ((x * 2654435761) >>> 0));
    }
    keys.push(0);
    let added = 0;
    for (const k of keys) if (s.add(k)) added++;
    let again = 0;
    for (const k of keys) if (s.add(k)) again++;
    expect(again).toBe(0);
    expect(s.size).toBe(added);
    const perRow = s.bytes / s.size;
    // 8-byte slots at <= 50% load: between 16 and 32 bytes per distinct row
    expect(perRow).toBeLessThanOrEqual(32);
    expect(perRow).toBeGreaterThanOrEqual(16);
  });

  test('IdAssigner memory for a 500k-row slice stays small (measured bytes per row)', () => {
    const norm = costDetailsRowNormalizer(['Date', 'Cost', 'MeterId'], {metric: 'actual', sourceApi: 'cost_details'});
    const ids = new IdAssigner();
    const n = 500_000;
    for (let i = 0; i < n; i++) {
      const r = norm(['2024-01-01', '1', 'm' + (i % 490_000)]).record!;
      ids.assign(r);
    }
    expect(ids.distinct).toBe(490_000);
    const perRow = ids.approximateBytes / n;
    // 1,048,576 slots × 8 B + 10,000 repeats × ~80 B ≈ 8.8 MB → < 20 bytes per row
    expect(perRow).toBeLessThan(20);
  });
});
