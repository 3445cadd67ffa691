/**
 * The columns of the focus_costs stream (docs/design.md §15): FOCUS 1.2's, then Microsoft's `x_`
 * columns of its FocusCost exports, then this project's own `x_` columns. This table is the one
 * definition: the JSON schema (resources/schemas/focus_costs.json), the record builders and the
 * conformance check all follow it.
 */

export type FocusType = 'Decimal' | 'DateTime' | 'String' | 'JSON';
export type FeatureLevel = 'Mandatory' | 'Conditional' | 'Recommended';

/** A column of the FOCUS specification (version 1.2 column table). */
export interface FocusColumn {
  name: string;
  level: FeatureLevel;
  type: FocusType;
  nullable: boolean;
  /** FOCUS version that introduced it. */
  since: string;
}

/** FOCUS 1.2: Column, FeatureLevel, DataType, AllowsNulls, Introduced. */
const SPEC: ReadonlyArray<[string, FeatureLevel, FocusType, boolean, string]> = [
  ['AvailabilityZone', 'Recommended', 'String', true, '0.5'],
  ['BilledCost', 'Mandatory', 'Decimal', false, '0.5'],
  ['BillingAccountId', 'Mandatory', 'String', false, '0.5'],
  ['BillingAccountName', 'Mandatory', 'String', true, '0.5'],
  ['BillingAccountType', 'Conditional', 'String', false, '1.2'],
  ['BillingCurrency', 'Mandatory', 'String', false, '0.5'],
  ['BillingPeriodEnd', 'Mandatory', 'DateTime', false, '0.5'],
  ['BillingPeriodStart', 'Mandatory', 'DateTime', false, '0.5'],
  ['CapacityReservationId', 'Conditional', 'String', true, '1.1'],
  ['CapacityReservationStatus', 'Conditional', 'String', true, '1.1'],
  ['ChargeCategory', 'Mandatory', 'String', false, '0.5'],
  ['ChargeClass', 'Mandatory', 'String', true, '1.0'],
  ['ChargeDescription', 'Mandatory', 'String', true, '1.0-preview'],
  ['ChargeFrequency', 'Recommended', 'String', false, '1.0-preview'],
  ['ChargePeriodEnd', 'Mandatory', 'DateTime', false, '0.5'],
  ['ChargePeriodStart', 'Mandatory', 'DateTime', false, '0.5'],
  ['CommitmentDiscountCategory', 'Conditional', 'String', true, '1.0-preview'],
  ['CommitmentDiscountId', 'Conditional', 'String', true, '1.0-preview'],
  ['CommitmentDiscountName', 'Conditional', 'String', true, '1.0-preview'],
  ['CommitmentDiscountQuantity', 'Conditional', 'Decimal', true, '1.1'],
  ['CommitmentDiscountStatus', 'Conditional', 'String', true, '1.0'],
  ['CommitmentDiscountType', 'Conditional', 'String', true, '1.0-preview'],
  ['CommitmentDiscountUnit', 'Conditional', 'String', true, '1.1'],
  ['ConsumedQuantity', 'Conditional', 'Decimal', true, '1.0'],
  ['ConsumedUnit', 'Conditional', 'String', true, '1.0'],
  ['ContractedCost', 'Mandatory', 'Decimal', false, '1.0'],
  ['ContractedUnitPrice', 'Conditional', 'Decimal', true, '1.0'],
  ['EffectiveCost', 'Mandatory', 'Decimal', false, '0.5'],
  ['InvoiceId', 'Recommended', 'String', true, '1.2'],
  ['InvoiceIssuerName', 'Mandatory', 'String', false, '0.5'],
  ['ListCost', 'Mandatory', 'Decimal', false, '1.0-preview'],
  ['ListUnitPrice', 'Conditional', 'Decimal', true, '1.0-preview'],
  ['PricingCategory', 'Conditional', 'String', true, '1.0-preview'],
  ['PricingCurrency', 'Conditional', 'String', true, '1.2'],
  ['PricingCurrencyContractedUnitPrice', 'Conditional', 'Decimal', true, '1.2'],
  ['PricingCurrencyEffectiveCost', 'Conditional', 'Decimal', true, '1.2'],
  ['PricingCurrencyListUnitPrice', 'Conditional', 'Decimal', true, '1.2'],
  ['PricingQuantity', 'Mandatory', 'Decimal', true, '1.0-preview'],
  ['PricingUnit', 'Mandatory', 'String', true, '1.0-preview'],
  ['ProviderName', 'Mandatory', 'String', false, '0.5'],
  ['PublisherName', 'Mandatory', 'String', false, '0.5'],
  ['RegionId', 'Conditional', 'String', true, '1.0'],
  ['RegionName', 'Conditional', 'String', true, '1.0'],
  ['ResourceId', 'Conditional', 'String', true, '0.5'],
  ['ResourceName', 'Conditional', 'String', true, '0.5'],
  ['ResourceType', 'Conditional', 'String', true, '1.0-preview'],
  ['ServiceCategory', 'Mandatory', 'String', false, '0.5'],
  ['ServiceName', 'Mandatory', 'String', false, '0.5'],
  ['ServiceSubcategory', 'Recommended', 'String', false, '1.1'],
  ['SkuId', 'Conditional', 'String', true, '1.0-preview'],
  ['SkuMeter', 'Conditional', 'String', true, '1.1'],
  ['SkuPriceDetails', 'Conditional', 'JSON', true, '1.1'],
  ['SkuPriceId', 'Conditional', 'String', true, '1.0-preview'],
  ['SubAccountId', 'Conditional', 'String', true, '0.5'],
  ['SubAccountName', 'Conditional', 'String', true, '0.5'],
  ['SubAccountType', 'Conditional', 'String', true, '1.2'],
  ['Tags', 'Conditional', 'JSON', true, '1.0-preview'],
];

export const FOCUS_COLUMNS: readonly FocusColumn[] = SPEC.map(([name, level, type, nullable, since]) => ({name, level, type, nullable, since}));

/** Types of the extra columns: FOCUS's, plus the two JSON Schema has that FOCUS does not. */
export type ExtraType = FocusType | 'Boolean' | 'Integer' | 'Array';

/**
 * Microsoft's `x_` columns, as its FocusCost exports (1.0 to 1.2) carry them. Two older ones
 * (x_InvoiceId, x_PricingCurrency) were promoted to FOCUS columns in 1.2 and are kept for 1.0 readers.
 */
export const MICROSOFT_COLUMNS: ReadonlyArray<[string, ExtraType]> = [
  ['x_AccountId', 'String'],
  ['x_AccountName', 'String'],
  ['x_AccountOwnerId', 'String'],
  ['x_AmortizationClass', 'String'],
  ['x_BilledCostInUsd', 'Decimal'],
  ['x_BilledUnitPrice', 'Decimal'],
  ['x_BillingAccountId', 'String'],
  ['x_BillingAccountName', 'String'],
  ['x_BillingExchangeRate', 'Decimal'],
  ['x_BillingExchangeRateDate', 'DateTime'],
  ['x_BillingProfileId', 'String'],
  ['x_BillingProfileName', 'String'],
  ['x_ContractedCostInUsd', 'Decimal'],
  ['x_CostAllocationRuleName', 'String'],
  ['x_CostCenter', 'String'],
  ['x_CustomerId', 'String'],
  ['x_CustomerName', 'String'],
  ['x_EffectiveCostInUsd', 'Decimal'],
  ['x_EffectiveUnitPrice', 'Decimal'],
  ['x_InvoiceId', 'String'],
  ['x_InvoiceIssuerId', 'String'],
  ['x_InvoiceSectionId', 'String'],
  ['x_InvoiceSectionName', 'String'],
  ['x_ListCostInUsd', 'Decimal'],
  ['x_PartnerCreditApplied', 'String'],
  ['x_PartnerCreditRate', 'String'],
  ['x_PricingBlockSize', 'Decimal'],
  ['x_PricingCurrency', 'String'],
  ['x_PricingSubcategory', 'String'],
  ['x_PricingUnitDescription', 'String'],
  ['x_PublisherCategory', 'String'],
  ['x_PublisherId', 'String'],
  ['x_ResellerId', 'String'],
  ['x_ResellerName', 'String'],
  ['x_ResourceGroupName', 'String'],
  ['x_ResourceType', 'String'],
  ['x_ServiceModel', 'String'],
  ['x_ServicePeriodEnd', 'DateTime'],
  ['x_ServicePeriodStart', 'DateTime'],
  ['x_SkuDescription', 'String'],
  ['x_SkuDetails', 'JSON'],
  ['x_SkuIsCreditEligible', 'Boolean'],
  ['x_SkuMeterCategory', 'String'],
  ['x_SkuMeterId', 'String'],
  ['x_SkuMeterName', 'String'],
  ['x_SkuMeterSubcategory', 'String'],
  ['x_SkuOfferId', 'String'],
  ['x_SkuOrderId', 'String'],
  ['x_SkuOrderName', 'String'],
  ['x_SkuPartNumber', 'String'],
  ['x_SkuPlanName', 'String'],
  ['x_SkuRegion', 'String'],
  ['x_SkuServiceFamily', 'String'],
  ['x_SkuTerm', 'Decimal'],
  ['x_SkuTier', 'String'],
];

/** This project's own columns (docs/design.md §15); x_RecordId is the primary key and comes first. */
export const OWN_COLUMNS: ReadonlyArray<[string, ExtraType]> = [
  ['x_RecordId', 'String'],
  ['x_SourceDataset', 'String'],
  ['x_Tracking', 'JSON'],
  ['x_TrackingRules', 'Array'],
  ['x_VmSku', 'String'],
  ['x_VmVcpus', 'Integer'],
  ['x_VmOs', 'String'],
  ['x_VmPriority', 'String'],
  ['x_AksCluster', 'String'],
  ['x_AksClusterResourceGroup', 'String'],
  ['x_AksNodePool', 'String'],
  ['x_ParseErrors', 'Array'],
];

/** Every column of a record, in the order records are written (x_RecordId first: id.ts finishes it in place). */
export const RECORD_COLUMNS: ReadonlyArray<[string, ExtraType]> = [
  OWN_COLUMNS[0],
  ...FOCUS_COLUMNS.map((c): [string, ExtraType] => [c.name, c.type]),
  ...MICROSOFT_COLUMNS,
  ...OWN_COLUMNS.slice(1),
];

export const COLUMN_TYPES: ReadonlyMap<string, ExtraType> = new Map(RECORD_COLUMNS);

/** Columns never null in a record: the key, the charge's day and its two costs (rows without them are rejected). */
export const NEVER_NULL: ReadonlySet<string> = new Set(['x_RecordId', 'x_SourceDataset', 'ChargePeriodStart', 'ChargePeriodEnd', 'BilledCost', 'EffectiveCost', 'x_ParseErrors']);

/** The stream's JSON schema, from the table (resources/schemas/focus_costs.json is this, written out). */
export function focusJsonSchema(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, type] of RECORD_COLUMNS) {
    const nullable = !NEVER_NULL.has(name);
    const t = (base: string): string | string[] => (nullable ? [base, 'null'] : base);
    switch (type) {
      case 'Decimal':
        properties[name] = {type: t('number')};
        break;
      case 'Integer':
        properties[name] = {type: t('integer')};
        break;
      case 'Boolean':
        properties[name] = {type: t('boolean')};
        break;
      case 'DateTime':
        properties[name] = {type: t('string'), format: 'date-time', airbyte_type: 'timestamp_with_timezone'};
        break;
      case 'JSON':
        properties[name] = {type: t('object'), additionalProperties: true};
        break;
      case 'Array':
        properties[name] = {type: t('array'), items: {type: 'string'}};
        break;
      default:
        properties[name] = {type: t('string')};
    }
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: true,
    required: [...NEVER_NULL],
    properties,
  };
}
