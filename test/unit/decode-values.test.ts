import {isGuid, normalizeGuid, parseBoolean, parseDate, parseNumber, parseString} from '../../src/decode/values';

describe('parseNumber', () => {
  const ok: [unknown, number][] = [
    ['0', 0],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['+2', 2],
    ['1.5E-05', 1.5e-5],
    ['1.5e+3', 1500],
    ['.5', 0.5],
    ['5.', 5],
    ['0.0000000072922557592391990000', 0.000000007292255759239199],
    ['0.0001188669167459011366', 0.0001188669167459011366],
    ['1,234.5', 1234.5],
    ['-12,345,678.90', -12345678.9],
    ['1,234', 1234],
    [' 42 ', 42],
    ['1e300', 1e300],
    ['00012', 12],
    [7, 7],
    [-1.25, -1.25],
  ];
  test.each(ok)('%p → %p', (raw, want) => {
    expect(parseNumber(raw)).toBe(want);
  });

  test.each([[''], ['   '], [null], [undefined]])('%p → null (empty, not an error)', (raw) => {
    expect(parseNumber(raw)).toBeNull();
  });

  test.each([
    ['NaN'],
    ['Infinity'],
    ['-Infinity'],
    ['1e999'],
    ['abc'],
    ['0x10'],
    ['0b1'],
    ['0o7'],
    ['1.2.3'],
    ['12,34'],
    ['1.234,5'],
    ['1,2345'],
    ['$5'],
    ['--1'],
    [NaN],
    [Infinity],
    [{}],
    [true],
  ])('%p → undefined (unparseable)', (raw) => {
    expect(parseNumber(raw)).toBeUndefined();
  });
});

describe('parseDate', () => {
  test.each([
    ['09/21/2023', '2023-09-21'],
    ['9/1/2023', '2023-09-01'],
    ['02/29/2024', '2024-02-29'],
    ['09/21/2023 00:00:00', '2023-09-21'],
    ['9/21/2023 12:00:00 AM', '2023-09-21'],
    ['2023-09-21', '2023-09-21'],
    ['2018-08-01T00:00:00', '2018-08-01'],
    ['2018-08-01T00:00:00Z', '2018-08-01'],
    ['2018-08-01T00:00:00.0000000Z', '2018-08-01'],
    ['2018-08-01T23:59:59.1234567', '2018-08-01'],
    ['2018-08-01T23:00:00-05:00', '2018-08-01'],
    ['2018-08-01 10:00:00', '2018-08-01'],
    ['2023/09/21', '2023-09-21'],
    ['20230921', '2023-09-21'],
    [' 2023-09-21 ', '2023-09-21'],
  ])('%p → %p', (raw, want) => {
    expect(parseDate(raw)).toBe(want);
  });

  test.each([[''], [null], [undefined], ['  ']])('%p → null', (raw) => {
    expect(parseDate(raw)).toBeNull();
  });

  test.each([
    ['13/45/2026'],
    ['02/30/2024'],
    ['02/29/2023'],
    ['00/10/2023'],
    ['2023-13-01'],
    ['2023-00-10'],
    ['2023-04-31'],
    ['2023-9-1'],
    ['2023-09-21X'],
    ['09/21/23'],
    ['09/21/20234'],
    ['21.09.2023'],
    ['yesterday'],
    ['string'],
    ['2023'],
    [20230921],
    [{}],
  ])('%p → undefined (unusable)', (raw) => {
    expect(parseDate(raw)).toBeUndefined();
  });

  test('the memo does not leak between different inputs', () => {
    expect(parseDate('13/45/2026')).toBeUndefined();
    expect(parseDate('09/21/2023')).toBe('2023-09-21');
    expect(parseDate('09/21/2023')).toBe('2023-09-21');
    expect(parseDate('13/45/2026')).toBeUndefined();
  });
});

describe('parseBoolean', () => {
  test.each([
    ['True', true],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['False', false],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
  ])('%p → %p', (raw, want) => {
    expect(parseBoolean(raw)).toBe(want);
  });
  test.each([[''], [null], [undefined]])('%p → null', (raw) => {
    expect(parseBoolean(raw)).toBeNull();
  });
  test.each([['maybe'], ['2'], [2], ['tru'], [{}]])('%p → undefined', (raw) => {
    expect(parseBoolean(raw)).toBeUndefined();
  });
});

describe('strings and GUIDs', () => {
  test('parseString', () => {
    expect(parseString('')).toBeNull();
    expect(parseString('  ')).toBeNull();
    expect(parseString(' a ')).toBe('a');
    expect(parseString(123456)).toBe('123456');
    expect(parseString(false)).toBe('false');
    expect(parseString(null)).toBeNull();
    expect(parseString({})).toBeNull();
  });
  test('GUIDs are lower-cased, other values untouched', () => {
    expect(isGuid('1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D')).toBe(true);
    expect(normalizeGuid('1CAAA5A3-2B66-438E-8AB4-BCE37D518C5D')).toBe('1caaa5a3-2b66-438e-8ab4-bce37d518c5d');
    expect(normalizeGuid('Not-A-Guid')).toBe('Not-A-Guid');
    expect(normalizeGuid('1CAAA5A3-2B66-438E-8AB4-BCE37D518C5Z')).toBe('1CAAA5A3-2B66-438E-8AB4-BCE37D518C5Z');
    expect(normalizeGuid(null)).toBeNull();
  });
});
