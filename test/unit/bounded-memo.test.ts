import {BoundedMemo} from '../../src/decode/bounded-memo';

describe('BoundedMemo', () => {
  it('remembers values, undefined ones included, and tells them from misses', () => {
    const m = new BoundedMemo<number | undefined>(4);
    m.set('a', 1);
    m.set('bad', undefined);
    expect(m.get('a')).toBe(1);
    expect([m.has('bad'), m.get('bad')]).toEqual([true, undefined]);
    expect([m.has('nope'), m.get('nope')]).toEqual([false, undefined]);
    expect(m.size).toBe(2);
  });

  it('forgets everything when full, on the next insert, and holds at most its limit', () => {
    const m = new BoundedMemo<number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) m.set(k, i);
    expect([m.size, m.full]).toEqual([3, true]);
    m.set('b', 9); // even a known key: the bound is on inserts
    expect([m.size, m.full, m.get('a'), m.get('b')]).toEqual([1, false, undefined, 9]);
    for (let i = 0; i < 100; i++) {
      m.set(`k${i}`, i);
      expect(m.size).toBeLessThanOrEqual(3);
    }
  });

  it('computes once per key until forgotten, from a copy of the key, undefined results included', () => {
    const calls: string[] = [];
    const m = new BoundedMemo<string | undefined>(2);
    const compute = (k: string) => {
      calls.push(k);
      return k === 'x' ? undefined : k.toUpperCase();
    };
    expect([m.getOrCompute('ab', compute), m.getOrCompute('ab', compute)]).toEqual(['AB', 'AB']);
    expect([m.getOrCompute('x', compute), m.getOrCompute('x', compute)]).toEqual([undefined, undefined]);
    expect(calls).toEqual(['ab', 'x']);
    m.getOrCompute('cd', compute); // full: forgets ab and x
    m.getOrCompute('ab', compute);
    expect(calls).toEqual(['ab', 'x', 'cd', 'ab']);
    // a long key (one V8 could slice from a bigger string) is still found by value
    const chunk = 'prefix/' + 'z'.repeat(40) + '/suffix';
    const key = chunk.slice(7, 47);
    expect(m.getOrCompute(key, compute)).toBe('Z'.repeat(40));
    expect(m.getOrCompute('z'.repeat(40), compute)).toBe('Z'.repeat(40));
    expect(calls.filter((c) => c === 'z'.repeat(40))).toHaveLength(1);
  });

  it('clears on demand and refuses a limit below 1', () => {
    const m = new BoundedMemo<number>(5);
    m.set('a', 1);
    m.clear();
    expect([m.size, m.get('a')]).toEqual([0, undefined]);
    expect(() => new BoundedMemo(0)).toThrow(/at least 1/);
  });
});
