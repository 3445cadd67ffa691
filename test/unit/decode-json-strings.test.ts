import {BYPASS_LOOKUPS, parseAdditionalInfo, parseTags} from '../../src/decode/json-strings';

describe('parseTags', () => {
  test('empty and absent → null without error', () => {
    for (const raw of ['', '   ', null, undefined]) {
      expect(parseTags(raw)).toEqual({value: null, error: false});
    }
  });

  test('full JSON object', () => {
    expect(parseTags('{"env": "prod","team": "pay"}')).toEqual({value: {env: 'prod', team: 'pay'}, error: false});
  });

  test('inside of an object without braces (Azure cost details style)', () => {
    expect(parseTags('"env": "prod","team": "pay"')).toEqual({value: {env: 'prod', team: 'pay'}, error: false});
  });

  test('keys with . / : and values with , : and empty values are never split', () => {
    const raw =
      '"kubernetes.io-created-for-pv-name": "pvc-1","cm-resource-parent": "/subscriptions/x/providers/Microsoft.Cloud/hubs/h",' +
      '"a:b": "c:d,e","empty": ""';
    expect(parseTags(raw).value).toEqual({
      'kubernetes.io-created-for-pv-name': 'pvc-1',
      'cm-resource-parent': '/subscriptions/x/providers/Microsoft.Cloud/hubs/h',
      'a:b': 'c:d,e',
      empty: '',
    });
  });

  test('non-string values are stringified', () => {
    expect(parseTags('{"n": 1, "b": true, "z": null, "o": {"x": 1}, "a": [1,2]}').value).toEqual({
      n: '1',
      b: 'true',
      z: '',
      o: '{"x":1}',
      a: '[1,2]',
    });
  });

  test('an object already decoded (JSON APIs) is copied, not mutated', () => {
    const src = {env: 'prod', n: 5};
    const out = parseTags(src);
    expect(out).toEqual({value: {env: 'prod', n: '5'}, error: false});
    expect(src.n).toBe(5);
  });

  test('double-encoded JSON string', () => {
    expect(parseTags(JSON.stringify('{"env":"prod"}')).value).toEqual({env: 'prod'});
  });

  test('{} stays an empty object', () => {
    expect(parseTags('{}')).toEqual({value: {}, error: false});
  });

  test('__proto__ key stays plain data', () => {
    const out = parseTags('"__proto__": {"polluted": "yes"}, "a": "b"');
    expect(out.error).toBe(false);
    expect(Object.getPrototypeOf(out.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(out.value!)).toEqual(['__proto__', 'a']);
  });

  test.each([
    ['string'],
    ['env=prod'],
    ['env:prod'],
    ['"env": '],
    ['{"env": "prod"'],
    ['"env": "prod",'],
    ['[1,2]'],
    ['"just a string"'],
    ['{"a":1}}'],
    [42],
    [['a']],
    [true],
  ])('malformed %p → null + error', (raw) => {
    expect(parseTags(raw)).toEqual({value: null, error: true});
  });
});

describe('parseAdditionalInfo', () => {
  test('object in a string; keys keep their case; values keep JSON types', () => {
    const out = parseAdditionalInfo('{"UsageType":"ComputeHR","VmName":"vm1","VMName":"vm2","VCPUs":2,"ConsumedQuantity":1.0}');
    expect(out.error).toBe(false);
    expect(out.value).toEqual({UsageType: 'ComputeHR', VmName: 'vm1', VMName: 'vm2', VCPUs: 2, ConsumedQuantity: 1});
  });
  test('without braces', () => {
    expect(parseAdditionalInfo('"ServiceType": "Standard_D2s_v3"').value).toEqual({ServiceType: 'Standard_D2s_v3'});
  });
  test('empty → null, no error', () => {
    expect(parseAdditionalInfo('')).toEqual({value: null, error: false});
    expect(parseAdditionalInfo(null)).toEqual({value: null, error: false});
  });
  test('object passes through', () => {
    const o = {A: 1};
    expect(parseAdditionalInfo(o).value).toBe(o);
  });
  test.each([['string'], ['{bad json}'], ['[1]'], [3], ['null']])('malformed %p → error', (raw) => {
    expect(parseAdditionalInfo(raw)).toEqual({value: null, error: true});
  });
});

describe('decoded texts are shared between rows', () => {
  test('the same text gives the same result, frozen all the way down', () => {
    const text = '{"ServiceType":"Standard_D2s_v3","VMProperties":{"Priority":"Spot","Zones":["1"]}}';
    const a = parseAdditionalInfo(text);
    const b = parseAdditionalInfo(text.slice(0)); // an equal string, not the same one
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.value)).toBe(true);
    const props = a.value!.VMProperties as {Priority: string; Zones: string[]};
    expect(Object.isFrozen(props)).toBe(true);
    expect(Object.isFrozen(props.Zones)).toBe(true);
    // a row that tried to change them would change every other row's: it throws instead
    expect(() => {
      (a.value as Record<string, unknown>).ServiceType = 'x';
    }).toThrow(TypeError);
    expect(a.value).toEqual({ServiceType: 'Standard_D2s_v3', VMProperties: {Priority: 'Spot', Zones: ['1']}});
  });

  test('tags keep their stringified values when shared; other texts give other objects', () => {
    const first = parseTags('{"n": 1, "env": "prod"}');
    expect(parseTags('{"n": 1, "env": "prod"}')).toBe(first);
    expect(first.value).toEqual({n: '1', env: 'prod'});
    expect(parseTags('{"n": 2, "env": "prod"}').value).toEqual({n: '2', env: 'prod'});
    expect(parseTags('{"n": 2, "env": "prod"}').value).not.toBe(first.value);
    // malformed texts are remembered as malformed
    expect(parseTags('{bad')).toEqual({value: null, error: true});
    expect(parseTags('{bad')).toEqual({value: null, error: true});
  });

  test('an object from a JSON API is neither frozen nor shared', () => {
    const src = {env: 'prod'};
    const a = parseTags(src);
    expect(Object.isFrozen(a.value)).toBe(false);
    expect(parseTags(src).value).not.toBe(a.value);
    expect(Object.isFrozen(parseAdditionalInfo({A: 1}).value)).toBe(false);
  });

  test('steps aside while texts hardly repeat, and comes back when they do', () => {
    // every text distinct: the memo would only add its cost, so texts are decoded plainly
    for (let i = 0; i < 2048; i++) expect(parseAdditionalInfo(`{"Quantity":${i}}`).value).toEqual({Quantity: i});
    const plain = parseAdditionalInfo('{"UsageType":"ComputeHR"}');
    expect(plain.value).toEqual({UsageType: 'ComputeHR'});
    expect(Object.isFrozen(plain.value)).toBe(false);
    expect(parseAdditionalInfo('{"UsageType":"ComputeHR"}')).not.toBe(plain);
    // repeated texts once the pause is over: shared and frozen again
    for (let i = 0; i < BYPASS_LOOKUPS; i++) parseAdditionalInfo('{"UsageType":"ComputeHR"}');
    const shared = parseAdditionalInfo('{"UsageType":"ComputeHR"}');
    expect(Object.isFrozen(shared.value)).toBe(true);
    expect(parseAdditionalInfo('{"UsageType":"ComputeHR"}')).toBe(shared);
  });

  test('stays correct past its bound (it is cleared when full)', () => {
    for (let i = 0; i < 5000; i++) {
      expect(parseTags(`{"i":"${i}"}`).value).toEqual({i: String(i)});
    }
    expect(parseTags('{"i":"7"}').value).toEqual({i: '7'});
  });
});
