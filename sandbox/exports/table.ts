/**
 * An export's rows as a table: header, column types (for Parquet), and rows as the string cells
 * a CSV export holds, each with the day it belongs to and the sums the truth adds up. The cost
 * datasets take their rows from the same generators, in the same order and with the same texts,
 * as the sandbox's Cost Details reports: the same charge has the same values either way.
 */
import {CURRENT_COLUMNS, currentName, LEGACY_COLUMNS} from '../columns';
import {fillEaCells, monthStyle} from '../csv';
import {parseDec} from '../decimal';
import {Enrollment, Metric} from '../enrollment';
import {McaAccount} from '../mca';
import {MCA_COLUMNS} from '../mca-columns';
import {fillMcaCells, mcaDateStyle} from '../mca-csv';
import {interleavedRows} from '../report';

/** A column's type in Parquet: text, or DECIMAL(38, scale) holding the text's exact value. */
export type ColType = 'string' | {decimal: number};

export interface TableRow {
  cells: string[];
  /** The usage day the row counts for; null when its date text is unusable (no day). */
  day: string | null;
  /** One value per Table.sumNames (units of 1e-28, decimal.ts). */
  sums: bigint[];
}

export interface Table {
  header: readonly string[];
  types: readonly ColType[];
  /** What the truth sums per day, e.g. ['cost'] or ['billedCost', 'effectiveCost']. */
  sumNames: readonly string[];
  rows(): Iterable<TableRow>;
}

/** Scale of every DECIMAL column: real cost files carry up to 28 decimals (docs/design.md §14). */
export const DECIMAL_SCALE = 28;
const DEC: ColType = {decimal: DECIMAL_SCALE};

const EA_DECIMALS = new Set<string>(['Quantity', 'EffectivePrice', 'CostInBillingCurrency', 'UnitPrice', 'PayGPrice']);
const MCA_DECIMALS = new Set<string>([
  'effectivePrice', 'quantity', 'costInBillingCurrency', 'costInPricingCurrency', 'costInUsd', 'paygCostInBillingCurrency',
  'paygCostInUsd', 'exchangeRatePricingToBilling', 'PayGPrice', 'unitPrice',
]);

/** EA cost rows of [start, end] (one month), in the month's column set and date style. */
export function eaCostTable(e: Enrollment, metric: Metric, start: string, end: string, csvSchema: 'auto' | 'current' | 'legacy'): Table {
  const style = monthStyle(e.opts.seed, start.slice(0, 7), csvSchema);
  const header = style.schema === 'legacy' ? LEGACY_COLUMNS : CURRENT_COLUMNS;
  const cols = header.map(currentName);
  return {
    header,
    types: cols.map((c) => (EA_DECIMALS.has(c) ? DEC : 'string')),
    sumNames: ['cost'],
    *rows() {
      for (const r of interleavedRows(e, e.opts.seed, metric, start, end)) {
        const c = fillEaCells(r, style);
        yield {cells: cols.map((k) => c[k]), day: r.badDate !== undefined ? null : r.day, sums: [parseDec(c.CostInBillingCurrency)]};
      }
    },
  };
}

/** MCA cost rows of [start, end] (one month) of the subscriptions `keep` accepts. */
export function mcaCostTable(m: McaAccount, metric: Metric, start: string, end: string, keep: (sub: string) => boolean): Table {
  const style = mcaDateStyle(m.streamSeed, start.slice(0, 7));
  return {
    header: MCA_COLUMNS,
    types: MCA_COLUMNS.map((c) => (MCA_DECIMALS.has(c) ? DEC : 'string')),
    sumNames: ['cost'],
    *rows() {
      for (const r of interleavedRows(m, m.streamSeed, metric, start, end, (x) => keep(x.c.SubscriptionId))) {
        const c = fillMcaCells(r, style);
        yield {cells: MCA_COLUMNS.map((k) => c[k]), day: r.badDate !== undefined ? null : r.day, sums: [parseDec(c.costInBillingCurrency)]};
      }
    },
  };
}
