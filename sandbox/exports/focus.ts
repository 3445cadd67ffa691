/**
 * FocusCost export rows (FOCUS 1.0r2 and 1.2 column sets of Microsoft's FocusCost dataset), made
 * from the sandbox's own amortized and actual rows with a simple mapping of our own: every
 * amortized row, plus the actual rows that buy or refund a reservation. So, per day,
 * Σ BilledCost = Σ actual cost (reservation-covered usage and a reservation's unused hours bill 0,
 * the purchase bills) and Σ EffectiveCost = Σ amortized cost (the purchase's effective cost is 0).
 * Columns a dataset version lacks (1.0r2 has no x_AmortizationClass) are not written. Rows whose date text is
 * unusable in the cost files are left out: a FOCUS row always has its charge period.
 */
import {addDays, monthEnd} from '../dates';
import {formatDec, parseDec, SCALE} from '../decimal';
import {zeroed} from '../row-core';
import {CostView} from './cost-view';
import {ColType, DECIMAL_SCALE, TableRow} from './table';

/** FocusCost 1.0r2 columns (Microsoft's dataset, as FinOps hubs map it). */
export const FOCUS_10R2_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingAccountType', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd', 'ChargePeriodStart', 'CommitmentDiscountCategory',
  'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountStatus', 'CommitmentDiscountType', 'ConsumedQuantity', 'ConsumedUnit',
  'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingQuantity',
  'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType', 'ServiceCategory',
  'ServiceName', 'SkuId', 'SkuPriceId', 'SubAccountId', 'SubAccountName', 'SubAccountType', 'Tags', 'x_AccountId', 'x_AccountName',
  'x_AccountOwnerId', 'x_BilledCostInUsd', 'x_BilledUnitPrice', 'x_BillingAccountId', 'x_BillingAccountName', 'x_BillingExchangeRate',
  'x_BillingExchangeRateDate', 'x_BillingProfileId', 'x_BillingProfileName', 'x_ContractedCostInUsd', 'x_CostAllocationRuleName', 'x_CostCenter',
  'x_CustomerId', 'x_CustomerName', 'x_EffectiveCostInUsd', 'x_EffectiveUnitPrice', 'x_InvoiceId', 'x_InvoiceIssuerId', 'x_InvoiceSectionId',
  'x_InvoiceSectionName', 'x_ListCostInUsd', 'x_PartnerCreditApplied', 'x_PartnerCreditRate', 'x_PricingBlockSize', 'x_PricingCurrency',
  'x_PricingSubcategory', 'x_PricingUnitDescription', 'x_PublisherCategory', 'x_PublisherId', 'x_ResellerId', 'x_ResellerName',
  'x_ResourceGroupName', 'x_ResourceType', 'x_ServicePeriodEnd', 'x_ServicePeriodStart', 'x_SkuDescription', 'x_SkuDetails',
  'x_SkuIsCreditEligible', 'x_SkuMeterCategory', 'x_SkuMeterId', 'x_SkuMeterName', 'x_SkuMeterSubcategory', 'x_SkuOfferId', 'x_SkuOrderId',
  'x_SkuOrderName', 'x_SkuPartNumber', 'x_SkuRegion', 'x_SkuServiceFamily', 'x_SkuTerm', 'x_SkuTier',
] as const;

/** FocusCost 1.2 columns. */
export const FOCUS_12_COLUMNS = [
  'BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingAccountType', 'BillingCurrency', 'BillingPeriodEnd', 'BillingPeriodStart',
  'CapacityReservationId', 'CapacityReservationStatus', 'ChargeCategory', 'ChargeClass', 'ChargeDescription', 'ChargeFrequency', 'ChargePeriodEnd',
  'ChargePeriodStart', 'CommitmentDiscountCategory', 'CommitmentDiscountId', 'CommitmentDiscountName', 'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus', 'CommitmentDiscountType', 'CommitmentDiscountUnit', 'ConsumedQuantity', 'ConsumedUnit', 'ContractedCost',
  'ContractedUnitPrice', 'EffectiveCost', 'InvoiceId', 'InvoiceIssuerName', 'ListCost', 'ListUnitPrice', 'PricingCategory', 'PricingCurrency',
  'PricingQuantity', 'PricingUnit', 'ProviderName', 'PublisherName', 'RegionId', 'RegionName', 'ResourceId', 'ResourceName', 'ResourceType',
  'ServiceCategory', 'ServiceName', 'ServiceSubcategory', 'SkuId', 'SkuMeter', 'SkuPriceDetails', 'SkuPriceId', 'SubAccountId', 'SubAccountName',
  'SubAccountType', 'Tags', 'x_AccountId', 'x_AccountName', 'x_AccountOwnerId', 'x_AmortizationClass', 'x_BilledCostInUsd', 'x_BilledUnitPrice',
  'x_BillingAccountId', 'x_BillingAccountName', 'x_BillingExchangeRate', 'x_BillingExchangeRateDate', 'x_BillingProfileId', 'x_BillingProfileName',
  'x_ContractedCostInUsd', 'x_CostAllocationRuleName', 'x_CostCenter', 'x_CustomerId', 'x_CustomerName', 'x_EffectiveCostInUsd',
  'x_EffectiveUnitPrice', 'x_InvoiceIssuerId', 'x_InvoiceSectionId', 'x_InvoiceSectionName', 'x_ListCostInUsd', 'x_PartnerCreditApplied',
  'x_PartnerCreditRate', 'x_PricingBlockSize', 'x_PricingSubcategory', 'x_PricingUnitDescription', 'x_PublisherCategory', 'x_PublisherId',
  'x_ResellerId', 'x_ResellerName', 'x_ResourceGroupName', 'x_ResourceType', 'x_ServiceModel', 'x_ServicePeriodEnd', 'x_ServicePeriodStart',
  'x_SkuDescription', 'x_SkuIsCreditEligible', 'x_SkuMeterCategory', 'x_SkuMeterId', 'x_SkuMeterSubcategory', 'x_SkuOfferId', 'x_SkuOrderId',
  'x_SkuOrderName', 'x_SkuPartNumber', 'x_SkuPlanName', 'x_SkuRegion', 'x_SkuServiceFamily', 'x_SkuTerm', 'x_SkuTier',
] as const;

const DECIMAL_COLUMNS = new Set<string>([
  'BilledCost', 'CommitmentDiscountQuantity', 'ConsumedQuantity', 'ContractedCost', 'ContractedUnitPrice', 'EffectiveCost', 'ListCost', 'ListUnitPrice',
  'PricingQuantity', 'x_BilledCostInUsd', 'x_BilledUnitPrice', 'x_BillingExchangeRate', 'x_ContractedCostInUsd', 'x_EffectiveCostInUsd',
  'x_EffectiveUnitPrice', 'x_ListCostInUsd', 'x_PricingBlockSize',
]);

export function focusColumns(dataVersion: string): readonly string[] {
  return dataVersion.startsWith('1.2') ? FOCUS_12_COLUMNS : FOCUS_10R2_COLUMNS;
}

export function focusTypes(cols: readonly string[]): ColType[] {
  return cols.map((c) => (DECIMAL_COLUMNS.has(c) ? {decimal: DECIMAL_SCALE} : 'string'));
}

const UNIT = 10n ** BigInt(SCALE);

/** a × b, truncated to 28 decimals (exact below that). */
function mul(a: string, b: string): string {
  if (!a || !b) return '';
  return formatDec((parseDec(a) * parseDec(b)) / UNIT);
}

/** Our own ConsumedService -> (ServiceCategory, ServiceName, ServiceSubcategory, x_ServiceModel). */
const SERVICES: Record<string, [string, string, string, string]> = {
  'microsoft.compute': ['Compute', 'Virtual Machines', 'Virtual Machines', 'IaaS'],
  'microsoft.storage': ['Storage', 'Storage Accounts', 'Object Storage', 'IaaS'],
  'microsoft.network': ['Networking', 'Virtual Network', 'Network Infrastructure', 'IaaS'],
  'microsoft.sql': ['Databases', 'Azure SQL Database', 'Relational Databases', 'PaaS'],
  'microsoft.operationalinsights': ['Management and Governance', 'Log Analytics', 'Observability', 'SaaS'],
  'microsoft.saas': ['Other', 'Marketplace', 'Other (Other)', 'SaaS'],
  'microsoft.capacity': ['Compute', 'Virtual Machines', 'Virtual Machines', 'IaaS'],
  'microsoft.containerservice': ['Compute', 'Kubernetes Service', 'Containers', 'PaaS'],
};

const FREQUENCY: Record<string, string> = {OneTime: 'One-Time', Recurring: 'Recurring', UsageBased: 'Usage-Based'};

function chargeCategory(t: string): string {
  if (t === 'Usage' || t === 'Purchase' || t === 'Credit' || t === 'Tax') return t;
  if (t === 'UnusedReservation' || t === 'UnusedSavingsPlan') return 'Usage';
  if (t === 'Refund') return 'Purchase';
  return 'Adjustment';
}

function armType(resourceId: string): string {
  const m = /\/providers\/([^/]+)\/([^/]+)(?:\/[^/]+\/([^/]+))?/i.exec(resourceId);
  if (!m) return '';
  return `${m[1]}/${m[2]}${m[3] ? '/' + m[3] : ''}`.toLowerCase();
}

const seconds = (day: string) => `${day}T00:00:00Z`;

/**
 * The FOCUS row of a cost row. `fromActual`: an actual-cost purchase or refund (its effective
 * cost is 0); otherwise an amortized row (reservation-covered usage and unused hours bill 0:
 * the purchase bills them).
 */
export function focusRow(v: CostView, fromActual: boolean, cols: readonly string[]): TableRow {
  const covered = !fromActual && v.chargeType === 'Usage' && (v.pricingModel === 'Reservation' || v.pricingModel === 'SavingsPlan');
  const unused = !fromActual && (v.chargeType === 'UnusedReservation' || v.chargeType === 'UnusedSavingsPlan');
  const committed = covered || unused;
  const billed = committed ? '0' : v.cost;
  const effective = fromActual ? '0' : v.cost;
  const billedUsd = committed ? '0' : v.costUsd;
  const effectiveUsd = fromActual ? '0' : v.costUsd;
  const purchase = fromActual;
  const commitment = v.benefitId !== '' && (v.pricingModel === 'Reservation' || v.pricingModel === 'SavingsPlan');
  const svc = SERVICES[v.consumedService.toLowerCase()] ?? ['Other', v.meterCategory || 'Other', 'Other (Other)', 'PaaS'];
  const first = `${v.day.slice(0, 7)}-01`;
  const next = addDays(monthEnd(first), 1);
  // A refund's quantity is positive and its cost negative: its list and contracted costs are negative too.
  const signed = (x: string): string => (v.cost.startsWith('-') && x !== '' && !x.startsWith('-') && zeroed(x) !== '0' ? `-${x}` : x);
  const listCost = signed(v.agreement === 'MCA' && v.paygCost ? v.paygCost : mul(v.quantity, v.paygPrice));
  const contracted = signed(mul(v.quantity, v.unitPrice));
  // FOCUS: a consumed quantity only on usage, and not on a commitment's unused part
  const consumed = chargeCategory(v.chargeType) === 'Usage' && !unused;
  const pricing = v.pricingModel === 'Reservation' || v.pricingModel === 'SavingsPlan' ? 'Committed' : v.pricingModel === 'Spot' ? 'Dynamic' : 'Standard';
  const x: Record<string, string> = {
    BilledCost: billed,
    BillingAccountId: v.agreement === 'EA' ? v.billingAccountId : v.billingProfileId,
    BillingAccountName: v.agreement === 'EA' ? v.billingAccountName : v.billingProfileName,
    BillingAccountType: v.agreement === 'EA' ? 'Billing Account' : 'Billing Profile',
    BillingCurrency: v.billingCurrency,
    BillingPeriodEnd: seconds(next),
    BillingPeriodStart: seconds(first),
    ChargeCategory: chargeCategory(v.chargeType),
    ChargeClass: v.chargeType === 'Refund' ? 'Correction' : '',
    ChargeDescription: v.productName,
    ChargeFrequency: FREQUENCY[v.frequency] ?? v.frequency,
    ChargePeriodEnd: seconds(addDays(v.day, 1)),
    ChargePeriodStart: seconds(v.day),
    CommitmentDiscountCategory: commitment ? 'Usage' : '',
    CommitmentDiscountId: commitment ? v.benefitId : '',
    CommitmentDiscountName: commitment ? v.benefitName : '',
    CommitmentDiscountQuantity: commitment && !purchase ? v.quantity : '',
    CommitmentDiscountStatus: commitment && !purchase ? (unused ? 'Unused' : 'Used') : '',
    CommitmentDiscountType: commitment ? (v.pricingModel === 'SavingsPlan' ? 'Savings Plan' : 'Reservation') : '',
    CommitmentDiscountUnit: commitment && !purchase ? v.unitOfMeasure : '',
    ConsumedQuantity: consumed ? v.quantity : '',
    ConsumedUnit: consumed ? v.unitOfMeasure : '',
    ContractedCost: contracted,
    ContractedUnitPrice: v.unitPrice,
    EffectiveCost: effective,
    InvoiceId: v.invoiceId,
    InvoiceIssuerName: 'Microsoft',
    ListCost: listCost,
    ListUnitPrice: v.paygPrice,
    PricingCategory: pricing,
    PricingCurrency: v.pricingCurrency,
    PricingQuantity: v.quantity,
    PricingUnit: v.unitOfMeasure,
    ProviderName: 'Microsoft',
    PublisherName: v.publisherName,
    RegionId: v.location,
    RegionName: v.meterRegion,
    ResourceId: v.resourceId,
    ResourceName: v.resourceName,
    ResourceType: armType(v.resourceId),
    ServiceCategory: svc[0],
    ServiceName: svc[1],
    ServiceSubcategory: svc[2],
    SkuId: v.partNumber,
    SkuMeter: v.meterName,
    SkuPriceDetails: '{}',
    SkuPriceId: v.partNumber ? `${v.partNumber}_${v.meterId}` : '',
    SubAccountId: v.subscriptionId ? `/subscriptions/${v.subscriptionId}` : '',
    SubAccountName: v.subscriptionName,
    SubAccountType: 'Subscription',
    Tags: v.tagsJson,
    x_AccountId: v.accountId,
    x_AccountName: v.accountName,
    x_AccountOwnerId: v.accountOwnerId,
    x_AmortizationClass: purchase ? 'Principal' : committed ? 'Amortized Charge' : '',
    x_BilledCostInUsd: billedUsd,
    x_BilledUnitPrice: committed ? '0' : v.effectivePrice,
    x_BillingAccountId: v.billingAccountId,
    x_BillingAccountName: v.billingAccountName,
    x_BillingExchangeRate: v.exchangeRate,
    x_BillingExchangeRateDate: seconds(first),
    x_BillingProfileId: v.billingProfileId,
    x_BillingProfileName: v.billingProfileName,
    x_ContractedCostInUsd: v.agreement === 'EA' ? contracted : '',
    x_CostAllocationRuleName: v.costAllocationRuleName,
    x_CostCenter: v.costCenter,
    x_CustomerId: '',
    x_CustomerName: '',
    x_EffectiveCostInUsd: effectiveUsd,
    x_EffectiveUnitPrice: v.effectivePrice,
    x_InvoiceId: v.invoiceId,
    x_InvoiceIssuerId: '',
    x_InvoiceSectionId: v.invoiceSectionId,
    x_InvoiceSectionName: v.invoiceSectionName,
    x_ListCostInUsd: v.agreement === 'MCA' ? signed(v.paygCostUsd) : listCost,
    x_PartnerCreditApplied: '',
    x_PartnerCreditRate: '',
    x_PricingBlockSize: '1',
    x_PricingCurrency: v.pricingCurrency,
    x_PricingSubcategory: pricing === 'Committed' ? 'Committed Usage' : pricing === 'Dynamic' ? 'Spot' : 'Standard',
    x_PricingUnitDescription: v.unitOfMeasure,
    x_PublisherCategory: v.publisherType === 'Marketplace' ? 'Vendor' : 'Cloud Provider',
    x_PublisherId: '',
    x_ResellerId: '',
    x_ResellerName: '',
    x_ResourceGroupName: v.resourceGroup,
    x_ResourceType: armType(v.resourceId),
    x_ServiceModel: svc[3],
    x_ServicePeriodEnd: seconds(next),
    x_ServicePeriodStart: seconds(first),
    x_SkuDescription: v.productName,
    x_SkuDetails: v.additionalInfo,
    x_SkuIsCreditEligible: v.creditEligible.toLowerCase() === 'true' ? 'true' : 'false',
    x_SkuMeterCategory: v.meterCategory,
    x_SkuMeterId: v.meterId,
    x_SkuMeterName: v.meterName,
    x_SkuMeterSubcategory: v.meterSubCategory,
    x_SkuOfferId: v.offerId,
    x_SkuOrderId: v.productOrderId,
    x_SkuOrderName: v.productOrderName,
    x_SkuPartNumber: v.partNumber,
    x_SkuPlanName: v.planName,
    x_SkuRegion: v.meterRegion,
    x_SkuServiceFamily: v.serviceFamily,
    x_SkuTerm: v.term,
    x_SkuTier: '',
  };
  return {cells: cols.map((c) => x[c] ?? ''), day: v.day, sums: [parseDec(billed), parseDec(effective)]};
}
