/**
 * EA Reporting API (v3 usagedetailsbycustomdate) pages. Actual cost only; camelCase rows as
 * in Microsoft's sample. Paging position (day index, slot) travels in the skiptoken, so any
 * page is produced without generating the pages before it.
 */
import {ACCOUNTS, DEPARTMENTS, SUBSCRIPTIONS} from './catalog';
import {listDays} from './dates';
import {Enrollment, UsageRow} from './enrollment';
import {hash32} from './prng';

export interface EaPosition {
  day: number; // index into the range's days
  slot: number;
}

export interface EaPage {
  rows: string[]; // JSON text of each row
  next: EaPosition | null;
}

const SUB_BY_GUID = new Map(SUBSCRIPTIONS.map((s) => [s.guid, s]));
const DEPT_BY_ID = new Map(DEPARTMENTS.map((d) => [d.id, d]));
const ACCT_BY_ID = new Map(ACCOUNTS.map((a) => [a.id, a]));

export function encodeSkipToken(p: EaPosition): string {
  return Buffer.from(`${p.day}:${p.slot}`).toString('base64url');
}

export function decodeSkipToken(t: string): EaPosition | null {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(t, 'base64url').toString('utf8'));
  return m ? {day: +m[1], slot: +m[2]} : null;
}

/** A raw decimal string is already a valid JSON number literal; keep all its digits. */
function num(v: string): string {
  return v === '' ? 'null' : v;
}

function str(v: string): string {
  return JSON.stringify(v);
}

function nullable(v: string): string {
  return v === '' ? 'null' : JSON.stringify(v);
}

function fullTags(r: UsageRow): string {
  if (r.tagsRaw !== undefined) return JSON.stringify(r.tagsRaw);
  if (r.tags.length === 0) return 'null';
  const o: Record<string, string> = {};
  for (const [k, v] of r.tags) o[k] = v;
  return JSON.stringify(JSON.stringify(o));
}

export function eaRowJson(r: UsageRow): string {
  const c = r.c;
  const sub = SUB_BY_GUID.get(c.SubscriptionId);
  const date = r.badDate !== undefined ? r.badDate : `${r.day}T00:00:00`;
  const h = hash32('product', c.ProductName);
  return '{' +
    `"serviceName":${str(c.MeterCategory)},"serviceTier":${str(c.MeterSubCategory)},"location":${str(c.MeterRegion)},` +
    `"chargesBilledSeparately":${c.PublisherType === 'Marketplace'},"partNumber":${str(c.PartNumber)},"resourceGuid":${str(c.MeterId)},` +
    `"offerId":${str(c.OfferId)},"cost":${num(c.CostInBillingCurrency)},"accountId":${ACCT_BY_ID.has(c.AccountId) ? c.AccountId : 'null'},` +
    `"productId":${h % 100000},"resourceLocationId":${hash32('loc', c.ResourceLocationNormalized) % 100},"consumedServiceId":${hash32('cs', c.ConsumedService) % 50},` +
    `"departmentId":${DEPT_BY_ID.has(c.InvoiceSectionId) ? c.InvoiceSectionId : 'null'},"accountOwnerEmail":${str(c.AccountOwnerId)},"accountName":${str(c.AccountName)},` +
    `"serviceAdministratorId":"","subscriptionId":${sub ? sub.legacyId : 0},"subscriptionGuid":${str(c.SubscriptionId)},` +
    `"subscriptionName":${str(c.SubscriptionName)},"date":${str(date)},"product":${str(c.ProductName)},"meterId":${str(c.MeterId)},` +
    `"meterCategory":${str(c.MeterCategory)},"meterSubCategory":${str(c.MeterSubCategory)},"meterRegion":${str(c.MeterRegion)},` +
    `"meterName":${str(c.MeterName)},"consumedQuantity":${num(c.Quantity)},"resourceRate":${num(c.EffectivePrice)},` +
    `"resourceLocation":${str(c.ResourceLocation)},"consumedService":${str(c.ConsumedService)},"instanceId":${str(c.ResourceId)},` +
    `"serviceInfo1":${nullable(c.ServiceInfo1)},"serviceInfo2":${nullable(c.ServiceInfo2)},"additionalInfo":${nullable(c.AdditionalInfo)},` +
    `"tags":${fullTags(r)},"storeServiceIdentifier":null,"departmentName":${str(c.InvoiceSectionName)},"costCenter":${nullable(c.CostCenter)},` +
    `"unitOfMeasure":${str(c.UnitOfMeasure)},"resourceGroup":${str(c.ResourceGroup)}` +
    '}';
}

/**
 * One page from `pos`. Pages never run across a day without data: such a day in the middle of a
 * range yields an empty page with a nextLink (clients must keep following it).
 */
export function eaPage(e: Enrollment, start: string, end: string, pos: EaPosition, pageSize: number): EaPage {
  const days = listDays(start, end);
  const rows: string[] = [];
  let d = pos.day;
  let s = pos.slot;
  while (d < days.length && rows.length < pageSize) {
    const n = e.slotCount(days[d], 'actual');
    if (n === 0) {
      if (rows.length > 0) break;
      const firstWithData = days.findIndex((x) => e.slotCount(x, 'actual') > 0);
      const lastWithData = days.length - 1 - [...days].reverse().findIndex((x) => e.slotCount(x, 'actual') > 0);
      d++;
      s = 0;
      // Only empty days between days with data produce an empty page; leading/trailing are skipped.
      if (firstWithData >= 0 && d - 1 > firstWithData && d - 1 < lastWithData) return {rows, next: {day: d, slot: 0}};
      continue;
    }
    while (s < n && rows.length < pageSize) {
      const r = e.row(days[d], s, 'actual');
      if (r) rows.push(eaRowJson(r));
      s++;
    }
    if (s >= n) {
      d++;
      s = 0;
    }
  }
  const more = days.slice(d).some((x) => e.slotCount(x, 'actual') > 0);
  return {rows, next: more ? {day: d, slot: s} : null};
}
