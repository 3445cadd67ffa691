/**
 * Property-based tests: the decoders and normalizers never throw on messy input; each row
 * gives a record (possibly with parse_errors) or a rejection. 2,000 runs per property
 * (500 for the stream round trips, which are async).
 */
import * as fs from 'fs';
import * as path from 'path';
import {Readable} from 'stream';
import fc from 'fast-check';
import {decodeCsv} from '../../src/decode/csv';
import {parseAdditionalInfo, parseTags} from '../../src/decode/json-strings';
import {parseBoolean, parseDate, parseNumber} from '../../src/decode/values';
import {costDetailsRowNormalizer, IdAssigner, normalizeEaRow, Normalized} from '../../src/normalize';
import schema from '../../resources/schemas/usage_details.json';

const RUNS = 2000;
const ASYNC_RUNS = 500;
const SCHEMA_FIELDS = Object.keys(schema.properties).sort();
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Messy cell values seen in or plausible for real files. */
const MESSY = [
  '', ' ', 'NaN', 'nan', 'Infinity', '-Infinity', '1,234.5', '1.5E-05', '-0.0000000072922557592391990000',
  '1e400', '99999999999999999999999999999', '-3.25', '0x1F', 'null', 'undefined', 'True', 'false', 'yes',
  '13/45/2026', '02/29/2023', '2024-02-29', '2018-08-01T00:00:00', '09/21/2023', '"', '""', '{', '}', '{}',
  '"env": "prod"', '{"a":1}', '"a": ', 'string', '[1,2]', '\u0000', '\ufeff', 'é✓', ',,,', '\n', '\r\n',
  '"__proto__": {"x": "y"}', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
  '/providers/', '/', '//providers//',
];
const messyCell = fc.oneof(
  fc.constantFrom(...MESSY),
  fc.string({maxLength: 30}),
  fc.string({unit: 'binary', maxLength: 30}),
  fc.double().map(String),
  fc.integer().map((n) => n.toLocaleString('en-US')),
);

/** Fixture rows, decoded once in beforeAll. */
function fixtureRows(name: string): {header: string[]; rows: string[][]} {
  return FIXTURES[name];
}
const FIXTURES: Record<string, {header: string[]; rows: string[][]}> = {};

beforeAll(async () => {
  for (const name of ['EA_ActualCost_Small.csv', 'EA_AmortizedCost_Small.csv']) {
    let header: string[] = [];
    const rows: string[][] = [];
    for await (const b of decodeCsv(fs.createReadStream(path.join(__dirname, '..', 'fixtures', name)), 1000)) {
      header = b.header;
      rows.push(...b.rows);
    }
    FIXTURES[name] = {header, rows};
  }
});

function checkNormalized(n: Normalized): void {
  if (n.rejected !== undefined) {
    expect(typeof n.rejected).toBe('string');
    expect(n.record).toBeUndefined();
    return;
  }
  const r = n.record;
  expect(Object.keys(r).sort()).toEqual(SCHEMA_FIELDS);
  expect(r.usage_date).toMatch(DATE_RE);
  expect(Number.isFinite(r.cost)).toBe(true);
  expect(Array.isArray(r.parse_errors)).toBe(true);
  for (const f of ['quantity', 'effective_price', 'unit_price', 'payg_price'] as const) {
    const v = r[f];
    expect(v === null || Number.isFinite(v)).toBe(true);
  }
  for (const f of ['billing_period_start', 'billing_period_end'] as const) {
    const v = r[f];
    expect(v === null || DATE_RE.test(v)).toBe(true);
  }
  if (r.tags !== null) for (const v of Object.values(r.tags)) expect(typeof v).toBe('string');
  expect(JSON.parse(JSON.stringify(r))).toBeTruthy();
}

describe('scalar decoders', () => {
  test('parseNumber: never throws; finite number, null or undefined; round-trips doubles', () => {
    fc.assert(
      fc.property(fc.oneof(messyCell, fc.anything()), (raw) => {
        const v = parseNumber(raw);
        expect(v === null || v === undefined || Number.isFinite(v)).toBe(true);
      }),
      {numRuns: RUNS},
    );
    fc.assert(
      fc.property(fc.double({noNaN: true, noDefaultInfinity: true}), (d) => {
        expect(parseNumber(String(d))).toBe(d === 0 ? 0 : d);
        expect(parseNumber(d.toExponential())).toBe(Number(d.toExponential()));
      }),
      {numRuns: RUNS},
    );
    fc.assert(
      fc.property(fc.integer({min: -1e15, max: 1e15}), fc.integer({min: 0, max: 99}), (n, frac) => {
        const s = n.toLocaleString('en-US') + '.' + String(frac).padStart(2, '0');
        const want = Number(String(n) + '.' + String(frac).padStart(2, '0'));
        expect(parseNumber(s)).toBe(want);
      }),
      {numRuns: RUNS},
    );
  });

  test('parseDate: never throws; output is a valid calendar date; all formats agree', () => {
    fc.assert(
      fc.property(fc.oneof(messyCell, fc.anything()), (raw) => {
        const v = parseDate(raw);
        if (typeof v === 'string') {
          expect(v).toMatch(DATE_RE);
          expect(new Date(v + 'T00:00:00Z').toISOString().slice(0, 10)).toBe(v);
        } else {
          expect(v === null || v === undefined).toBe(true);
        }
      }),
      {numRuns: RUNS},
    );
    fc.assert(
      fc.property(fc.date({min: new Date('1970-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true}), (d) => {
        const iso = d.toISOString();
        const day = iso.slice(0, 10);
        const [y, m, dd] = day.split('-');
        expect(parseDate(day)).toBe(day);
        expect(parseDate(iso)).toBe(day);
        expect(parseDate(iso.slice(0, 19))).toBe(day);
        expect(parseDate(`${m}/${dd}/${y}`)).toBe(day);
        expect(parseDate(`${Number(m)}/${Number(dd)}/${y} 12:00:00 AM`)).toBe(day);
      }),
      {numRuns: RUNS},
    );
    fc.assert(
      fc.property(fc.integer({min: 0, max: 99}), fc.integer({min: 0, max: 99}), fc.integer({min: 1000, max: 9999}), (m, d, y) => {
        const out = parseDate(`${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`);
        const valid = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
        expect(out === undefined).toBe(!valid);
      }),
      {numRuns: RUNS},
    );
  });

  test('parseBoolean: never throws', () => {
    fc.assert(
      fc.property(fc.oneof(messyCell, fc.anything()), (raw) => {
        const v = parseBoolean(raw);
        expect(v === true || v === false || v === null || v === undefined).toBe(true);
      }),
      {numRuns: RUNS},
    );
  });
});

const tagKey = fc.oneof(
  fc.string({maxLength: 20}),
  fc.constantFrom('kubernetes.io-created-for-pv-name', 'a/b', 'x:y', 'aks-managed-poolName', '__proto__', 'env', 'k,v'),
);
const tagDict = fc.dictionary(tagKey, fc.oneof(fc.string({maxLength: 20}), fc.constantFrom('', 'a:b,c', '"q"')), {maxKeys: 8});

describe('JSON-string decoders', () => {
  test('parseTags: full object and brace-less inside both decode to the same object', () => {
    fc.assert(
      fc.property(tagDict, (obj) => {
        const full = JSON.stringify(obj);
        const inside = full.slice(1, -1);
        const a = parseTags(full);
        expect(a.error).toBe(false);
        expect(JSON.stringify(a.value)).toBe(full);
        const b = parseTags(inside);
        if (inside.length === 0) {
          expect(b).toEqual({value: null, error: false});
        } else {
          expect(b.error).toBe(false);
          expect(JSON.stringify(b.value)).toBe(full);
        }
      }),
      {numRuns: RUNS},
    );
  });

  test('parseTags / parseAdditionalInfo: never throw on garbage and mutations', () => {
    const mutated = fc
      .tuple(tagDict, fc.nat(), fc.oneof(fc.constantFrom('"', ',', ':', '{', '}', '\\', ''), fc.string({maxLength: 3})), fc.boolean())
      .map(([obj, pos, ins, strip]) => {
        let s = JSON.stringify(obj);
        if (strip) s = s.slice(1, -1);
        const p = pos % (s.length + 1);
        return s.slice(0, p) + ins + s.slice(p + 1);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, messyCell, fc.anything(), fc.jsonValue().map((v) => JSON.stringify(v))), (raw) => {
        const t = parseTags(raw);
        expect(typeof t.error).toBe('boolean');
        if (t.error) expect(t.value).toBeNull();
        if (t.value !== null) {
          expect(Array.isArray(t.value)).toBe(false);
          for (const v of Object.values(t.value)) expect(typeof v).toBe('string');
        }
        const a = parseAdditionalInfo(raw);
        if (a.error) expect(a.value).toBeNull();
        if (a.value !== null) expect(typeof a.value === 'object' && !Array.isArray(a.value)).toBe(true);
        expect(({} as Record<string, unknown>).x).toBeUndefined(); // no prototype pollution
      }),
      {numRuns: RUNS},
    );
  });
});

/** RFC 4180 writer: quote when needed, double the quotes. */
function writeCsv(rows: string[][], eol: string): string {
  return rows
    .map((r) => r.map((c) => (/[",\r\n]/.test(c) || c === '' ? (c === '' ? '' : '"' + c.replace(/"/g, '""') + '"') : c)).join(','))
    .join(eol) + eol;
}

function chunked(text: string, size: number): Readable {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

describe('CSV stream', () => {
  const cellArb = fc.oneof(
    fc.string({maxLength: 12}),
    fc.string({unit: 'grapheme', maxLength: 6}),
    fc.constantFrom('a,b', 'say "hi"', 'line1\nline2', 'x\r\ny', '"', '""', ' lead', 'trail '),
  );

  test('round trip: quoted commas, quotes, newlines and unicode survive any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({min: 1, max: 6}).chain((w) =>
          fc.tuple(
            fc.array(fc.string({minLength: 1, maxLength: 8}).filter((h) => h.trim() === h && !h.startsWith('\ufeff')), {minLength: w, maxLength: w}),
            fc.array(fc.array(cellArb, {minLength: w, maxLength: w}), {maxLength: 12}),
          ),
        ),
        fc.integer({min: 1, max: 64}),
        fc.integer({min: 1, max: 5}),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        async ([header, rows], chunk, batch, bom, eol) => {
          // a row of one empty field is an empty line: csv-parse skips it (as we ask)
          const data = rows.filter((r) => !(r.length === 1 && r[0] === ''));
          const text = (bom ? '\ufeff' : '') + writeCsv([header, ...data], eol);
          const got: string[][] = [];
          for await (const b of decodeCsv(chunked(text, chunk), batch)) {
            expect(b.rows.length).toBeLessThanOrEqual(batch);
            expect(b.header).toEqual(header);
            got.push(...b.rows);
          }
          expect(got).toEqual(data);
        },
      ),
      {numRuns: ASYNC_RUNS},
    );
  });

  test('random bytes: decodeCsv yields rows or throws an Error, never hangs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({unit: 'binary', maxLength: 200}), fc.integer({min: 1, max: 16}), async (text, chunk) => {
        try {
          for await (const b of decodeCsv(chunked(text, chunk), 3)) expect(Array.isArray(b.rows)).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
        }
      }),
      {numRuns: ASYNC_RUNS},
    );
  });
});

describe('normalizers', () => {
  test('mutated fixture rows: a record with parse_errors or a rejection, never a throw', () => {
    const {header, rows} = fixtureRows('EA_AmortizedCost_Small.csv');
    const norm = costDetailsRowNormalizer(header, {metric: 'amortized', sourceApi: 'cost_details'});
    fc.assert(
      fc.property(
        fc.nat(rows.length - 1),
        fc.array(fc.tuple(fc.nat(header.length - 1), messyCell), {maxLength: 10}),
        fc.integer({min: -2, max: 2}),
        (ri, edits, widthDelta) => {
          const row = [...rows[ri]];
          for (const [c, v] of edits) row[c] = v;
          if (widthDelta > 0) for (let i = 0; i < widthDelta; i++) row.push('x');
          if (widthDelta < 0) row.length += widthDelta;
          const n = norm(row);
          if (widthDelta !== 0) expect(n.rejected).toBe('wrong number of fields');
          checkNormalized(n);
        },
      ),
      {numRuns: RUNS},
    );
  });

  test('random headers and rows: never a throw', () => {
    const names = [...(schema.required as string[]), 'Date', 'Cost', 'CostInBillingCurrency', 'Tags', 'AdditionalInfo', 'Quantity',
      'ResourceId', 'InstanceId', 'SubscriptionGuid', 'SubscriptionId', 'Day', 'Month', 'Year', 'IsAzureCreditEligible',
      'ChargesBilledSeparately', 'BillingPeriodStartDate', 'UnitPrice', 'PayGPrice', 'ResourceRate', 'Unknown'];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...names), fc.string({maxLength: 10})), {maxLength: 14}).chain((header) =>
          fc.tuple(fc.constant(header), fc.array(messyCell, {minLength: header.length, maxLength: header.length})),
        ),
        ([header, row]) => {
          const n = costDetailsRowNormalizer(header, {metric: 'actual', sourceApi: 'cost_details'})(row);
          checkNormalized(n);
        },
      ),
      {numRuns: RUNS},
    );
  });

  test('EA rows with arbitrary JSON values: never a throw', () => {
    const keys = ['date', 'cost', 'consumedQuantity', 'resourceRate', 'tags', 'additionalInfo', 'instanceId',
      'subscriptionGuid', 'subscriptionId', 'chargesBilledSeparately', 'departmentId', 'meterId', 'serviceName', 'product'];
    const value = fc.oneof(messyCell, fc.jsonValue(), fc.anything(), fc.double());
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({maxLength: 8})), value, {maxKeys: 14}), fc.boolean(), (row, withBase) => {
        const input = withBase ? {date: '2018-08-01T00:00:00', cost: 1, ...row} : row;
        checkNormalized(normalizeEaRow(input as Record<string, unknown>, {metric: 'actual', sourceApi: 'ea_reporting'}));
      }),
      {numRuns: RUNS},
    );
  });

  test('ids: any order of a multiset of rows (with repeats) gives the same ids and per-id cost sums', () => {
    const {header, rows} = fixtureRows('EA_ActualCost_Small.csv');
    const norm = costDetailsRowNormalizer(header, {metric: 'actual', sourceApi: 'cost_details'});
    const run = (idx: number[]) => {
      const ids = new IdAssigner();
      const byId = new Map<string, number>();
      for (const i of idx) {
        const r = norm(rows[i]).record!;
        ids.assign(r);
        if (byId.has(r.id)) throw new Error(`duplicate id ${r.id}`);
        byId.set(r.id, r.cost);
      }
      return byId;
    };
    fc.assert(
      fc.property(
        fc.array(fc.nat(rows.length - 1), {minLength: 1, maxLength: 25}).chain((idx) =>
          fc.tuple(fc.constant(idx), fc.shuffledSubarray(idx, {minLength: idx.length, maxLength: idx.length})),
        ),
        ([idx, perm]) => {
          expect(run(perm)).toEqual(run(idx));
        },
      ),
      {numRuns: RUNS},
    );
  });
});
