/**
 * The sandbox's unused reservation rows (sandbox/row-core.ts unusedReservation): AmortizedCost
 * only, after a day's usage slots, one per reservation with unused hours that day, with the
 * columns Microsoft's reservation usage docs name; every other row (both metrics, the EA
 * Reporting API pages, the FocusCost rows) is byte for byte what the sandbox served before these
 * rows existed.
 */
import {RESERVATIONS, SUBSCRIPTIONS, VM_SIZES} from '../../sandbox/catalog';
import {listDays} from '../../sandbox/dates';
import {formatDec, mulDec, parseDec} from '../../sandbox/decimal';
import {makeEnrollment} from '../../sandbox/enrollment';
import {focusTable, scopeRows} from '../../sandbox/exports/datasets';
import {FOCUS_10R2_COLUMNS, FOCUS_12_COLUMNS} from '../../sandbox/exports/focus';
import {ExportsContext} from '../../sandbox/exports/world';
import {makeMcaAccount} from '../../sandbox/mca';
import {MCA_RESERVATIONS, MCA_SUBSCRIPTIONS} from '../../sandbox/mca-catalog';
import {benefitId, ReservationLike, UNUSED_RATE} from '../../sandbox/row-core';
import {DIGEST_EA, DIGEST_MCA, DIGEST_MONTHS, sandboxDigests} from '../support/sandbox-digest';

/** sandboxDigests() of main at 050e091, before unused reservation rows (computed there with this same helper). */
const BEFORE_UNUSED_ROWS: Record<string, string> = {
  eaActual: '5a73b6a0d40efe2525502f6baad0fbae',
  eaAmortizedUsage: '94dc0cf4a5668c3e25d5daa2b5fa0d84',
  mcaActual: '5eccc8724b1a06c3a44f4bc8f08cb76e',
  mcaAmortizedUsage: '678448d8b13311794ec4cf92fccb90fb',
  eaPages: '2cfc6bf53bfe14d1e72599f8c33b4dee',
  focusUsage: '3b92efc8602498265330f5e6f42b2ea2',
};

/**
 * Since then the FocusCost export's refunds follow FOCUS (ListCost and ContractedCost take the
 * cost's sign; no consumed quantity on a charge that is not Usage): its rows changed there and
 * nowhere else. The digest of the rows other than refunds was taken before that change too
 * (with focusUsage still 050e091's) and is unchanged.
 */
const NOW: Record<string, string> = {
  ...BEFORE_UNUSED_ROWS,
  focusUsage: 'af80b108dbdc47051736473850f7442a',
  focusWithoutRefunds: 'a2efa119e284feccb653792309ea47e1',
};

const e = makeEnrollment(DIGEST_EA);
const m = makeMcaAccount(DIGEST_MCA);
const days = listDays(DIGEST_EA.startDate, DIGEST_EA.endDate);

/** What every unused row of a reservation carries, by neutral name. */
interface Unused {
  slot: number;
  chargeType: string;
  pricingModel: string;
  reservationId: string;
  reservationName: string;
  productOrderId: string;
  benefitId: string;
  benefitName: string;
  resourceId: string;
  meterCategory: string;
  meterName: string;
  subscriptionId: string;
  quantity: string;
  effectivePrice: string;
  paygPrice: string;
  cost: string;
  messy: boolean;
}

function checkUnused(rows: Unused[], res: ReservationLike, sub: string): void {
  expect(rows).toHaveLength(1);
  const u = rows[0];
  expect(u).toMatchObject({
    chargeType: 'UnusedReservation', pricingModel: 'Reservation', reservationId: res.id, reservationName: res.name, productOrderId: res.orderId,
    benefitId: benefitId(res), benefitName: res.name, resourceId: '', meterCategory: 'Virtual Machines', meterName: VM_SIZES[res.size].meter,
    subscriptionId: sub, effectivePrice: res.amortizedRate, paygPrice: '0', messy: false,
  });
  const hours = parseDec(u.quantity);
  expect(hours > 0n && hours <= parseDec('24')).toBe(true);
  expect(u.cost).toBe(mulDec(u.quantity, res.amortizedRate));
}

describe('unused reservation rows', () => {
  test('no other row changed: ActualCost and the usage rows of AmortizedCost, EA pages and FocusCost rows are the bytes of before', () => {
    expect(sandboxDigests()).toEqual(NOW);
  });

  test('EA: only in AmortizedCost, after the usage slots, one per reservation with unused hours; the reservation\'s columns, hours × amortized rate', () => {
    let unusedRows = 0;
    for (const day of days) {
      const usage = e.slotCount(day, 'actual');
      expect(usage).toBe(DIGEST_EA.emptyDays.includes(day) ? 0 : DIGEST_EA.rowsPerDay);
      for (const r of e.dayRows(day, 'actual')) expect(r.c.ChargeType).not.toBe('UnusedReservation');
      const n = e.slotCount(day, 'amortized');
      expect(n).toBeGreaterThanOrEqual(usage);
      const rows: Unused[] = [];
      for (let slot = 0; slot < n; slot++) {
        const r = e.row(day, slot, 'amortized');
        if (r === null || r.c.ChargeType !== 'UnusedReservation') continue;
        const c = r.c;
        rows.push({
          slot, chargeType: c.ChargeType, pricingModel: c.PricingModel, reservationId: c.ReservationId, reservationName: c.ReservationName,
          productOrderId: c.ProductOrderId, benefitId: c.benefitId, benefitName: c.benefitName, resourceId: c.ResourceId, meterCategory: c.MeterCategory,
          meterName: c.MeterName, subscriptionId: c.SubscriptionId, quantity: c.Quantity, effectivePrice: c.EffectivePrice, paygPrice: c.PayGPrice,
          cost: c.CostInBillingCurrency, messy: r.badDate !== undefined || r.tagsRaw !== undefined || r.dupOf !== undefined,
        });
        expect(e.row(day, slot, 'actual')).toBeNull();
      }
      // the extra slots are exactly the unused rows
      expect(rows.map((u) => u.slot)).toEqual(Array.from({length: n - usage}, (_, i) => usage + i));
      for (const res of RESERVATIONS) {
        const mine = rows.filter((u) => u.reservationId === res.id);
        if (mine.length) checkUnused(mine, res, SUBSCRIPTIONS[res.sub].guid);
      }
      unusedRows += rows.length;
    }
    const draws = (days.length - DIGEST_EA.emptyDays.length) * RESERVATIONS.length;
    expect(unusedRows).toBeGreaterThan(0);
    // about one reservation-day in four (UNUSED_RATE), from the seed's own stream
    expect(Math.abs(unusedRows / draws - UNUSED_RATE)).toBeLessThan(0.15);
  });

  test('MCA: the same, in USD and the profile\'s billing currency', () => {
    let unusedRows = 0;
    for (const day of days) {
      const usage = m.slotCount(day, 'actual');
      const n = m.slotCount(day, 'amortized');
      for (let slot = 0; slot < usage; slot++) expect(m.row(day, slot, 'actual')?.c.chargeType).not.toBe('UnusedReservation');
      for (let slot = usage; slot < n; slot++) {
        expect(m.row(day, slot, 'actual')).toBeNull();
        const r = m.row(day, slot, 'amortized')!;
        const c = r.c;
        const res = MCA_RESERVATIONS.find((x) => x.id === c.reservationId)!;
        checkUnused([{
          slot, chargeType: c.chargeType, pricingModel: c.pricingModel, reservationId: c.reservationId, reservationName: c.reservationName,
          productOrderId: c.productOrderId, benefitId: c.benefitId, benefitName: c.benefitName, resourceId: c.ResourceId, meterCategory: c.meterCategory,
          meterName: c.meterName, subscriptionId: c.SubscriptionId, quantity: c.quantity, effectivePrice: c.effectivePrice, paygPrice: c.PayGPrice,
          cost: c.costInUsd, messy: r.badDate !== undefined || r.tagsRaw !== undefined || r.dupOf !== undefined,
        }], res, MCA_SUBSCRIPTIONS[res.sub].guid);
        expect(c.paygCostInUsd).toBe('0');
        unusedRows++;
      }
    }
    expect(unusedRows).toBeGreaterThan(0);
  });

  test('FocusCost: an unused row bills 0, its EffectiveCost is its cost, Usage with status Unused; 1.0r2 has no x_AmortizationClass to write', () => {
    const ctx: ExportsContext = {seed: 5, today: DIGEST_MCA.today, enrollment: e, mca: m, csvSchema: 'auto', storage: {account: 'a', key: Buffer.alloc(64, 7).toString('base64'), container: 'c', rootFolderPath: '', exports: []}};
    expect(FOCUS_10R2_COLUMNS).not.toContain('x_AmortizationClass');
    for (const [keep, version, header] of [[null, '1.0r2', FOCUS_10R2_COLUMNS], [() => true, '1.2', FOCUS_12_COLUMNS]] as const) {
      const [start, end] = DIGEST_MONTHS[0];
      const t = focusTable(scopeRows(ctx, keep), start, end, version);
      expect(t.header).toEqual(header);
      const at = (name: string) => t.header.indexOf(name);
      const unused = [...t.rows()].filter((r) => r.cells[at('CommitmentDiscountStatus')] === 'Unused');
      // as many as the sandbox's unused rows of the month
      const expected = listDays(start, end).reduce((a, d) => a + (keep === null ? e.slotCount(d, 'amortized') - e.slotCount(d, 'actual') : m.slotCount(d, 'amortized') - m.slotCount(d, 'actual')), 0);
      expect(unused.length).toBe(expected);
      expect(expected).toBeGreaterThan(0);
      for (const r of unused) {
        expect(r.cells[at('ChargeCategory')]).toBe('Usage');
        expect(r.cells[at('BilledCost')]).toBe('0');
        expect(r.sums[0]).toBe(0n);
        expect(parseDec(r.cells[at('EffectiveCost')])).toBe(r.sums[1]);
        expect(r.sums[1] > 0n).toBe(true);
        expect(r.cells[at('CommitmentDiscountId')]).toMatch(/^\/providers\/Microsoft\.Capacity\/reservationOrders\/.+\/reservations\/.+$/);
        expect(r.cells[at('CommitmentDiscountType')]).toBe('Reservation');
        expect(r.cells[at('ConsumedQuantity')]).toBe('');
        expect(r.cells[at('ResourceId')]).toBe('');
        // EA bills in USD: the cost is the unused hours at the amortized rate
        if (keep === null) expect(formatDec(parseDec(r.cells[at('PricingQuantity')]) * parseDec(r.cells[at('x_EffectiveUnitPrice')]) / 10n ** 28n)).toBe(formatDec(r.sums[1]));
        if (version === '1.2') expect(r.cells[at('x_AmortizationClass')]).toBe('Amortized Charge');
      }
    }
  });
});
