import {parseAdditionalInfo, parseTags} from '../decode/json-strings';
import {
  formatDate,
  normalizeGuid,
  parseBoolean,
  parseDate,
  parseNumber,
  parseString,
  trimIfNeeded,
} from '../decode/values';
import {OTHER_ALIASES, OtherField, resolveColumns, TEXT_ALIASES, TextField} from './aliases';
import {parseResourceId} from './resource-id';
import {Metric, SourceApi, UsageRecord} from './usage-record';

export {IdAssigner, recordHash, identityString, Hash52Set, ID_FIELDS, hashKey} from './id';
export {parseResourceId} from './resource-id';
export type {ResourceIdParts} from './resource-id';
export {headerKey, TEXT_ALIASES, OTHER_ALIASES} from './aliases';

export interface NormalizeContext {
  metric: Metric;
  sourceApi: SourceApi;
}

export type Normalized =
  | {record: UsageRecord; rejected?: undefined}
  | {record?: undefined; rejected: string /* short reason, e.g. 'unusable date' */};

/** Rejection reasons (one shared object each: no allocation per rejected row). */
export const REJECT_FIELD_COUNT: Normalized = Object.freeze({rejected: 'wrong number of fields'});
export const REJECT_DATE: Normalized = Object.freeze({rejected: 'unusable date'});
export const REJECT_NO_COST: Normalized = Object.freeze({rejected: 'missing cost'});
export const REJECT_BAD_COST: Normalized = Object.freeze({rejected: 'unparseable cost'});

/** A CSV cell as text: absent column, empty or blank → null; trimmed only when needed. */
function cell(row: string[], i: number): string | null {
  if (i < 0) return null;
  const v = row[i];
  if (v === undefined || v.length === 0) return null;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  if (a > 32 && b > 32 && a !== 160 && b !== 160) return v;
  const t = trimIfNeeded(v);
  return t.length === 0 ? null : t;
}

/** Column indices for one field: primary and up to two fallbacks, -1 when absent. */
interface Cols {
  a: number;
  b: number;
  c: number;
}

function cols(header: readonly string[], aliases: readonly string[]): Cols {
  const found = resolveColumns(header, aliases);
  return {a: found[0] ?? -1, b: found[1] ?? -1, c: found[2] ?? -1};
}

function pick(row: string[], k: Cols): string | null {
  const v = cell(row, k.a);
  if (v !== null || k.b < 0) return v;
  const w = cell(row, k.b);
  if (w !== null || k.c < 0) return w;
  return cell(row, k.c);
}

/** Day/Month/Year columns of legacy EA usage files → YYYY-MM-DD. */
function dateFromParts(row: string[], d: number, m: number, y: number): string | null | undefined {
  if (d < 0 || m < 0 || y < 0) return null;
  const dd = parseNumber(row[d]);
  const mm = parseNumber(row[m]);
  const yy = parseNumber(row[y]);
  if (typeof dd !== 'number' || typeof mm !== 'number' || typeof yy !== 'number') return undefined;
  if (!Number.isInteger(dd) || !Number.isInteger(mm) || !Number.isInteger(yy)) return undefined;
  return formatDate(yy, mm, dd);
}

/** A parsed value, or null with the field named in `errors` when the text could not be parsed. */
function orError<T>(value: T | null | undefined, field: string, errors: string[]): T | null {
  if (value !== undefined) return value;
  errors.push(field);
  return null;
}

/**
 * Builds the row normalizer for one CSV blob from its header: the header→field mapping is
 * resolved once here (by name, with aliases, case- and punctuation-insensitively — see
 * aliases.ts); unknown columns are ignored and missing ones give null.
 *
 * Per row: wrong field count, no usable date, or no parseable cost → rejected; any other
 * unparseable value → null plus its field name in `parse_errors`.
 */
export function costDetailsRowNormalizer(header: string[], ctx: NormalizeContext): (row: string[]) => Normalized {
  const width = header.length;
  const metric = ctx.metric;
  const sourceApi = ctx.sourceApi;
  const t = {} as Record<TextField, Cols>;
  for (const f of Object.keys(TEXT_ALIASES) as TextField[]) t[f] = cols(header, TEXT_ALIASES[f]);
  const o = {} as Record<OtherField, Cols>;
  for (const f of Object.keys(OTHER_ALIASES) as OtherField[]) o[f] = cols(header, OTHER_ALIASES[f]);

  const cBillingAccountId = t.billing_account_id;
  const cBillingAccountName = t.billing_account_name;
  const cBillingProfileId = t.billing_profile_id;
  const cBillingProfileName = t.billing_profile_name;
  const cDepartmentId = t.department_id;
  const cDepartmentName = t.department_name;
  const cAccountId = t.account_id;
  const cAccountName = t.account_name;
  const cAccountOwner = t.account_owner;
  const cCostCenter = t.cost_center;
  const cSubscriptionId = t.subscription_id;
  const cSubscriptionName = t.subscription_name;
  const cResourceId = t.resource_id;
  const cResourceName = t.resource_name;
  const cResourceGroup = t.resource_group;
  const cResourceLocation = t.resource_location;
  const cConsumedService = t.consumed_service;
  const cMeterId = t.meter_id;
  const cMeterName = t.meter_name;
  const cMeterCategory = t.meter_category;
  const cMeterSubcategory = t.meter_subcategory;
  const cMeterRegion = t.meter_region;
  const cServiceFamily = t.service_family;
  const cProductName = t.product_name;
  const cPartNumber = t.part_number;
  const cUnitOfMeasure = t.unit_of_measure;
  const cBillingCurrency = t.billing_currency;
  const cChargeType = t.charge_type;
  const cFrequency = t.frequency;
  const cPricingModel = t.pricing_model;
  const cPublisherType = t.publisher_type;
  const cPublisherName = t.publisher_name;
  const cPlanName = t.plan_name;
  const cOfferId = t.offer_id;
  const cReservationId = t.reservation_id;
  const cReservationName = t.reservation_name;
  const cBenefitId = t.benefit_id;
  const cBenefitName = t.benefit_name;
  const cProductOrderId = t.product_order_id;
  const cProductOrderName = t.product_order_name;
  const cTerm = t.term;
  const cCostAllocationRuleName = t.cost_allocation_rule_name;
  const cServiceInfo1 = t.service_info1;
  const cServiceInfo2 = t.service_info2;
  const cAvailabilityZone = t.availability_zone;

  const cDate = o.usage_date;
  const iDay = o.day.a;
  const iMonth = o.month.a;
  const iYear = o.year.a;
  const cPeriodStart = o.billing_period_start;
  const cPeriodEnd = o.billing_period_end;
  const cCost = o.cost;
  const cQuantity = o.quantity;
  const cEffectivePrice = o.effective_price;
  const cUnitPrice = o.unit_price;
  const cPaygPrice = o.payg_price;
  const iCreditEligible = o.is_azure_credit_eligible.a;
  const iBilledSeparately = o.charges_billed_separately.a;
  const iTags = o.tags.a;
  const iAdditionalInfo = o.additional_info.a;

  return (row: string[]): Normalized => {
    if (row.length !== width) return REJECT_FIELD_COUNT;

    let usageDate = parseDate(pick(row, cDate));
    if (usageDate === null) usageDate = dateFromParts(row, iDay, iMonth, iYear);
    if (usageDate === null || usageDate === undefined) return REJECT_DATE;

    const costText = pick(row, cCost);
    if (costText === null) return REJECT_NO_COST;
    const cost = parseNumber(costText);
    if (cost === null || cost === undefined) return REJECT_BAD_COST;

    const errors: string[] = [];

    const periodStart = orError(parseDate(pick(row, cPeriodStart)), 'billing_period_start', errors);
    const periodEnd = orError(parseDate(pick(row, cPeriodEnd)), 'billing_period_end', errors);
    const quantity = orError(parseNumber(pick(row, cQuantity)), 'quantity', errors);
    const effectivePrice = orError(parseNumber(pick(row, cEffectivePrice)), 'effective_price', errors);
    const unitPrice = orError(parseNumber(pick(row, cUnitPrice)), 'unit_price', errors);
    const paygPrice = orError(parseNumber(pick(row, cPaygPrice)), 'payg_price', errors);
    let credit = parseBoolean(cell(row, iCreditEligible));
    if (credit === null && iBilledSeparately >= 0) {
      const sep = parseBoolean(cell(row, iBilledSeparately));
      credit = sep === null || sep === undefined ? sep : !sep;
    }
    if (credit === undefined) {
      errors.push('is_azure_credit_eligible');
      credit = null;
    }
    const tags = parseTags(iTags < 0 ? null : row[iTags]);
    if (tags.error) errors.push('tags');
    const info = parseAdditionalInfo(iAdditionalInfo < 0 ? null : row[iAdditionalInfo]);
    if (info.error) errors.push('additional_info');

    const rid = parseResourceId(pick(row, cResourceId));

    const record: UsageRecord = {
      id: '',
      usage_date: usageDate,
      billing_period_start: periodStart,
      billing_period_end: periodEnd,
      billing_account_id: pick(row, cBillingAccountId),
      billing_account_name: pick(row, cBillingAccountName),
      billing_profile_id: pick(row, cBillingProfileId),
      billing_profile_name: pick(row, cBillingProfileName),
      metric,
      source_api: sourceApi,
      department_id: pick(row, cDepartmentId),
      department_name: pick(row, cDepartmentName),
      account_id: pick(row, cAccountId),
      account_name: pick(row, cAccountName),
      account_owner: pick(row, cAccountOwner),
      cost_center: pick(row, cCostCenter),
      subscription_id: normalizeGuid(pick(row, cSubscriptionId)),
      subscription_name: pick(row, cSubscriptionName),
      resource_id: rid.lower,
      resource_name: pick(row, cResourceName) ?? rid.name,
      resource_group: pick(row, cResourceGroup) ?? rid.group,
      resource_type: rid.type,
      resource_location: pick(row, cResourceLocation),
      consumed_service: pick(row, cConsumedService),
      meter_id: normalizeGuid(pick(row, cMeterId)),
      meter_name: pick(row, cMeterName),
      meter_category: pick(row, cMeterCategory),
      meter_subcategory: pick(row, cMeterSubcategory),
      meter_region: pick(row, cMeterRegion),
      service_family: pick(row, cServiceFamily),
      product_name: pick(row, cProductName),
      part_number: pick(row, cPartNumber),
      unit_of_measure: pick(row, cUnitOfMeasure),
      quantity,
      effective_price: effectivePrice,
      unit_price: unitPrice,
      payg_price: paygPrice,
      cost,
      billing_currency: pick(row, cBillingCurrency),
      charge_type: pick(row, cChargeType),
      frequency: pick(row, cFrequency),
      pricing_model: pick(row, cPricingModel),
      publisher_type: pick(row, cPublisherType),
      publisher_name: pick(row, cPublisherName),
      plan_name: pick(row, cPlanName),
      offer_id: pick(row, cOfferId),
      is_azure_credit_eligible: credit,
      reservation_id: normalizeGuid(pick(row, cReservationId)),
      reservation_name: pick(row, cReservationName),
      benefit_id: normalizeGuid(pick(row, cBenefitId)),
      benefit_name: pick(row, cBenefitName),
      product_order_id: normalizeGuid(pick(row, cProductOrderId)),
      product_order_name: pick(row, cProductOrderName),
      term: pick(row, cTerm),
      cost_allocation_rule_name: pick(row, cCostAllocationRuleName),
      service_info1: pick(row, cServiceInfo1),
      service_info2: pick(row, cServiceInfo2),
      availability_zone: pick(row, cAvailabilityZone),
      tags: tags.value,
      additional_info: info.value,
      vm_sku: null,
      vm_vcpus: null,
      vm_os: null,
      vm_priority: null,
      aks_cluster: null,
      aks_cluster_resource_group: null,
      aks_node_pool: null,
      tracking: {},
      tracking_rules: [],
      parse_errors: errors,
    };
    return {record};
  };
}

/** First non-empty text among JSON values (numbers are stringified: EA ids are numbers). */
function jtext(a: unknown, b?: unknown): string | null {
  const v = parseString(a);
  if (v !== null || b === undefined) return v;
  return parseString(b);
}

/**
 * One EA Reporting API v3 usage-details row (camelCase JSON) → record, following
 * Microsoft's EA → cost details migration mapping:
 * departmentId/departmentName → department_id/name (InvoiceSectionId/Name),
 * subscriptionGuid → subscription_id (the numeric subscriptionId only as a fallback),
 * instanceId → resource_id, product → product_name, accountOwnerEmail → account_owner,
 * cost (or extendedCost) → cost, consumedQuantity → quantity, resourceRate → effective_price,
 * serviceName/serviceTier → meter_category/meter_subcategory when those are missing,
 * resourceGuid → meter_id when meterId is missing, resourceLocation (else location) →
 * resource_location, chargesBilledSeparately → NOT is_azure_credit_eligible.
 * The EA API has no billing account/profile, currency, prices, charge type or pricing model
 * columns: those stay null unless the row carries them under their new names.
 */
export function normalizeEaRow(row: Record<string, unknown>, ctx: NormalizeContext): Normalized {
  if (row === null || typeof row !== 'object') return REJECT_FIELD_COUNT;
  const usageDate = parseDate(row.date ?? row.usageDate);
  if (usageDate === null || usageDate === undefined) return REJECT_DATE;
  const rawCost = row.cost ?? row.extendedCost ?? row.costInBillingCurrency;
  const cost = parseNumber(rawCost);
  if (cost === null) return REJECT_NO_COST;
  if (cost === undefined) return REJECT_BAD_COST;

  const errors: string[] = [];
  const periodStart = orError(parseDate(row.billingPeriodStartDate), 'billing_period_start', errors);
  const periodEnd = orError(parseDate(row.billingPeriodEndDate), 'billing_period_end', errors);
  const quantity = orError(parseNumber(row.consumedQuantity ?? row.quantity), 'quantity', errors);
  const effectivePrice = orError(parseNumber(row.resourceRate ?? row.effectivePrice), 'effective_price', errors);
  const unitPrice = orError(parseNumber(row.unitPrice), 'unit_price', errors);
  const paygPrice = orError(parseNumber(row.payGPrice), 'payg_price', errors);
  let credit = parseBoolean(row.isAzureCreditEligible);
  if (credit === null) {
    const sep = parseBoolean(row.chargesBilledSeparately);
    credit = sep === null || sep === undefined ? sep : !sep;
  }
  if (credit === undefined) {
    errors.push('is_azure_credit_eligible');
    credit = null;
  }
  const tags = parseTags(row.tags);
  if (tags.error) errors.push('tags');
  const info = parseAdditionalInfo(row.additionalInfo);
  if (info.error) errors.push('additional_info');

  const rid = parseResourceId(jtext(row.instanceId, row.resourceId));

  const record: UsageRecord = {
    id: '',
    usage_date: usageDate,
    billing_period_start: periodStart,
    billing_period_end: periodEnd,
    billing_account_id: jtext(row.billingAccountId, row.enrollmentNumber),
    billing_account_name: jtext(row.billingAccountName),
    billing_profile_id: jtext(row.billingProfileId),
    billing_profile_name: jtext(row.billingProfileName),
    metric: ctx.metric,
    source_api: ctx.sourceApi,
    department_id: jtext(row.departmentId, row.invoiceSectionId),
    department_name: jtext(row.departmentName, row.invoiceSectionName),
    account_id: jtext(row.accountId),
    account_name: jtext(row.accountName),
    account_owner: jtext(row.accountOwnerEmail, row.accountOwnerId),
    cost_center: jtext(row.costCenter),
    subscription_id: normalizeGuid(jtext(row.subscriptionGuid, row.subscriptionId)),
    subscription_name: jtext(row.subscriptionName),
    resource_id: rid.lower,
    resource_name: jtext(row.resourceName) ?? rid.name,
    resource_group: jtext(row.resourceGroup) ?? rid.group,
    resource_type: rid.type,
    resource_location: jtext(row.resourceLocation, row.location),
    consumed_service: jtext(row.consumedService),
    meter_id: normalizeGuid(jtext(row.meterId, row.resourceGuid)),
    meter_name: jtext(row.meterName),
    meter_category: jtext(row.meterCategory, row.serviceName),
    meter_subcategory: jtext(row.meterSubCategory ?? row.meterSubcategory, row.serviceTier),
    meter_region: jtext(row.meterRegion),
    service_family: jtext(row.serviceFamily),
    product_name: jtext(row.product, row.productName),
    part_number: jtext(row.partNumber),
    unit_of_measure: jtext(row.unitOfMeasure),
    quantity,
    effective_price: effectivePrice,
    unit_price: unitPrice,
    payg_price: paygPrice,
    cost,
    billing_currency: jtext(row.billingCurrency ?? row.billingCurrencyCode, row.currency),
    charge_type: jtext(row.chargeType),
    frequency: jtext(row.frequency),
    pricing_model: jtext(row.pricingModel),
    publisher_type: jtext(row.publisherType),
    publisher_name: jtext(row.publisherName),
    plan_name: jtext(row.planName),
    offer_id: jtext(row.offerId),
    is_azure_credit_eligible: credit,
    reservation_id: normalizeGuid(jtext(row.reservationId)),
    reservation_name: jtext(row.reservationName),
    benefit_id: normalizeGuid(jtext(row.benefitId)),
    benefit_name: jtext(row.benefitName),
    product_order_id: normalizeGuid(jtext(row.productOrderId)),
    product_order_name: jtext(row.productOrderName),
    term: jtext(row.term),
    cost_allocation_rule_name: jtext(row.costAllocationRuleName),
    service_info1: jtext(row.serviceInfo1),
    service_info2: jtext(row.serviceInfo2),
    availability_zone: jtext(row.availabilityZone),
    tags: tags.value,
    additional_info: info.value,
    vm_sku: null,
    vm_vcpus: null,
    vm_os: null,
    vm_priority: null,
    aks_cluster: null,
    aks_cluster_resource_group: null,
    aks_node_pool: null,
    tracking: {},
    tracking_rules: [],
    parse_errors: errors,
  };
  return {record};
}
