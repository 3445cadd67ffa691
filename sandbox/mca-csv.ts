/** MCA cost details CSV rendering (65 columns of dataset 2023-12-01-preview), one line at a time. */
import {datesOf, DateStyle, joinFields, tagsText} from './csv';
import {McaRow} from './mca';
import {MCA_COLUMNS} from './mca-columns';
import {hash32} from './prng';

export const MCA_HEADER = MCA_COLUMNS.join(',') + '\n';

/** Date style of a month's MCA reports (per month, so any slicing of a day reads the same). */
export function mcaDateStyle(streamSeed: number, month: string): DateStyle {
  const styles: DateStyle[] = ['us', 'iso', 'isoDateTime'];
  return styles[hash32(streamSeed, 'datestyle', month) % 3];
}

/** Writes a row's dates (in the file's style) and tags into its columns; CSV and exports share it. */
export function fillMcaCells(r: McaRow, style: DateStyle): McaRow['c'] {
  const c = r.c;
  const d = datesOf(r.day, style);
  c.date = r.badDate !== undefined ? r.badDate : d[0];
  c.billingPeriodStartDate = d[1];
  c.billingPeriodEndDate = d[2];
  c.servicePeriodStartDate = d[1];
  c.servicePeriodEndDate = d[2];
  c.exchangeRateDate = d[1];
  c.tags = tagsText(r, r.tagsStyle);
  return c;
}

export function mcaCsvLine(r: McaRow, style: DateStyle): string {
  return joinFields(fillMcaCells(r, style), MCA_COLUMNS);
}
