/**
 * One cost row of either agreement seen through neutral names, for the derived export datasets
 * (FOCUS, reservation details and transactions): the EA and MCA layouts name the same facts
 * differently (CostInBillingCurrency / costInBillingCurrency, ...).
 */
import {Cols} from '../columns';
import {tagsText} from '../csv';
import {UsageRow} from '../enrollment';
import {McaRow} from '../mca';
import {McaCols} from '../mca-columns';

export interface CostView {
  day: string;
  badDate: boolean;
  agreement: 'EA' | 'MCA';
  cost: string;
  costUsd: string;
  paygCost: string;
  paygCostUsd: string;
  exchangeRate: string;
  chargeType: string;
  pricingModel: string;
  frequency: string;
  billingAccountId: string;
  billingAccountName: string;
  billingProfileId: string;
  billingProfileName: string;
  billingCurrency: string;
  pricingCurrency: string;
  invoiceId: string;
  invoiceSectionId: string;
  invoiceSectionName: string;
  costCenter: string;
  accountId: string;
  accountName: string;
  accountOwnerId: string;
  subscriptionId: string;
  subscriptionName: string;
  resourceGroup: string;
  resourceId: string;
  resourceName: string;
  location: string;
  meterRegion: string;
  consumedService: string;
  meterCategory: string;
  meterSubCategory: string;
  meterName: string;
  meterId: string;
  partNumber: string;
  productName: string;
  serviceFamily: string;
  offerId: string;
  planName: string;
  unitOfMeasure: string;
  quantity: string;
  effectivePrice: string;
  unitPrice: string;
  paygPrice: string;
  publisherName: string;
  publisherType: string;
  creditEligible: string;
  reservationId: string;
  reservationName: string;
  productOrderId: string;
  productOrderName: string;
  term: string;
  benefitId: string;
  benefitName: string;
  additionalInfo: string;
  costAllocationRuleName: string;
  /** Tags as a JSON object text ('{}' when none). */
  tagsJson: string;
}

function tagsJson(r: UsageRow | McaRow): string {
  if (r.tags.length === 0) return '{}';
  return tagsText({tags: r.tags}, 'full');
}

export function eaView(r: UsageRow): CostView {
  const c: Cols = r.c;
  return {
    day: r.day, badDate: r.badDate !== undefined, agreement: 'EA', cost: c.CostInBillingCurrency, costUsd: c.CostInBillingCurrency,
    paygCost: '', paygCostUsd: '', exchangeRate: '1', chargeType: c.ChargeType, pricingModel: c.PricingModel, frequency: c.Frequency,
    billingAccountId: c.BillingAccountId, billingAccountName: c.BillingAccountName, billingProfileId: c.BillingProfileId, billingProfileName: c.BillingProfileName,
    billingCurrency: c.BillingCurrencyCode, pricingCurrency: c.BillingCurrencyCode, invoiceId: '', invoiceSectionId: c.InvoiceSectionId,
    invoiceSectionName: c.InvoiceSectionName, costCenter: c.CostCenter, accountId: c.AccountId, accountName: c.AccountName, accountOwnerId: c.AccountOwnerId,
    subscriptionId: c.SubscriptionId, subscriptionName: c.SubscriptionName, resourceGroup: c.ResourceGroup, resourceId: c.ResourceId, resourceName: c.ResourceName,
    location: c.ResourceLocationNormalized, meterRegion: c.MeterRegion, consumedService: c.ConsumedService, meterCategory: c.MeterCategory,
    meterSubCategory: c.MeterSubCategory, meterName: c.MeterName, meterId: c.MeterId, partNumber: c.PartNumber, productName: c.ProductName,
    serviceFamily: c.ServiceFamily, offerId: c.OfferId, planName: c.PlanName, unitOfMeasure: c.UnitOfMeasure, quantity: c.Quantity,
    effectivePrice: c.EffectivePrice, unitPrice: c.UnitPrice, paygPrice: c.PayGPrice, publisherName: c.PublisherName, publisherType: c.PublisherType,
    creditEligible: c.IsAzureCreditEligible, reservationId: c.ReservationId, reservationName: c.ReservationName, productOrderId: c.ProductOrderId,
    productOrderName: c.ProductOrderName, term: c.Term, benefitId: c.benefitId, benefitName: c.benefitName, additionalInfo: c.AdditionalInfo,
    costAllocationRuleName: c.CostAllocationRuleName, tagsJson: tagsJson(r),
  };
}

export function mcaView(r: McaRow): CostView {
  const c: McaCols = r.c;
  const rid = c.ResourceId;
  return {
    day: r.day, badDate: r.badDate !== undefined, agreement: 'MCA', cost: c.costInBillingCurrency, costUsd: c.costInUsd,
    paygCost: c.paygCostInBillingCurrency, paygCostUsd: c.paygCostInUsd, exchangeRate: c.exchangeRatePricingToBilling, chargeType: c.chargeType,
    pricingModel: c.pricingModel, frequency: c.frequency, billingAccountId: c.billingAccountId, billingAccountName: c.billingAccountName,
    billingProfileId: c.billingProfileId, billingProfileName: c.billingProfileName, billingCurrency: c.billingCurrency, pricingCurrency: c.pricingCurrency,
    invoiceId: c.invoiceId, invoiceSectionId: c.invoiceSectionId, invoiceSectionName: c.invoiceSectionName, costCenter: c.costCenter, accountId: '',
    accountName: '', accountOwnerId: '', subscriptionId: c.SubscriptionId, subscriptionName: c.subscriptionName, resourceGroup: c.resourceGroupName,
    resourceId: rid, resourceName: rid ? rid.slice(rid.lastIndexOf('/') + 1) : '', location: c.location, meterRegion: c.meterRegion,
    consumedService: c.consumedService, meterCategory: c.meterCategory, meterSubCategory: c.meterSubCategory, meterName: c.meterName, meterId: c.meterId,
    partNumber: c.ProductId, productName: c.ProductName, serviceFamily: c.serviceFamily, offerId: '', planName: '', unitOfMeasure: c.unitOfMeasure,
    quantity: c.quantity, effectivePrice: c.effectivePrice, unitPrice: c.unitPrice, paygPrice: c.PayGPrice, publisherName: c.publisherName,
    publisherType: c.publisherType, creditEligible: c.isAzureCreditEligible, reservationId: c.reservationId, reservationName: c.reservationName,
    productOrderId: c.productOrderId, productOrderName: c.productOrderName, term: c.term, benefitId: c.benefitId, benefitName: c.benefitName,
    additionalInfo: c.additionalInfo, costAllocationRuleName: c.costAllocationRuleName, tagsJson: tagsJson(r),
  };
}
