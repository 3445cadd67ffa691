/**
 * FocusCost export rows to focus_costs records (docs/design.md §15): columns by name, whatever
 * the dataset version (1.0-preview(v1), 1.0, 1.0r2, 1.2-preview, 1.2, or one not seen before);
 * values to FOCUS types; the few renames between versions filled both ways. Each row also gets a
 * usage-record view of itself, so enrichment and tracking rules apply as on the other streams.
 */
import {createHash} from 'crypto';

import {parseAdditionalInfo, parseTags} from '../decode/json-strings';
import {parseBoolean, parseDate, parseNumber} from '../decode/values';
import {addDays} from '../dates';
import {FIELD_NAMES} from '../normalize/fields';
import {SourceApi, UsageRecord} from '../normalize/usage-record';
import {COLUMN_TYPES, ExtraType, OWN_COLUMNS, RECORD_COLUMNS} from './columns';
import {chargeCategory, termMonths} from './convert';
import {lookupService} from './lookups';
import {emptyFocusRecord, FocusRecord} from './record';

/** FocusCost dataset versions Microsoft has published (exportConfig.dataVersion). */
export const KNOWN_FOCUS_VERSIONS: readonly string[] = ['1.0-preview(v1)', '1.0', '1.0r2', '1.2-preview', '1.2'];

export function isKnownFocusVersion(version: string): boolean {
  return KNOWN_FOCUS_VERSIONS.includes(version.trim());
}

/** The WARN for a version never seen before: read by name, not refused. */
export function unknownFocusVersionWarning(version: string, exportName: string): string {
  return (
    `The FocusCost export "${exportName}" is dataset version "${version}", which this connector does not know ` +
    `(known: ${KNOWN_FOCUS_VERSIONS.join(', ')}); its columns are read by name and columns it does not know are passed through as text.`
  );
}

/** x_SourceDataset of an export's records, e.g. `FocusCost 1.0r2 export`. */
export function focusExportDataset(version: string): string {
  return `FocusCost ${version.trim() || 'unknown'} export`;
}

/** Older column names → their FOCUS 1.2 name (1.0-preview and earlier). */
const RENAMED: Record<string, string> = {
  amortizedcost: 'EffectiveCost',
  usagequantity: 'ConsumedQuantity',
  usageunit: 'ConsumedUnit',
  region: 'RegionName',
};

export type FocusExportNormalized =
  | {record: UsageRecord; focus: FocusRecord; rejected?: undefined}
  | {record?: undefined; focus?: undefined; rejected: string};

const REJECT_DATE: FocusExportNormalized = Object.freeze({rejected: 'unusable ChargePeriodStart'});
const REJECT_COST: FocusExportNormalized = Object.freeze({rejected: 'missing or unparseable BilledCost/EffectiveCost'});
const REJECT_FIELD_COUNT: FocusExportNormalized = Object.freeze({rejected: 'wrong number of fields'});

const OWN = new Set(OWN_COLUMNS.map(([n]) => n));
const BY_LOWER = new Map(RECORD_COLUMNS.filter(([n]) => !OWN.has(n)).map(([n]) => [n.toLowerCase(), n]));

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A date-time as FOCUS writes it: `YYYY-MM-DDTHH:MM:SSZ`. Reads 1.0r2/1.2's form (with seconds),
 * 1.0's (`2024-01-01T00:00Z`), fractions, offsets, a space for the `T`, and a bare day; null when
 * empty, undefined when unreadable.
 */
export function focusDateTime(raw: string | null): string | null | undefined {
  if (raw === null) return null;
  const s = raw.trim();
  if (s === '') return null;
  const m = DATE_TIME.exec(s);
  if (m) {
    const [, day, hh, mm, ss = '00', , zone] = m;
    if (!zone || zone === 'Z' || /^[+-]00:?00$/.test(zone)) {
      const iso = `${day}T${hh}:${mm}:${ss}Z`;
      return Number.isNaN(Date.parse(iso)) ? undefined : iso;
    }
    const t = Date.parse(`${day}T${hh}:${mm}:${ss}${zone.length === 5 ? zone.slice(0, 3) + ':' + zone.slice(3) : zone}`);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString().replace(/\.000Z$/, 'Z');
  }
  const day = parseDate(s);
  return day ? `${day}T00:00:00Z` : undefined;
}

interface Column {
  index: number;
  name: string;
  type: ExtraType | 'Text';
}

function sha32(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/**
 * Filled in when the month is invoiced, or refreshed with the rate: not identifying, so a charge
 * keeps its id across the month's close (as `invoice_id` and `exchange_rate_date`, docs/design.md §5).
 */
const NOT_IDENTIFYING = new Set(['InvoiceId', 'x_InvoiceId', 'x_BillingExchangeRateDate']);

/** Columns that identify an export row: every one but the measures (Decimal), ours and NOT_IDENTIFYING (docs/design.md §15). */
function identifying(name: string, type: ExtraType | 'Text'): boolean {
  return type !== 'Decimal' && type !== 'Integer' && !OWN.has(name) && !NOT_IDENTIFYING.has(name);
}

/** The provisional id of an export row: 32 hex chars of SHA-256 over its identifying columns. */
export function focusRowHash(f: FocusRecord, extra: readonly string[]): string {
  let s = '';
  for (const [name, type] of RECORD_COLUMNS) {
    if (!identifying(name, type)) continue;
    const v = f[name];
    s += (v === null || v === undefined ? '\u0000' : typeof v === 'object' ? JSON.stringify(v) : String(v)) + '\u001f';
  }
  for (const name of extra) s += name + '=' + String(f[name] ?? '\u0000') + '\u001f';
  return sha32(s);
}

function emptyUsageRecord(): UsageRecord {
  const r: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) r[name] = null;
  r.parse_errors = [];
  return r as unknown as UsageRecord;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function day(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, 10) : null;
}

function stripPrefixes(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k.startsWith('x_') ? k.slice(2) : k] = v;
  return out;
}

/** Cost Details' ChargeType of a FOCUS row, for the enrichment rules that read it. */
function chargeTypeOf(f: FocusRecord): string | null {
  if (f.ChargeClass === 'Correction') return 'Refund';
  if (f.ChargeCategory === 'Usage' && f.CommitmentDiscountStatus === 'Unused') {
    return f.CommitmentDiscountCategory === 'Spend' ? 'UnusedSavingsPlan' : 'UnusedReservation';
  }
  return str(f.ChargeCategory);
}

function pricingModelOf(f: FocusRecord): string | null {
  switch (f.PricingCategory) {
    case 'Standard':
    case 'On-Demand':
      return 'OnDemand';
    case 'Dynamic':
    case 'Spot':
      return 'Spot';
    case 'Committed':
    case 'Commitment-Based':
      return f.CommitmentDiscountType === 'Savings Plan' ? 'SavingsPlan' : 'Reservation';
  }
  return null;
}

/** The usage record view of a FOCUS row: what enrichment and tracking rules read (docs/focus.md). */
function usageView(f: FocusRecord, sourceApi: SourceApi): UsageRecord {
  const r = emptyUsageRecord();
  const info = (f.x_SkuDetails as Record<string, unknown> | null) ?? (f.SkuPriceDetails ? stripPrefixes(f.SkuPriceDetails as Record<string, unknown>) : null);
  const u = r as unknown as Record<string, unknown>;
  u.id = '';
  u.usage_date = day(f.ChargePeriodStart);
  u.billing_period_start = day(f.BillingPeriodStart);
  u.billing_period_end = typeof f.BillingPeriodEnd === 'string' ? addDays(f.BillingPeriodEnd.slice(0, 10), -1) : null;
  u.billing_account_id = str(f.x_BillingAccountId) ?? str(f.BillingAccountId);
  u.billing_account_name = str(f.x_BillingAccountName) ?? str(f.BillingAccountName);
  u.billing_profile_id = str(f.x_BillingProfileId);
  u.billing_profile_name = str(f.x_BillingProfileName);
  u.metric = 'amortized';
  u.source_api = sourceApi;
  u.account_id = str(f.x_AccountId);
  u.account_name = str(f.x_AccountName);
  u.account_owner = str(f.x_AccountOwnerId);
  u.cost_center = str(f.x_CostCenter);
  u.subscription_id = str(f.SubAccountId);
  u.subscription_name = str(f.SubAccountName);
  u.resource_id = str(f.ResourceId);
  u.resource_name = str(f.ResourceName);
  u.resource_group = str(f.x_ResourceGroupName);
  u.resource_type = str(f.x_ResourceType)?.toLowerCase() ?? null;
  u.resource_location = str(f.RegionName) ?? str(f.RegionId);
  u.meter_id = str(f.x_SkuMeterId);
  u.meter_name = str(f.x_SkuMeterName) ?? str(f.SkuMeter);
  u.meter_category = str(f.x_SkuMeterCategory);
  u.meter_subcategory = str(f.x_SkuMeterSubcategory);
  u.meter_region = str(f.x_SkuRegion);
  u.service_family = str(f.x_SkuServiceFamily);
  u.product_name = str(f.x_SkuDescription) ?? str(f.ChargeDescription);
  u.part_number = str(f.x_SkuPartNumber);
  u.unit_of_measure = str(f.x_PricingUnitDescription) ?? str(f.PricingUnit);
  u.quantity = (f.ConsumedQuantity as number | null) ?? (f.PricingQuantity as number | null);
  u.effective_price = f.x_EffectiveUnitPrice;
  u.unit_price = f.ContractedUnitPrice;
  u.payg_price = f.ListUnitPrice;
  u.cost = f.EffectiveCost;
  u.billing_currency = str(f.BillingCurrency);
  u.charge_type = chargeTypeOf(f);
  u.frequency = f.ChargeFrequency === 'One-Time' ? 'OneTime' : f.ChargeFrequency === 'Usage-Based' ? 'UsageBased' : str(f.ChargeFrequency);
  u.pricing_model = pricingModelOf(f);
  u.publisher_type = str(f.x_PublisherCategory);
  u.publisher_name = str(f.PublisherName);
  u.plan_name = str(f.x_SkuPlanName);
  u.offer_id = str(f.x_SkuOfferId);
  u.is_azure_credit_eligible = typeof f.x_SkuIsCreditEligible === 'boolean' ? f.x_SkuIsCreditEligible : null;
  u.benefit_id = str(f.CommitmentDiscountId);
  u.benefit_name = str(f.CommitmentDiscountName);
  u.product_order_id = str(f.x_SkuOrderId);
  u.product_order_name = str(f.x_SkuOrderName);
  u.term = f.x_SkuTerm === null ? null : String(f.x_SkuTerm);
  u.cost_allocation_rule_name = str(f.x_CostAllocationRuleName);
  u.availability_zone = str(f.AvailabilityZone);
  u.tags = f.Tags;
  u.additional_info = info;
  u.agreement = f.BillingAccountType === 'Billing Profile' ? 'MCA' : 'EA';
  u.invoice_id = str(f.InvoiceId);
  u.invoice_section_id = str(f.x_InvoiceSectionId);
  u.invoice_section_name = str(f.x_InvoiceSectionName);
  u.reseller_name = str(f.x_ResellerName);
  u.reseller_mpn_id = str(f.x_ResellerId);
  u.publisher_id = str(f.x_PublisherId);
  u.pricing_currency = str(f.PricingCurrency);
  u.cost_in_usd = f.x_EffectiveCostInUsd;
  u.exchange_rate_pricing_to_billing = f.x_BillingExchangeRate;
  u.provider = str(f.ProviderName);
  u.tracking = {};
  u.tracking_rules = [];
  return r;
}

/** Fills a column from its older or newer name when the row has only one of them. */
function fillRenames(f: FocusRecord): void {
  const pairs: Array<[string, string]> = [
    ['InvoiceId', 'x_InvoiceId'],
    ['PricingCurrency', 'x_PricingCurrency'],
    ['SkuMeter', 'x_SkuMeterName'],
  ];
  for (const [a, b] of pairs) {
    if (f[a] === null) f[a] = f[b];
    if (f[b] === null) f[b] = f[a];
  }
  if (f.SkuPriceDetails === null && f.x_SkuDetails !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(f.x_SkuDetails as Record<string, unknown>)) out[k.startsWith('x_') ? k : 'x_' + k] = v;
    f.SkuPriceDetails = out;
  }
}

/** FOCUS 1.0-preview's values and columns, in 1.2's terms. */
function fromPreview(f: FocusRecord, sub: string | null): void {
  const pc: Record<string, string> = {'On-Demand': 'Standard', Spot: 'Dynamic', 'Commitment-Based': 'Committed'};
  if (typeof f.PricingCategory === 'string' && pc[f.PricingCategory]) f.PricingCategory = pc[f.PricingCategory];
  if (sub !== null) {
    const s = sub.toLowerCase();
    if (f.ChargeClass === null && s === 'refund') f.ChargeClass = 'Correction';
    if (f.CommitmentDiscountStatus === null && s === 'used commitment') f.CommitmentDiscountStatus = 'Used';
    if (f.CommitmentDiscountStatus === null && s === 'unused commitment') f.CommitmentDiscountStatus = 'Unused';
  }
  const known = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'];
  if (typeof f.ChargeCategory === 'string' && !known.includes(f.ChargeCategory)) f.ChargeCategory = chargeCategory(f.ChargeCategory);
}

/**
 * A row normalizer for one FocusCost header. Rows without a usable ChargePeriodStart or without
 * both costs are rejected (counted, not emitted), as usage rows without a date or cost are.
 */
export function focusExportRowNormalizer(header: readonly string[], sourceApi: SourceApi): (row: string[]) => FocusExportNormalized {
  const columns: Column[] = [];
  const extra: string[] = [];
  let subcategory = -1;
  header.forEach((raw, index) => {
    const h = raw.replace(/^\uFEFF/, '').trim();
    const lower = h.toLowerCase();
    if (lower === 'chargesubcategory') subcategory = index;
    const name = BY_LOWER.get(lower) ?? RENAMED[lower];
    if (name !== undefined) {
      if (!columns.some((c) => c.name === name)) columns.push({index, name, type: COLUMN_TYPES.get(name) ?? 'String'});
      return;
    }
    if (h === '' || OWN.has(h)) return;
    columns.push({index, name: h, type: 'Text'});
    extra.push(h);
  });
  extra.sort();
  const width = header.length;
  return (row: string[]): FocusExportNormalized => {
    if (row.length !== width) return REJECT_FIELD_COUNT;
    const f = emptyFocusRecord();
    const errors: string[] = [];
    for (const c of columns) {
      const raw = row[c.index];
      const cell = raw === undefined || raw === '' ? null : raw;
      switch (c.type) {
        case 'Decimal':
        case 'Integer': {
          // x_SkuTerm: months, also when written as an ISO duration (P1Y)
          const n = c.name === 'x_SkuTerm' && cell !== null && parseNumber(cell) === undefined ? (termMonths(cell) ?? undefined) : parseNumber(cell);
          if (n === undefined) errors.push(c.name);
          f[c.name] = n ?? null;
          break;
        }
        case 'DateTime': {
          const d = focusDateTime(cell);
          if (d === undefined) errors.push(c.name);
          f[c.name] = d ?? null;
          break;
        }
        case 'Boolean': {
          const b = parseBoolean(cell);
          if (b === undefined) errors.push(c.name);
          f[c.name] = b ?? null;
          break;
        }
        case 'JSON': {
          const decoded = c.name === 'Tags' ? parseTags(cell) : parseAdditionalInfo(cell);
          if (decoded.error) errors.push(c.name);
          f[c.name] = decoded.value;
          break;
        }
        default:
          f[c.name] = cell === null ? null : cell.trim() === '' ? null : cell;
      }
    }
    if (typeof f.ChargePeriodStart !== 'string') return REJECT_DATE;
    if (typeof f.EffectiveCost !== 'number' || typeof f.BilledCost !== 'number') return REJECT_COST;
    if (f.ChargePeriodEnd === null) f.ChargePeriodEnd = `${addDays(f.ChargePeriodStart.slice(0, 10), 1)}T00:00:00Z`;
    if (f.Tags === null) f.Tags = {};
    fillRenames(f);
    // FOCUS 1.2 columns older versions lack: Azure's billing accounts and subscriptions
    // (MCA: BillingAccountId is the billing profile, x_BillingAccountId the account above it)
    const profile = f.x_BillingAccountId !== null && f.x_BillingAccountId !== f.BillingAccountId && f.x_BillingProfileId === f.BillingAccountId;
    f.BillingAccountType ??= profile ? 'Billing Profile' : 'Billing Account';
    if (f.SubAccountId !== null) f.SubAccountType ??= 'Subscription';
    fromPreview(f, subcategory >= 0 ? (row[subcategory] || null) : null);
    if (f.ServiceSubcategory === null || f.ServiceCategory === null || f.ServiceName === null) {
      const service = lookupService(null, str(f.x_ResourceType));
      f.ServiceName ??= service?.serviceName ?? str(f.x_SkuMeterCategory) ?? 'Unknown';
      f.ServiceCategory ??= service?.serviceCategory ?? 'Other';
      f.ServiceSubcategory ??= service?.serviceSubcategory ?? 'Other (Other)';
    }
    f.x_ParseErrors = errors;
    const record = usageView(f, sourceApi);
    record.parse_errors = errors;
    f.x_RecordId = focusRowHash(f, extra);
    return {record, focus: f};
  };
}
