import * as fc from 'fast-check';
import {TrackingRuleConfig} from '../../src/config/types';
import {UsageRecord} from '../../src/normalize/usage-record';
import {applyTracking, compileTrackingRules, TrackingRuleError} from '../../src/track';
import {compilePattern, compileTemplate} from '../../src/track/compile';

function record(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    id: 'r1',
    usage_date: '2024-05-01',
    subscription_name: 'Payments-Prod',
    subscription_id: '00000000-0000-0000-0000-000000000001',
    resource_group: 'rg-pay-api',
    resource_id: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-pay-api/providers/Microsoft.Web/sites/api',
    meter_category: 'Virtual Machines',
    cost: 1.5,
    quantity: 24,
    is_azure_credit_eligible: true,
    cost_center: null,
    tags: {Team: 'Payments', env: 'prod', empty: ''},
    tracking: {},
    tracking_rules: [],
    ...over,
  } as UsageRecord;
}

function run(rules: unknown[], r: UsageRecord = record()) {
  const compiled = compileTrackingRules(rules as TrackingRuleConfig[]);
  const conflicts = applyTracking(compiled, r);
  return {r, conflicts};
}

function errorOf(rules: unknown): string {
  try {
    compileTrackingRules(rules as TrackingRuleConfig[]);
  } catch (e) {
    expect(e).toBeInstanceOf(TrackingRuleError);
    return (e as Error).message;
  }
  throw new Error('expected a TrackingRuleError');
}

describe('patterns', () => {
  it.each([
    ['rg-pay-*', 'RG-PAY-api', true],
    ['rg-pay-*', 'rg-pay-', true],
    ['rg-pay-*', 'rg-pa', false],
    ['rg-???', 'rg-abc', true],
    ['rg-???', 'rg-abcd', false],
    ['prod', 'PROD', true],
    ['prod', 'production', false],
    ['a.b', 'axb', false], // '.' is literal
    ['a+(b)', 'a+(b)', true],
    ['[abc]', '[ABC]', true],
    ['$^{}|', '$^{}|', true],
    ['*', '', true],
    ['**a**', 'xxa', true],
    ['\\*', '*', true],
    ['\\*', 'x', false],
    ['\\/subscriptions/abc', '/subscriptions/abc', true],
    ['/^pay/', 'payments', true],
    ['/^pay/', 'Payments', false], // regex honours its own flags
    ['/^pay/i', 'Payments', true],
    ['/prod$/', 'rg-prod', true],
    ['line*', 'line1\nline2', true],
  ])('%p on %p → %p', (pattern, value, expected) => {
    expect(compilePattern(pattern)(value)).toBe(expected);
  });

  it('property: a glob without wildcards matches exactly its case-folded self', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !/[*?\\]/.test(s) && !/^\/.+\/[A-Za-z]*$/s.test(s)), fc.string(), (lit, other) => {
        const t = compilePattern(lit);
        expect(t(lit)).toBe(true);
        expect(t(lit.toUpperCase())).toBe(lit.toUpperCase().toLowerCase() === lit.toLowerCase());
        if (other.toLowerCase() !== lit.toLowerCase()) expect(t(other)).toBe(false);
      }),
    );
  });

  it('property: prefix* matches every extension of the prefix', () => {
    fc.assert(
      fc.property(fc.string().filter((s) => !/[*?\\]/.test(s) && !s.startsWith('/')), fc.string(), (prefix, rest) => {
        expect(compilePattern(`${prefix}*`)(prefix + rest)).toBe(true);
      }),
    );
  });
});

describe('templates', () => {
  it('parses literals, references and $${ escapes', () => {
    expect(compileTemplate('plain').constant).toBe('plain');
    expect(compileTemplate('cost $5').constant).toBe('cost $5');
    expect(compileTemplate('$${x}').constant).toBe('${x}');
    expect(compileTemplate('team-${tags.team}').constant).toBeNull();
  });
  it.each([
    ['${', 'unclosed'],
    ['${}', 'empty reference'],
    ['${nope}', 'unknown field "nope"'],
    ['${Subscription_Name}', 'field names are lower case'],
    ['${tags}', 'use tags.<key>'],
    ['${tags.}', 'tag key missing'],
    ['${additional_info}', 'object or array'],
  ])('%p is rejected (%s)', (t, msg) => {
    expect(() => compileTemplate(t)).toThrow(msg);
  });
});

describe('compileTrackingRules validation', () => {
  const ok = {name: 'ok', match: {resource_group: '*'}, set: {team: 'x'}};
  it.each<[string, unknown, string]>([
    ['not an array', {name: 'x'}, 'tracking_rules: must be an array'],
    ['not an object', [ok, 'rule'], 'tracking_rules[1]: must be an object'],
    ['array entry', [[]], 'tracking_rules[0]: must be an object'],
    ['missing name', [{match: {id: '*'}, set: {a: 'b'}}], 'tracking_rules[0]: name: missing or empty'],
    ['blank name', [{name: '  ', match: {id: '*'}, set: {a: 'b'}}], 'tracking_rules[0]: name: missing or empty'],
    ['duplicate name', [ok, {...ok, name: 'OK'}], 'tracking_rules[1] ("OK"): name: duplicates tracking_rules[0] ("ok")'],
    ['empty match', [{name: 'a', match: {}, set: {t: 'x'}}], 'tracking_rules[0] ("a"): match: is empty'],
    ['missing match', [{name: 'a', set: {t: 'x'}}], 'tracking_rules[0] ("a"): match: must be an object'],
    ['empty set', [{name: 'a', match: {id: '*'}, set: {}}], 'tracking_rules[0] ("a"): set: has no keys'],
    ['missing set', [{name: 'a', match: {id: '*'}}], 'tracking_rules[0] ("a"): set: must be an object'],
    ['non-string match value', [{name: 'a', match: {id: 5}, set: {t: 'x'}}], 'match["id"]: value must be a string'],
    ['non-string set value', [{name: 'a', match: {id: '*'}, set: {t: null}}], 'set["t"]: value must be a string'],
    ['empty tracking key', [{name: 'a', match: {id: '*'}, set: {'': 'x'}}], 'tracking key must not be empty'],
    ['unknown match field', [{name: 'a', match: {resourcegroup: '*'}, set: {t: 'x'}}], 'match["resourcegroup"]: unknown field "resourcegroup"'],
    ['structured match field', [{name: 'a', match: {tags: '*'}, set: {t: 'x'}}], 'match["tags"]: use tags.<key>'],
    ['unknown reference', [{name: 'pay', match: {id: '*'}, set: {t: '${team}'}}], 'tracking_rules[0] ("pay"): set["t"]: reference ${team}: unknown field "team"'],
    ['bad priority', [{name: 'a', priority: 1.5, match: {id: '*'}, set: {t: 'x'}}], 'priority: must be an integer, got 1.5'],
    ['string priority', [{name: 'a', priority: '10', match: {id: '*'}, set: {t: 'x'}}], 'priority: must be an integer, got "10"'],
    ['unknown property', [{name: 'a', matches: {}, match: {id: '*'}, set: {t: 'x'}}], 'unknown property "matches"'],
    ['bad regex flags', [{name: 'a', match: {id: '/x/g'}, set: {t: 'x'}}], 'invalid regular expression flags "g"'],
    ['unknown regex flag', [{name: 'a', match: {id: '/x/q'}, set: {t: 'x'}}], 'invalid regular expression flags "q"'],
  ])('%s', (_label, rules, message) => {
    expect(errorOf(rules)).toContain(message);
  });

  it('names the rule by index and name and shows the bad regular expression', () => {
    const message = errorOf([ok, ok && {...ok, name: 'b'}, {name: 'payments', match: {'tags.env': '/[/'}, set: {team: 'p'}}]);
    expect(message).toMatch(/^tracking_rules\[2\] \("payments"\): match\["tags\.env"\]: invalid regular expression \/\[\/: /);
  });

  it('carries the rule index and name on the error', () => {
    try {
      compileTrackingRules([ok, {name: 'bad', match: {}, set: {a: 'b'}}] as TrackingRuleConfig[]);
    } catch (e) {
      expect((e as TrackingRuleError).ruleIndex).toBe(1);
      expect((e as TrackingRuleError).ruleName).toBe('bad');
    }
  });

  it('accepts an empty list, undefined and null, and every scalar record field', () => {
    expect(compileTrackingRules([]).rules).toHaveLength(0);
    expect(compileTrackingRules(undefined as unknown as TrackingRuleConfig[]).rules).toHaveLength(0);
    expect(compileTrackingRules(null as unknown as TrackingRuleConfig[]).rules).toHaveLength(0);
    const rules = compileTrackingRules([
      {name: 'all', priority: -3, match: {cost: '*', is_azure_credit_eligible: 'true', vm_sku: '*', aks_cluster: '*', 'tags.a.b:c/d': '*'}, set: {k: '${usage_date} ${tags.x}'}},
    ]);
    expect(rules.rules[0].priority).toBe(-3);
  });
});

describe('applyTracking', () => {
  it('sets tracking and tracking_rules from a matching rule; all conditions must hold', () => {
    const {r, conflicts} = run([
      {name: 'payments', priority: 100, match: {resource_group: 'rg-pay-*', 'tags.env': 'prod'}, set: {team: 'payments', cost_center: 'CC-100'}},
      {name: 'never', match: {resource_group: 'rg-pay-*', 'tags.env': 'dev'}, set: {team: 'dev'}},
    ]);
    expect(r.tracking).toEqual({team: 'payments', cost_center: 'CC-100'});
    expect(r.tracking_rules).toEqual(['payments']);
    expect(conflicts).toEqual([]);
  });

  it('tag keys are case-insensitive in match and templates', () => {
    const {r} = run([{name: 't', match: {'tags.TEAM': 'payments', 'tags.ENV': 'PROD'}, set: {owner: '${tags.team}/${tags.Env}'}}]);
    expect(r.tracking).toEqual({owner: 'Payments/prod'});
  });

  it('number and boolean fields match on their string form', () => {
    const {r} = run([{name: 'n', match: {cost: '1.5', quantity: '/^\\d+$/', is_azure_credit_eligible: 'TRUE'}, set: {k: '${cost}-${is_azure_credit_eligible}'}}]);
    expect(r.tracking).toEqual({k: '1.5-true'});
  });

  it('null or missing values match nothing, not even *', () => {
    const {r} = run([
      {name: 'a', match: {cost_center: '*'}, set: {k: 'a'}},
      {name: 'b', match: {'tags.missing': '*'}, set: {k: 'b'}},
      {name: 'c', match: {cost_center: '/.*/'}, set: {k: 'c'}},
      {name: 'd', match: {'tags.empty': '*'}, set: {present: 'yes'}},
    ]);
    expect(r.tracking).toEqual({present: 'yes'}); // an empty tag value is a value
    const {r: r2} = run([{name: 'a', match: {'tags.env': '*'}, set: {k: 'a'}}], record({tags: null}));
    expect(r2.tracking).toEqual({});
    expect(r2.tracking_rules).toEqual([]);
  });

  it('team from a tag with a fallback by resource group', () => {
    const rules = [
      {name: 'team-tag', priority: 10, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
      {name: 'team-by-rg', match: {resource_group: 'rg-pay-*'}, set: {team: 'payments-fallback'}},
    ];
    expect(run(rules).r.tracking).toEqual({team: 'Payments'});
    expect(run(rules).r.tracking_rules).toEqual(['team-tag']);
    const untagged = run(rules, record({tags: {env: 'prod'}})).r;
    expect(untagged.tracking).toEqual({team: 'payments-fallback'});
    expect(untagged.tracking_rules).toEqual(['team-by-rg']);
    // An empty tag value leaves the key to the fallback too.
    expect(run(rules, record({tags: {team: ''}})).r.tracking).toEqual({team: 'payments-fallback'});
  });

  it('a missing reference skips only that key; the rule still sets the others', () => {
    const {r} = run([{name: 'a', match: {id: '*'}, set: {team: '${tags.nope}', sub: '${subscription_name}'}}]);
    expect(r.tracking).toEqual({sub: 'Payments-Prod'});
    expect(r.tracking_rules).toEqual(['a']);
  });

  it('higher priority wins regardless of order; lower-priority disagreement is no conflict', () => {
    const {r, conflicts} = run([
      {name: 'low', priority: 1, match: {id: '*'}, set: {team: 'low'}},
      {name: 'high', priority: 5, match: {id: '*'}, set: {team: 'high'}},
    ]);
    expect(r.tracking).toEqual({team: 'high'});
    expect(r.tracking_rules).toEqual(['high']);
    expect(conflicts).toEqual([]);
  });

  it('same priority, different values: first listed wins and the conflict lists every rejected rule', () => {
    const {r, conflicts} = run([
      {name: 'other', priority: 9, match: {id: '*'}, set: {team: 'ignored'}},
      {name: 'by-sub', priority: 10, match: {subscription_name: 'payments-*'}, set: {team: 'payments', cc: 'CC-1'}},
      {name: 'by-rg', priority: 10, match: {resource_group: 'rg-pay-*'}, set: {team: 'platform', cc: 'CC-1'}},
      {name: 'by-tag', priority: 10, match: {'tags.env': 'prod'}, set: {team: 'sre'}},
      {name: 'same', priority: 10, match: {id: '*'}, set: {team: 'payments'}},
    ]);
    expect(r.tracking).toEqual({team: 'payments', cc: 'CC-1'});
    expect(r.tracking_rules).toEqual(['by-sub']);
    expect(conflicts).toEqual([
      {tracking_key: 'team', chosen_rule: 'by-sub', chosen_value: 'payments', rejected_rules: ['by-rg', 'by-tag'], rejected_values: ['platform', 'sre'], priority: 10},
    ]);
  });

  it('tracking_rules lists the rules whose values the record carries, in rule order', () => {
    const {r} = run([
      {name: 'cc', match: {subscription_name: '/-prod$/i'}, set: {cost_center: 'CC-9'}},
      {name: 'team', priority: 2, match: {id: '*'}, set: {team: 't'}},
      {name: 'env', match: {'tags.env': '*'}, set: {env: '${tags.env}', team: 'lost'}},
    ]);
    expect(r.tracking).toEqual({cost_center: 'CC-9', team: 't', env: 'prod'});
    expect(r.tracking_rules).toEqual(['cc', 'team', 'env']);
  });

  it('returns the same frozen empty array when there is no conflict, and no rules at all is fine', () => {
    const compiled = compileTrackingRules([{name: 'a', match: {id: '*'}, set: {k: 'v'}}]);
    const a = applyTracking(compiled, record());
    const b = applyTracking(compiled, record());
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    const empty = compileTrackingRules([]);
    const r = record({tracking: {stale: 'x'}, tracking_rules: ['stale']});
    expect(applyTracking(empty, r)).toEqual([]);
    expect(r.tracking).toEqual({});
    expect(r.tracking_rules).toEqual([]);
  });

  it('scratch state does not leak between records', () => {
    const compiled = compileTrackingRules([
      {name: 'a', match: {resource_group: 'rg-a'}, set: {team: 'a'}},
      {name: 'b', match: {resource_group: 'rg-a'}, set: {team: 'b'}},
    ]);
    const first = applyTracking(compiled, record({resource_group: 'rg-a'}));
    expect(first).toHaveLength(1);
    const r2 = record({resource_group: 'rg-b'});
    expect(applyTracking(compiled, r2)).toEqual([]);
    expect(r2.tracking).toEqual({});
    expect(first[0].rejected_rules).toEqual(['b']); // earlier result not mutated
  });

  it('property: deterministic, and independent of tag key case', () => {
    const rules = compileTrackingRules([
      {name: 'a', priority: 1, match: {'tags.team': '*'}, set: {team: '${tags.team}'}},
      {name: 'b', priority: 1, match: {'tags.owner': '?*'}, set: {team: '${tags.owner}'}},
      {name: 'c', match: {resource_group: '*'}, set: {team: 'fallback', rg: '${resource_group}'}},
    ]);
    const tagKey = fc.constantFrom('team', 'TEAM', 'Team', 'owner', 'Owner', 'env');
    fc.assert(
      fc.property(fc.dictionary(tagKey, fc.string({maxLength: 4})), fc.option(fc.string({maxLength: 5}), {nil: null}), (tags, rg) => {
        const r1 = record({tags, resource_group: rg});
        const c1 = applyTracking(rules, r1);
        const r2 = record({tags: {...tags}, resource_group: rg});
        const c2 = applyTracking(rules, r2);
        expect(r2.tracking).toEqual(r1.tracking);
        expect(r2.tracking_rules).toEqual(r1.tracking_rules);
        expect(c2).toEqual(c1);
        const lowered = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
        if (Object.keys(lowered).length === Object.keys(tags).length) {
          const r3 = record({tags: lowered, resource_group: rg});
          applyTracking(rules, r3);
          expect(r3.tracking).toEqual(r1.tracking);
        }
        for (const c of c1) expect(c.rejected_values).not.toContain(c.chosen_value);
      }),
    );
  });
});

describe('docs/tracking-rules.md worked examples', () => {
  const base = record({subscription_name: 'Payments-Prod', resource_group: 'rg-pay-api', tags: {Team: 'checkout', env: 'prod'}});

  it('1. team from a tag with a fallback by resource group', () => {
    const rules = [
      {name: 'team-from-tag', priority: 10, match: {'tags.team': '?*'}, set: {team: '${tags.team}'}},
      {name: 'team-payments-by-rg', match: {resource_group: 'rg-pay-*'}, set: {team: 'payments'}},
    ];
    expect(run(rules, {...base}).r).toMatchObject({tracking: {team: 'checkout'}, tracking_rules: ['team-from-tag']});
    expect(run(rules, {...base, tags: {team: ''}}).r).toMatchObject({tracking: {team: 'payments'}, tracking_rules: ['team-payments-by-rg']});
    expect(run(rules, {...base, resource_group: 'rg-web', tags: null}).r).toMatchObject({tracking: {}, tracking_rules: []});
  });

  it('2. cost center by subscription name pattern', () => {
    const rules = [
      {name: 'cc-payments', match: {subscription_name: 'payments-*'}, set: {cost_center: 'CC-100'}},
      {name: 'cc-data', match: {subscription_name: '/^(data|analytics)-(prod|dev)$/i'}, set: {cost_center: 'CC-200'}},
      {name: 'cc-by-subscription', priority: -1, match: {subscription_name: '*'}, set: {cost_center: 'unassigned: ${subscription_name}'}},
    ];
    expect(run(rules, {...base}).r.tracking).toEqual({cost_center: 'CC-100'});
    expect(run(rules, {...base, subscription_name: 'Analytics-Dev'}).r.tracking).toEqual({cost_center: 'CC-200'});
    expect(run(rules, {...base, subscription_name: 'Sandbox-01'}).r.tracking).toEqual({cost_center: 'unassigned: Sandbox-01'});
    expect(run(rules, {...base, subscription_name: null}).r.tracking).toEqual({});
  });

  it('3. a deliberate conflict', () => {
    const {r, conflicts} = run(
      [
        {name: 'team-by-subscription', priority: 5, match: {subscription_name: 'payments-*'}, set: {team: 'payments'}},
        {name: 'team-by-env-tag', priority: 5, match: {'tags.env': 'prod'}, set: {team: 'sre-on-call'}},
        {name: 'team-default', match: {id: '*'}, set: {team: 'unknown'}},
      ],
      {...base},
    );
    expect(r).toMatchObject({tracking: {team: 'payments'}, tracking_rules: ['team-by-subscription']});
    expect(conflicts).toEqual([
      {tracking_key: 'team', chosen_rule: 'team-by-subscription', chosen_value: 'payments', rejected_rules: ['team-by-env-tag'], rejected_values: ['sre-on-call'], priority: 5},
    ]);
  });
});
