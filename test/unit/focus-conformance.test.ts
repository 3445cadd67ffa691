/**
 * The FOCUS conformance check (src/focus/conformance.ts): the specification's own example rows
 * pass it; records that break a FOCUS rule fail it with the rule named; the date-time forms of
 * FocusCost 1.0 and 1.0r2 are accepted on input, and only the form with seconds on output.
 */
import {parse} from 'csv-parse/sync';
import fs from 'fs';
import path from 'path';

import {FOCUS_COLUMNS} from '../../src/focus/columns';
import {assertFocusConformance, focusProblems} from '../../src/focus/conformance';
import {emptyFocusRecord} from '../../src/focus/record';

const EXAMPLES = path.resolve(__dirname, '../fixtures/focus/spec-examples');
const TYPES = new Map(FOCUS_COLUMNS.map((c) => [c.name, c.type]));

/** An example CSV's rows with FOCUS types: decimals as numbers, `null` as null. */
function exampleRows(file: string): Array<Record<string, unknown>> {
  const rows = parse(fs.readFileSync(path.join(EXAMPLES, file)), {columns: true, bom: true, skip_empty_lines: true}) as Array<Record<string, string>>;
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, v === 'null' || v === '' ? null : TYPES.get(k) === 'Decimal' ? Number(v) : v]),
    ),
  );
}

/** A complete record that conforms: every column, the non-nullable ones set. */
function good(): Record<string, unknown> {
  const f = emptyFocusRecord();
  Object.assign(f, {
    x_RecordId: 'a'.repeat(32),
    BilledCost: 1.5,
    EffectiveCost: 1.25,
    ContractedCost: 1.5,
    ListCost: 2,
    BillingAccountId: '87654321',
    BillingAccountType: 'Billing Account',
    BillingCurrency: 'USD',
    BillingPeriodStart: '2026-10-01T00:00:00Z',
    BillingPeriodEnd: '2026-11-01T00:00:00Z',
    ChargePeriodStart: '2026-10-05T00:00:00Z',
    ChargePeriodEnd: '2026-10-06T00:00:00Z',
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    InvoiceIssuerName: 'Microsoft',
    ProviderName: 'Microsoft',
    PublisherName: 'Microsoft',
    ServiceCategory: 'Compute',
    ServiceName: 'Virtual Machines',
    ServiceSubcategory: 'Virtual Machines',
    Tags: {},
  });
  return f;
}

describe('FOCUS conformance check', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.csv'));

  it('has the specification’s three example files to check', () => {
    expect(files).toHaveLength(3);
  });

  /** Rows of the examples with a slip of their own: the check must name it, not pass it. */
  const SLIPS: Record<string, Record<number, string[]>> = {
    // its third charge period ends at hour 30 ("2023-02-01T30:00:00Z"), a time that does not exist
    'commitment_discount_purchase_scenario_2.csv': {2: ['ChargePeriodEnd: not an ISO date-time in UTC with Z ("2023-02-01T30:00:00Z")']},
  };

  it.each(files)('the specification’s example %s passes (its columns only)', (file) => {
    const rows = exampleRows(file);
    expect(rows.length).toBeGreaterThan(0);
    for (const mode of ['input', 'output'] as const) {
      // the examples write date-times with seconds and Z: they pass as input and as output
      const problems = rows.map((r) => focusProblems(r, {partial: true, mode}));
      expect(Object.fromEntries(problems.map((p, i) => [i, p]).filter(([, p]) => p.length > 0))).toEqual(SLIPS[file] ?? {});
    }
    const clean = rows.filter((_r, i) => !(SLIPS[file] ?? {})[i]);
    expect(assertFocusConformance(clean, {partial: true})).toBe(clean.length);
  });

  it('a consumed quantity and unit only on usage that is not an unused commitment', () => {
    const usage = {...good(), ChargeCategory: 'Usage', ConsumedQuantity: 24, ConsumedUnit: 'Hours'};
    expect(focusProblems(usage)).toEqual([]);
    expect(focusProblems({...usage, ChargeCategory: 'Purchase', ChargeClass: 'Correction', CommitmentDiscountStatus: null})).toEqual([
      'ConsumedQuantity: set on a Purchase charge',
      'ConsumedUnit: set on a Purchase charge',
    ]);
    expect(focusProblems({...usage, CommitmentDiscountId: '/providers/microsoft.capacity/reservationorders/o/reservations/r', CommitmentDiscountStatus: 'Unused', ConsumedUnit: null})).toEqual([
      'ConsumedQuantity: set on an unused commitment',
    ]);
    expect(focusProblems({...usage, ChargeCategory: 'Purchase', ConsumedQuantity: null, ConsumedUnit: null, CommitmentDiscountStatus: null})).toEqual([]);
  });

  it('a complete record with every Mandatory column passes', () => {
    expect(focusProblems(good())).toEqual([]);
  });

  it('names a missing Mandatory column, a null where FOCUS allows none, and wrong types', () => {
    const r = good();
    delete r.ListCost;
    r.BillingCurrency = null;
    r.BilledCost = '1.5';
    r.Tags = 'env:prod';
    expect(focusProblems(r)).toEqual([
      'BilledCost: not a decimal number ("1.5")',
      'BillingCurrency: null, which FOCUS does not allow',
      'ListCost: Mandatory column missing',
      'Tags: not a JSON object',
    ]);
    // a partial check (example rows) does not ask for missing columns
    expect(focusProblems(r, {partial: true})).not.toContain('ListCost: Mandatory column missing');
  });

  it.each([
    ['ChargeCategory', 'UnusedReservation'],
    ['ChargeClass', 'Refund'],
    ['ChargeFrequency', 'Other'],
    ['PricingCategory', 'OnDemand'],
    ['CommitmentDiscountStatus', 'Unused Commitment'],
    ['CommitmentDiscountCategory', 'Reservation'],
    ['ServiceCategory', 'Compute Services'],
  ])('refuses %s "%s" (not an allowed value)', (column, value) => {
    const r = good();
    r.CommitmentDiscountId = '/providers/microsoft.capacity/reservationorders/x';
    r[column] = value;
    expect(focusProblems(r).join('\n')).toContain(`${column}: "${value}" is not one of`);
  });

  it('date-times: output needs seconds and Z; input also takes FocusCost 1.0’s form without seconds', () => {
    const r = good();
    r.ChargePeriodStart = '2026-10-05T00:00Z'; // FocusCost 1.0
    r.ChargePeriodEnd = '2026-10-06T00:00:00Z'; // FocusCost 1.0r2
    expect(focusProblems(r, {mode: 'input'})).toEqual([]);
    expect(focusProblems(r)).toEqual(['ChargePeriodStart: not an ISO date-time in UTC with Z ("2026-10-05T00:00Z")']);
    for (const bad of ['2026-10-05', '2026-10-05T00:00:00', '2026-10-05 00:00:00Z', '10/05/2026', '2026-13-05T00:00:00Z']) {
      r.ChargePeriodStart = bad;
      expect(focusProblems(r, {mode: 'input'}).join('\n')).toContain('ChargePeriodStart: not an ISO date-time');
    }
  });

  it('cross-column rules: periods end after they start; a commitment status needs an id and a Usage charge', () => {
    const r = good();
    r.ChargePeriodEnd = r.ChargePeriodStart;
    r.CommitmentDiscountStatus = 'Used';
    expect(focusProblems(r)).toEqual(['ChargePeriodEnd: not after ChargePeriodStart', 'CommitmentDiscountStatus: set without a CommitmentDiscountId']);
    const p = good();
    p.ChargeCategory = 'Purchase';
    p.CommitmentDiscountId = 'x';
    p.CommitmentDiscountStatus = 'Used';
    expect(focusProblems(p)).toEqual(['CommitmentDiscountStatus: set on a charge that is not Usage']);
  });
});
