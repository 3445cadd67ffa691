/** MCA cost details CSV rendering (65 columns of dataset 2023-12-01-preview), one line at a time. */
import {csvField, DateStyle, fmtDate, tagsText} from './csv';
import {monthEnd, monthStart} from './dates';
import {McaRow} from './mca';
import {MCA_COLUMNS} from './mca-columns';
import {hash32} from './prng';

export const MCA_HEADER = MCA_COLUMNS.join(',') + '\n';

/** Date style of a month's MCA reports (per month, so any slicing of a day reads the same). */
export function mcaDateStyle(streamSeed: number, month: string): DateStyle {
  const styles: DateStyle[] = ['us', 'iso', 'isoDateTime'];
  return styles[hash32(streamSeed, 'datestyle', month) % 3];
}

const DATES = new Map<string, [string, string, string]>();

function datesOf(day: string, style: DateStyle): [string, string, string] {
  const key = style + day;
  let d = DATES.get(key);
  if (!d) {
    d = [fmtDate(day, style), fmtDate(monthStart(day), style), fmtDate(monthEnd(day), style)];
    if (DATES.size < 50_000) DATES.set(key, d);
  }
  return d;
}

export function mcaCsvLine(r: McaRow, style: DateStyle): string {
  const c = r.c;
  const d = datesOf(r.day, style);
  c.date = r.badDate !== undefined ? r.badDate : d[0];
  c.billingPeriodStartDate = d[1];
  c.billingPeriodEndDate = d[2];
  c.servicePeriodStartDate = d[1];
  c.servicePeriodEndDate = d[2];
  c.exchangeRateDate = d[1];
  c.tags = tagsText(r, r.tagsStyle);
  let s = csvField(c[MCA_COLUMNS[0]]);
  for (let i = 1; i < MCA_COLUMNS.length; i++) s += ',' + csvField(c[MCA_COLUMNS[i]]);
  return s + '\n';
}
