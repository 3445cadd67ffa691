/**
 * Cost Details rows to FOCUS records (docs/design.md §15, docs/focus.md): Microsoft's conversion
 * ("convert to FOCUS", FinOps toolkit) applied to the normalized usage record, with the few
 * departures docs/focus.md lists (each one keeps the cost invariants or a FOCUS rule).
 */
import {addDays, addMonths} from '../dates';
import {UsageRecord} from '../normalize/usage-record';
import {emptyFocusRecord, FocusRecord, isoDateTime} from './record';
import {lookupPricingUnit, lookupService} from './lookups';

const COMMITMENT_MODELS = new Set(['reservation', 'savingsplan', 'savings plan']);

function lower(s: string | null): string {
  return s === null ? '' : s.toLowerCase();
}

function isCommitmentModel(r: UsageRecord): boolean {
  return COMMITMENT_MODELS.has(lower(r.pricing_model));
}

/** A commitment's purchase or refund (reservation or savings plan). */
export function isCommitmentPurchase(r: UsageRecord): boolean {
  const t = lower(r.charge_type);
  return (t === 'purchase' || t === 'refund') && isCommitmentModel(r);
}

function isUnusedCommitment(r: UsageRecord): boolean {
  const t = lower(r.charge_type);
  return t === 'unusedreservation' || t === 'unusedsavingsplan';
}

/**
 * Which rows the conversion keeps: every AmortizedCost row, and the ActualCost rows that are a
 * commitment's purchase or refund (their amortized copies are spread over the usage they cover).
 */
export function keepForFocus(r: UsageRecord): boolean {
  return r.metric === 'amortized' || isCommitmentPurchase(r);
}

const CHARGE_CATEGORIES: Record<string, string> = {
  usage: 'Usage',
  purchase: 'Purchase',
  credit: 'Credit',
  tax: 'Tax',
  unusedreservation: 'Usage',
  unusedsavingsplan: 'Usage',
  refund: 'Purchase',
};

export function chargeCategory(chargeType: string | null): string {
  return CHARGE_CATEGORIES[lower(chargeType)] ?? 'Adjustment';
}

/** FOCUS ChargeFrequency: Azure's Frequency; when it is missing or unknown, from the charge's category. */
export function chargeFrequency(frequency: string | null, category: string): string {
  switch (lower(frequency)) {
    case 'onetime':
      return 'One-Time';
    case 'recurring':
      return 'Recurring';
    case 'usagebased':
      return 'Usage-Based';
  }
  return category === 'Usage' ? 'Usage-Based' : 'One-Time';
}

export function pricingCategory(pricingModel: string | null): string | null {
  const m = lower(pricingModel);
  if (m === 'ondemand') return 'Standard';
  if (m === 'spot') return 'Dynamic';
  if (COMMITMENT_MODELS.has(m)) return 'Committed';
  return null;
}

/** Commitment columns from BenefitId (or ReservationId, which older EA rows carry alone). */
function commitment(r: UsageRecord): {id: string | null; category: string | null; type: string | null} {
  const id = r.benefit_id ?? r.reservation_id;
  if (id === null) return {id: null, category: null, type: null};
  const l = id.toLowerCase();
  if (l.includes('/microsoft.billingbenefits/')) return {id, category: 'Spend', type: 'Savings Plan'};
  if (l.includes('/microsoft.capacity/') || r.benefit_id === null) return {id, category: 'Usage', type: 'Reservation'};
  return {id, category: null, type: null};
}

/** A product rounded to 15 significant digits: no binary noise such as 0.30000000000000004. */
function product(a: number, b: number): number {
  return Number((a * b).toPrecision(15));
}

function quotient(a: number, b: number): number {
  return b === 1 ? a : Number((a / b).toPrecision(15));
}

/** Whether two amounts agree to 1 part in 10,000 (far apart when a block size is in between). */
function agrees(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The quantity in pricing blocks (docs/focus.md, "Block-priced meters"). Microsoft's conversion
 * divides Quantity by the block size, i.e. reads Quantity as distinct units priced per block; a
 * row whose cost already equals its price times Quantity carries the quantity in blocks, and
 * dividing it again would make its list and contracted costs block-size times too small. The
 * row's own cost decides; when it cannot (no price, a zero cost), Microsoft's rule stands.
 * Returns the pricing quantity (blocks) and the consumed quantity (distinct units).
 */
export function blocksOf(quantity: number, block: number, r: Pick<UsageRecord, 'cost' | 'effective_price' | 'unit_price'>): {pricing: number; consumed: number} {
  if (block === 1) return {pricing: quantity, consumed: quantity};
  const price = r.effective_price ?? r.unit_price;
  if (price !== null && price !== 0 && r.cost !== 0) {
    const cost = Math.abs(r.cost);
    if (agrees(Math.abs(price * quantity), cost) && !agrees(Math.abs((price * quantity) / block), cost)) return {pricing: quantity, consumed: product(quantity, block)};
  }
  return {pricing: quotient(quantity, block), consumed: quantity};
}

const TERM = /^P(\d+)([YM])$/i;

/** Term in months: `12`, `P1Y`, `P3Y`, `P1M`; null when absent or unreadable. */
export function termMonths(term: string | null): number | null {
  if (term === null) return null;
  const n = Number(term);
  if (term.trim() !== '' && Number.isFinite(n)) return n;
  const m = TERM.exec(term.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2].toUpperCase() === 'Y' ? 12 : 1);
}

function lastSegment(id: string | null): string | null {
  if (id === null) return null;
  const parts = id.split('/').filter((p) => p !== '');
  return parts.length ? parts[parts.length - 1] : null;
}

/** SkuPriceDetails of a decoded AdditionalInfo, per object: decoded texts are frozen and shared by rows. */
const prefixedOf = new WeakMap<object, Record<string, unknown>>();

function prefixed(info: Record<string, unknown> | null): Record<string, unknown> | null {
  if (info === null) return null;
  let out = prefixedOf.get(info);
  if (out === undefined) {
    out = {};
    for (const [k, v] of Object.entries(info)) out[k.startsWith('x_') ? k : 'x_' + k] = v;
    if (Object.isFrozen(info)) prefixedOf.set(info, Object.freeze(out));
  }
  return out;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * The FOCUS record of a kept row (keepForFocus), after its id, enrichment and tracking:
 * `record.id` is its provisional id (x_RecordId), finished later like every id (normalize/id.ts).
 */
export function focusFromUsage(r: UsageRecord, dataset: string): FocusRecord {
  const f = emptyFocusRecord();
  const mca = r.agreement === 'MCA';
  const category = chargeCategory(r.charge_type);
  const purchase = isCommitmentPurchase(r);
  const unused = isUnusedCommitment(r);
  const committed = isCommitmentModel(r);
  const units = lookupPricingUnit(r.unit_of_measure);
  const block = units?.blockSize ?? 1;
  const rate = mca ? r.exchange_rate_pricing_to_billing : null;
  const toBilling = (v: number | null): number | null => (v === null ? null : rate === null || rate === 1 ? v : product(v, rate));
  const com = commitment(r);

  // Costs (docs/focus.md, "Costs"): the purchase bills, its amortized share is effective.
  let billed: number;
  let effective: number;
  if (r.metric === 'actual') {
    billed = r.cost;
    effective = 0; // only commitment purchases and refunds are kept from ActualCost
  } else {
    // used and unused commitment bill 0: the purchase row (from ActualCost) carries the bill
    billed = committed || unused ? 0 : r.cost;
    effective = purchase ? 0 : r.cost;
  }
  const quantities = r.quantity === null ? null : blocksOf(r.quantity, block, r);
  const pricingQuantity = quantities === null ? null : quantities.pricing;
  const contractedUnitPrice = toBilling(r.unit_price);
  const listUnitPrice = toBilling(r.payg_price);
  const contracted = contractedUnitPrice !== null && pricingQuantity !== null ? product(contractedUnitPrice, pricingQuantity) : r.cost;
  let list: number;
  if (mca && r.payg_cost !== null) list = r.payg_cost;
  else if (listUnitPrice !== null && pricingQuantity !== null) list = product(listUnitPrice, pricingQuantity);
  else list = contracted;
  // a refund's quantity is positive and its cost negative: its list and contracted costs are negative too
  const sign = r.cost < 0 ? -1 : 1;
  const pricingUnit = units?.unit ?? r.unit_of_measure;
  const service = lookupService(r.consumed_service, r.resource_type);
  const isUsage = lower(r.charge_type) === 'usage';
  const pricingCurrency = mca ? (r.pricing_currency ?? r.billing_currency) : r.billing_currency;
  const capacityId = text(r.additional_info?.VMCapacityReservationId);

  f.x_RecordId = r.id;
  f.AvailabilityZone = r.availability_zone;
  f.BilledCost = billed;
  f.BillingAccountId = mca ? (r.billing_profile_id ?? r.billing_account_id) : (r.billing_account_id ?? r.billing_profile_id);
  f.BillingAccountName = mca ? (r.billing_profile_name ?? r.billing_account_name) : (r.billing_account_name ?? r.billing_profile_name);
  f.BillingAccountType = mca ? 'Billing Profile' : 'Billing Account';
  f.BillingCurrency = r.billing_currency ?? r.pricing_currency;
  f.BillingPeriodStart = isoDateTime(r.billing_period_start ?? `${r.usage_date.slice(0, 7)}-01`);
  f.BillingPeriodEnd = isoDateTime(r.billing_period_end ? addDays(r.billing_period_end, 1) : addMonths(r.usage_date, 1));
  f.CapacityReservationId = capacityId;
  f.CapacityReservationStatus = capacityId === null ? null : lower(r.resource_type) === 'microsoft.compute/capacityreservationgroups/capacityreservations' ? 'Unused' : 'Used';
  f.ChargeCategory = category;
  f.ChargeClass = lower(r.charge_type) === 'refund' ? 'Correction' : null;
  f.ChargeDescription = r.product_name;
  f.ChargeFrequency = chargeFrequency(r.frequency, category);
  f.ChargePeriodStart = isoDateTime(r.usage_date);
  f.ChargePeriodEnd = isoDateTime(addDays(r.usage_date, 1));
  f.CommitmentDiscountCategory = com.category;
  f.CommitmentDiscountId = com.id;
  f.CommitmentDiscountName = com.id === null ? null : (r.benefit_name ?? r.reservation_name);
  // FOCUS: a status only on usage rows that a commitment covers or leaves unused
  f.CommitmentDiscountStatus = com.id === null || category !== 'Usage' ? null : unused ? 'Unused' : committed ? 'Used' : null;
  f.CommitmentDiscountType = com.type;
  if (com.category === 'Spend') {
    f.CommitmentDiscountQuantity = rate !== null && rate !== 0 ? quotient(effective, rate) : effective;
    f.CommitmentDiscountUnit = pricingCurrency;
  } else if (com.category === 'Usage') {
    f.CommitmentDiscountQuantity = pricingQuantity; // no instance-size-flexibility ratios here: ratio 1
    f.CommitmentDiscountUnit = pricingUnit;
  }
  f.ConsumedQuantity = isUsage && quantities !== null ? quantities.consumed : null;
  f.ConsumedUnit = isUsage ? pricingUnit : null;
  f.ContractedCost = sign * Math.abs(contracted);
  f.ContractedUnitPrice = contractedUnitPrice;
  f.EffectiveCost = effective;
  f.InvoiceId = r.invoice_id;
  f.InvoiceIssuerName = 'Microsoft';
  f.ListCost = sign * Math.abs(list);
  f.ListUnitPrice = listUnitPrice;
  f.PricingCategory = pricingCategory(r.pricing_model);
  f.PricingCurrency = pricingCurrency;
  if (mca) {
    f.PricingCurrencyContractedUnitPrice = r.unit_price;
    f.PricingCurrencyListUnitPrice = r.payg_price;
    f.PricingCurrencyEffectiveCost = effective === 0 ? 0 : r.cost_in_pricing_currency;
  } else {
    f.PricingCurrencyContractedUnitPrice = r.unit_price;
    f.PricingCurrencyListUnitPrice = r.payg_price;
    f.PricingCurrencyEffectiveCost = effective;
  }
  f.PricingQuantity = pricingQuantity;
  f.PricingUnit = pricingUnit;
  f.ProviderName = 'Microsoft';
  f.PublisherName = r.publisher_name ?? 'Microsoft';
  f.RegionId = r.resource_location === null ? null : r.resource_location.toLowerCase().replace(/\s+/g, '');
  f.RegionName = r.resource_location;
  f.ResourceId = r.resource_id;
  f.ResourceName = r.resource_name ?? lastSegment(r.resource_id);
  f.ResourceType = r.resource_type;
  f.ServiceCategory = service?.serviceCategory ?? 'Other';
  f.ServiceName = service?.serviceName ?? r.meter_category ?? r.consumed_service ?? r.product_name ?? 'Unknown';
  f.ServiceSubcategory = service?.serviceSubcategory ?? 'Other (Other)';
  f.SkuId = mca ? r.product_id : null;
  f.SkuMeter = r.meter_name;
  f.SkuPriceDetails = prefixed(r.additional_info);
  f.SkuPriceId = null;
  f.SubAccountId = r.subscription_id;
  f.SubAccountName = r.subscription_name;
  f.SubAccountType = r.subscription_id === null ? null : 'Subscription';
  f.Tags = r.tags ?? {};

  f.x_AccountId = r.account_id;
  f.x_AccountName = r.account_name;
  f.x_AccountOwnerId = r.account_owner;
  f.x_AmortizationClass = purchase ? 'Principal' : r.metric === 'amortized' && (committed || unused) ? 'Amortized Charge' : null;
  if (r.cost_in_usd !== null) {
    f.x_BilledCostInUsd = billed === 0 ? 0 : r.cost_in_usd;
    f.x_EffectiveCostInUsd = effective === 0 ? 0 : r.cost_in_usd;
  }
  f.x_BillingAccountId = r.billing_account_id;
  f.x_BillingAccountName = r.billing_account_name;
  f.x_BillingExchangeRate = r.exchange_rate_pricing_to_billing;
  f.x_BillingExchangeRateDate = r.exchange_rate_date === null ? null : isoDateTime(r.exchange_rate_date);
  f.x_BillingProfileId = r.billing_profile_id;
  f.x_BillingProfileName = r.billing_profile_name;
  f.x_CostAllocationRuleName = r.cost_allocation_rule_name;
  f.x_CostCenter = r.cost_center;
  f.x_EffectiveUnitPrice = r.effective_price;
  f.x_InvoiceId = r.invoice_id;
  f.x_InvoiceSectionId = r.invoice_section_id;
  f.x_InvoiceSectionName = r.invoice_section_name;
  f.x_ListCostInUsd = r.payg_cost_in_usd;
  f.x_PricingBlockSize = block;
  f.x_PricingCurrency = pricingCurrency;
  f.x_PricingUnitDescription = r.unit_of_measure;
  f.x_PublisherCategory = r.publisher_type;
  f.x_PublisherId = r.publisher_id;
  f.x_ResellerId = r.reseller_mpn_id;
  f.x_ResellerName = r.reseller_name;
  f.x_ResourceGroupName = r.resource_group;
  f.x_ResourceType = r.resource_type;
  f.x_ServiceModel = service?.serviceModel ?? null;
  f.x_ServicePeriodStart = r.service_period_start === null ? null : isoDateTime(r.service_period_start);
  f.x_ServicePeriodEnd = r.service_period_end === null ? null : isoDateTime(addDays(r.service_period_end, 1));
  f.x_SkuDescription = r.product_name;
  f.x_SkuDetails = r.additional_info;
  f.x_SkuIsCreditEligible = r.is_azure_credit_eligible;
  f.x_SkuMeterCategory = r.meter_category;
  f.x_SkuMeterId = r.meter_id;
  f.x_SkuMeterName = r.meter_name;
  f.x_SkuMeterSubcategory = r.meter_subcategory;
  f.x_SkuOfferId = r.offer_id;
  f.x_SkuOrderId = r.product_order_id;
  f.x_SkuOrderName = r.product_order_name;
  f.x_SkuPartNumber = r.part_number;
  f.x_SkuPlanName = r.plan_name;
  f.x_SkuRegion = r.meter_region;
  f.x_SkuServiceFamily = r.service_family;
  f.x_SkuTerm = termMonths(r.term);

  copyDerived(f, r, dataset);
  return f;
}

/** This project's columns: enrichment, tracking and parse errors of the usage record (docs/design.md §15). */
export function copyDerived(f: FocusRecord, r: UsageRecord, dataset: string): void {
  f.x_SourceDataset = dataset;
  f.x_Tracking = r.tracking;
  f.x_TrackingRules = r.tracking_rules;
  f.x_VmSku = r.vm_sku;
  f.x_VmVcpus = r.vm_vcpus;
  f.x_VmOs = r.vm_os;
  f.x_VmPriority = r.vm_priority;
  f.x_AksCluster = r.aks_cluster;
  f.x_AksClusterResourceGroup = r.aks_cluster_resource_group;
  f.x_AksNodePool = r.aks_node_pool;
  f.x_ParseErrors = r.parse_errors;
}
