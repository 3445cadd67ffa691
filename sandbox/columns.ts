/** Cost Details CSV column sets. */

/** EA cost details schema 2024-08-01 (57 columns, in the order of Microsoft's schema; docs/design.md §1). */
export const CURRENT_COLUMNS = [
  'InvoiceSectionName', 'AccountName', 'AccountOwnerId', 'SubscriptionId', 'SubscriptionName',
  'ResourceGroup', 'ResourceLocation', 'Date', 'ProductName', 'MeterCategory', 'MeterSubCategory',
  'MeterId', 'MeterName', 'MeterRegion', 'UnitOfMeasure', 'Quantity', 'EffectivePrice',
  'CostInBillingCurrency', 'CostCenter', 'ConsumedService', 'ResourceId', 'Tags', 'OfferId',
  'AdditionalInfo', 'ServiceInfo1', 'ServiceInfo2', 'ResourceName', 'ReservationId',
  'ReservationName', 'UnitPrice', 'ProductOrderId', 'ProductOrderName', 'Term', 'PublisherType',
  'PublisherName', 'ChargeType', 'Frequency', 'PricingModel', 'AvailabilityZone',
  'BillingAccountId', 'BillingAccountName', 'BillingCurrencyCode', 'BillingPeriodStartDate',
  'BillingPeriodEndDate', 'BillingProfileId', 'BillingProfileName', 'InvoiceSectionId',
  'IsAzureCreditEligible', 'PartNumber', 'PayGPrice', 'PlanName', 'ServiceFamily',
  'CostAllocationRuleName', 'benefitId', 'benefitName', 'AccountId', 'ResourceLocationNormalized',
] as const;

export type Column = (typeof CURRENT_COLUMNS)[number];

/**
 * The older EA column set of Microsoft's FinOps toolkit sample (test/fixtures/EA_ActualCost_Small.csv):
 * 55 columns, different order, and four renamed columns.
 */
export const LEGACY_COLUMNS = [
  'BillingAccountId', 'BillingAccountName', 'BillingPeriodStartDate', 'BillingPeriodEndDate',
  'BillingProfileId', 'BillingProfileName', 'AccountOwnerId', 'AccountName', 'SubscriptionId',
  'SubscriptionName', 'Date', 'Product', 'PartNumber', 'MeterId', 'ServiceFamily', 'MeterCategory',
  'MeterSubCategory', 'MeterRegion', 'MeterName', 'Quantity', 'EffectivePrice', 'Cost', 'UnitPrice',
  'BillingCurrency', 'ResourceLocation', 'AvailabilityZone', 'ConsumedService', 'ResourceId',
  'ResourceName', 'ServiceInfo1', 'ServiceInfo2', 'AdditionalInfo', 'Tags', 'InvoiceSectionId',
  'InvoiceSection', 'CostCenter', 'UnitOfMeasure', 'ResourceGroup', 'ReservationId',
  'ReservationName', 'ProductOrderId', 'ProductOrderName', 'OfferId', 'IsAzureCreditEligible',
  'Term', 'PublisherName', 'PlanName', 'ChargeType', 'Frequency', 'PublisherType', 'PayGPrice',
  'PricingModel', 'CostAllocationRuleName', 'benefitId', 'benefitName',
] as const;

/** Legacy header name -> current column it holds. */
export const LEGACY_ALIASES: Record<string, Column> = {
  Product: 'ProductName',
  Cost: 'CostInBillingCurrency',
  BillingCurrency: 'BillingCurrencyCode',
  InvoiceSection: 'InvoiceSectionName',
};

/** Map a header of either set to the current column name it carries. */
export function currentName(header: string): Column {
  return (LEGACY_ALIASES[header] ?? header) as Column;
}

export type Cols = Record<Column, string>;

/** A fresh row with every column empty (object literal so V8 gives all rows one shape). */
export function blankCols(): Cols {
  return {
    InvoiceSectionName: '', AccountName: '', AccountOwnerId: '', SubscriptionId: '', SubscriptionName: '',
    ResourceGroup: '', ResourceLocation: '', Date: '', ProductName: '', MeterCategory: '', MeterSubCategory: '',
    MeterId: '', MeterName: '', MeterRegion: '', UnitOfMeasure: '', Quantity: '', EffectivePrice: '',
    CostInBillingCurrency: '', CostCenter: '', ConsumedService: '', ResourceId: '', Tags: '', OfferId: '',
    AdditionalInfo: '', ServiceInfo1: '', ServiceInfo2: '', ResourceName: '', ReservationId: '',
    ReservationName: '', UnitPrice: '', ProductOrderId: '', ProductOrderName: '', Term: '', PublisherType: '',
    PublisherName: '', ChargeType: '', Frequency: '', PricingModel: '', AvailabilityZone: '',
    BillingAccountId: '', BillingAccountName: '', BillingCurrencyCode: '', BillingPeriodStartDate: '',
    BillingPeriodEndDate: '', BillingProfileId: '', BillingProfileName: '', InvoiceSectionId: '',
    IsAzureCreditEligible: '', PartNumber: '', PayGPrice: '', PlanName: '', ServiceFamily: '',
    CostAllocationRuleName: '', benefitId: '', benefitName: '', AccountId: '', ResourceLocationNormalized: '',
  };
}
