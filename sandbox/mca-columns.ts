/**
 * MCA cost details columns: dataset version 2023-12-01-preview, 65 columns in Microsoft's order
 * (mostly camelCase, a few PascalCase, exactly as the header of a real file).
 */
export const MCA_COLUMNS = [
  'invoiceId', 'previousInvoiceId', 'billingAccountId', 'billingAccountName', 'billingProfileId',
  'billingProfileName', 'invoiceSectionId', 'invoiceSectionName', 'resellerName', 'resellerMpnId',
  'costCenter', 'billingPeriodEndDate', 'billingPeriodStartDate', 'servicePeriodEndDate',
  'servicePeriodStartDate', 'date', 'serviceFamily', 'productOrderId', 'productOrderName', 'consumedService',
  'meterId', 'meterName', 'meterCategory', 'meterSubCategory', 'meterRegion', 'ProductId', 'ProductName',
  'SubscriptionId', 'subscriptionName', 'publisherType', 'publisherId', 'publisherName', 'resourceGroupName',
  'ResourceId', 'resourceLocation', 'location', 'effectivePrice', 'quantity', 'unitOfMeasure', 'chargeType',
  'billingCurrency', 'pricingCurrency', 'costInBillingCurrency', 'costInPricingCurrency', 'costInUsd',
  'paygCostInBillingCurrency', 'paygCostInUsd', 'exchangeRatePricingToBilling', 'exchangeRateDate',
  'isAzureCreditEligible', 'serviceInfo1', 'serviceInfo2', 'additionalInfo', 'tags', 'PayGPrice',
  'frequency', 'term', 'reservationId', 'reservationName', 'pricingModel', 'unitPrice',
  'costAllocationRuleName', 'benefitId', 'benefitName', 'provider',
] as const;

export type McaColumn = (typeof MCA_COLUMNS)[number];
export type McaCols = Record<McaColumn, string>;

/** A fresh row with every column empty (object literal so V8 gives all rows one shape). */
export function blankMcaCols(): McaCols {
  return {
    invoiceId: '', previousInvoiceId: '', billingAccountId: '', billingAccountName: '', billingProfileId: '',
    billingProfileName: '', invoiceSectionId: '', invoiceSectionName: '', resellerName: '',
    resellerMpnId: '', costCenter: '', billingPeriodEndDate: '', billingPeriodStartDate: '',
    servicePeriodEndDate: '', servicePeriodStartDate: '', date: '', serviceFamily: '', productOrderId: '',
    productOrderName: '', consumedService: '', meterId: '', meterName: '', meterCategory: '',
    meterSubCategory: '', meterRegion: '', ProductId: '', ProductName: '', SubscriptionId: '',
    subscriptionName: '', publisherType: '', publisherId: '', publisherName: '', resourceGroupName: '',
    ResourceId: '', resourceLocation: '', location: '', effectivePrice: '', quantity: '', unitOfMeasure: '',
    chargeType: '', billingCurrency: '', pricingCurrency: '', costInBillingCurrency: '',
    costInPricingCurrency: '', costInUsd: '', paygCostInBillingCurrency: '', paygCostInUsd: '',
    exchangeRatePricingToBilling: '', exchangeRateDate: '', isAzureCreditEligible: '', serviceInfo1: '',
    serviceInfo2: '', additionalInfo: '', tags: '', PayGPrice: '', frequency: '', term: '',
    reservationId: '', reservationName: '', pricingModel: '', unitPrice: '', costAllocationRuleName: '',
    benefitId: '', benefitName: '', provider: '',
  };
}
