/** The table of each export dataset for the days of one run (docs/design.md §14). */
import {listDays} from '../dates';
import {CostView, eaView, mcaView} from './cost-view';
import {focusColumns, focusRow, focusTypes} from './focus';
import {priceSheetTable, recommendationsTable, reservationDetailsTable, reservationTransactionsTable, ScopeRows} from './reservations';
import type {RunPlan} from './runs';
import type {ExportSpec} from './spec';
import {eaCostTable, mcaCostTable, Table, TableRow} from './table';
import type {ExportsContext} from './world';

/** The scope's rows day by day, through neutral names. */
export function scopeRows(ctx: ExportsContext, keep: ((sub: string) => boolean) | null): ScopeRows {
  if (keep === null) {
    const e = ctx.enrollment;
    return {
      agreement: 'EA',
      *day(d, metric) {
        for (const r of e.dayRows(d, metric)) yield eaView(r);
      },
      daysWithData: (start, end) => listDays(start, end).filter((d) => e.slotCount(d, 'actual') > 0),
    };
  }
  const m = ctx.mca!;
  return {
    agreement: 'MCA',
    *day(d, metric) {
      const n = m.slotCount(d, metric);
      for (let i = 0; i < n; i++) {
        const r = m.row(d, i, metric);
        if (r && keep(r.c.SubscriptionId)) yield mcaView(r);
      }
    },
    daysWithData: (start, end) => listDays(start, end).filter((d) => m.slotCount(d, 'actual') > 0),
  };
}

const isCommitmentCharge = (v: CostView) => (v.chargeType === 'Purchase' || v.chargeType === 'Refund') && (v.pricingModel === 'Reservation' || v.pricingModel === 'SavingsPlan');

/** FOCUS rows of [start, end], day by day: the day's amortized rows, then its commitment purchases and refunds. */
export function focusTable(src: ScopeRows, start: string, end: string, dataVersion: string): Table {
  const cols = focusColumns(dataVersion);
  return {
    header: cols,
    types: focusTypes(cols),
    sumNames: ['billedCost', 'effectiveCost'],
    *rows(): Generator<TableRow> {
      for (const d of src.daysWithData(start, end)) {
        for (const v of src.day(d, 'amortized')) if (!v.badDate) yield focusRow(v, false, cols);
        for (const v of src.day(d, 'actual')) if (!v.badDate && isCommitmentCharge(v)) yield focusRow(v, true, cols);
      }
    },
  };
}

export function datasetTable(spec: ExportSpec, plan: RunPlan, ctx: ExportsContext, keep: ((sub: string) => boolean) | null, dataVersion: string): Table {
  switch (spec.dataset) {
    case 'ActualCost':
    case 'Usage':
    case 'AmortizedCost': {
      const metric = spec.dataset === 'AmortizedCost' ? 'amortized' : 'actual';
      if (keep === null) return eaCostTable(ctx.enrollment, metric, plan.start, plan.end, ctx.csvSchema);
      return mcaCostTable(ctx.mca!, metric, plan.start, plan.end, keep);
    }
    case 'FocusCost':
      return focusTable(scopeRows(ctx, keep), plan.start, plan.end, dataVersion);
    case 'PriceSheet':
      return priceSheetTable(scopeRows(ctx, keep), plan.month, plan.end);
    case 'ReservationDetails':
      return reservationDetailsTable(scopeRows(ctx, keep), plan.start, plan.end, keep);
    case 'ReservationTransactions':
      return reservationTransactionsTable(scopeRows(ctx, keep), plan.start, plan.end, ctx.enrollment.opts.enrollmentNumber);
    case 'ReservationRecommendations':
      return recommendationsTable(keep === null ? 'EA' : 'MCA', keep, plan.month, 'USD');
  }
}
