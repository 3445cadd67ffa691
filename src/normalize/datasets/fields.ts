/**
 * The field tables of the four export dataset streams (docs/design.md §13): for each record
 * field its snake_case name, its kind, the CSV columns it is read from (EA and MCA names, as
 * Microsoft's dataset schema pages write them; compared by `headerKey`, so case, spaces and
 * underscores do not matter) and whether it is part of the record's identity (the `id`).
 *
 * Sources: Microsoft's "dataset schema" reference pages (price sheet EA/MCA 2023-05-01,
 * reservation details 2023-03-01, reservation transactions EA (the legacy transaction
 * properties) and MCA 2023-05-01, reservation recommendations EA/MCA 2023-05-01).
 */

/**
 * - `string`: trimmed text, empty → null.
 * - `guid`: text, lower-cased when it is a GUID (Azure mixes cases).
 * - `number`: a JSON number (the same decoding and precision as the usage record's measures).
 * - `date`: `YYYY-MM-DD` (the calendar date as written; a time part is dropped).
 * - `month`: a date turned into the first day of its month.
 * - `amount`: a number, or (MCA recommendations) a JSON object `{"value": …, "currency": …}`
 *   in the cell: its value, and its currency into the dataset's currency field when that is empty.
 * - `json`: a JSON object or array in the cell, parsed; text that is not JSON stays text.
 */
export type DatasetFieldKind = 'string' | 'guid' | 'number' | 'date' | 'month' | 'amount' | 'json';

export interface DatasetField {
  readonly name: string;
  readonly kind: DatasetFieldKind;
  /** Column names, in priority order: the first present one is read, the others fill its empty cells. */
  readonly columns: readonly string[];
  /** Part of the identity string the `id` is the hash of. */
  readonly identity?: true;
}

function f(name: string, kind: DatasetFieldKind, columns: readonly string[], identity?: 'id'): DatasetField {
  return identity ? {name, kind, columns, identity: true} : {name, kind, columns};
}

/**
 * Price sheet. Identity: the price's own identity (meter, part number, product, SKU, offer, term,
 * price type, tier, unit, effective start) within its billing period and price list (enrollment,
 * billing account/profile, currencies): the same meter is priced once per term, price type and
 * tier, and each month's price sheet restates every price.
 */
export const PRICE_SHEET_FIELDS: readonly DatasetField[] = [
  f('billing_period', 'month', ['BillingPeriod', 'BillingMonth', 'BillingPeriodStartDate'], 'id'),
  f('enrollment_number', 'string', ['EnrollmentNumber'], 'id'),
  f('billing_account_id', 'string', ['BillingAccountId'], 'id'),
  f('billing_account_name', 'string', ['BillingAccountName']),
  f('billing_profile_id', 'string', ['BillingProfileId'], 'id'),
  f('billing_profile_name', 'string', ['BillingProfileName']),
  f('meter_id', 'guid', ['MeterId'], 'id'),
  f('meter_name', 'string', ['MeterName']),
  f('meter_type', 'string', ['MeterType']),
  f('meter_category', 'string', ['MeterCategory']),
  f('meter_sub_category', 'string', ['MeterSubCategory']),
  f('meter_region', 'string', ['MeterRegion']),
  f('service_family', 'string', ['ServiceFamily']),
  f('product', 'string', ['Product', 'ProductName']),
  f('product_id', 'string', ['ProductId'], 'id'),
  f('product_order_name', 'string', ['ProductOrderName']),
  f('sku_id', 'string', ['SkuId'], 'id'),
  f('offer_id', 'string', ['OfferId'], 'id'),
  f('part_number', 'string', ['PartNumber'], 'id'),
  f('term', 'string', ['Term'], 'id'),
  f('price_type', 'string', ['PriceType'], 'id'),
  f('tier_minimum_units', 'number', ['TierMinimumUnits'], 'id'),
  f('unit_of_measure', 'string', ['UnitOfMeasure'], 'id'),
  f('effective_start_date', 'date', ['EffectiveStartDate'], 'id'),
  f('effective_end_date', 'date', ['EffectiveEndDate']),
  f('unit_price', 'number', ['UnitPrice']),
  f('base_price', 'number', ['BasePrice']),
  f('market_price', 'number', ['MarketPrice']),
  f('included_quantity', 'number', ['IncludedQuantity']),
  f('discount', 'number', ['Discount']),
  // MCA: `currency` is the pricing currency, `billingCurrency` the invoice's; EA's CurrencyCode is the agreement's (billing) currency
  f('currency', 'string', ['Currency', 'PricingCurrency'], 'id'),
  f('billing_currency', 'string', ['BillingCurrency', 'CurrencyCode'], 'id'),
];

/** Reservation details: one row per reservation, instance and day. */
export const RESERVATION_DETAILS_FIELDS: readonly DatasetField[] = [
  f('usage_date', 'date', ['UsageDate', 'Date'], 'id'),
  f('reservation_order_id', 'guid', ['ReservationOrderId'], 'id'),
  f('reservation_id', 'guid', ['ReservationId'], 'id'),
  f('sku_name', 'string', ['SkuName', 'ArmSkuName'], 'id'),
  f('instance_id', 'string', ['InstanceId', 'ResourceId'], 'id'),
  f('kind', 'string', ['Kind'], 'id'),
  f('instance_flexibility_group', 'string', ['InstanceFlexibilityGroup']),
  f('instance_flexibility_ratio', 'number', ['InstanceFlexibilityRatio']),
  f('reserved_hours', 'number', ['ReservedHours']),
  f('used_hours', 'number', ['UsedHours']),
  f('ri_used_hours', 'number', ['RIUsedHours']),
  f('total_reserved_quantity', 'number', ['TotalReservedQuantity']),
];

/**
 * Reservation transactions (purchases, cancellations, refunds, exchanges, monthly payments).
 * The files carry no transaction id: the identity is the order, the day, the event and what it
 * moved (amount, quantity, currency, invoice), so a monthly payment of the same order is one
 * record per month and a refund and a purchase of one exchange stay two.
 */
export const RESERVATION_TRANSACTIONS_FIELDS: readonly DatasetField[] = [
  f('event_date', 'date', ['EventDate'], 'id'),
  f('event_type', 'string', ['EventType'], 'id'),
  f('reservation_order_id', 'guid', ['ReservationOrderId'], 'id'),
  f('reservation_order_name', 'string', ['ReservationOrderName']),
  f('description', 'string', ['Description'], 'id'),
  f('amount', 'number', ['Amount'], 'id'),
  f('quantity', 'number', ['Quantity'], 'id'),
  f('currency', 'string', ['Currency', 'CurrencyCode'], 'id'),
  f('arm_sku_name', 'string', ['ArmSkuName'], 'id'),
  f('billing_frequency', 'string', ['BillingFrequency'], 'id'),
  f('term', 'string', ['Term'], 'id'),
  f('region', 'string', ['Region'], 'id'),
  f('purchasing_subscription_guid', 'guid', ['PurchasingSubscriptionGuid'], 'id'),
  f('purchasing_subscription_name', 'string', ['PurchasingSubscriptionName']),
  f('billing_month', 'date', ['BillingMonth'], 'id'),
  f('invoice', 'string', ['Invoice'], 'id'),
  f('invoice_id', 'string', ['InvoiceId'], 'id'),
  f('invoice_section_id', 'string', ['InvoiceSectionId']),
  f('invoice_section_name', 'string', ['InvoiceSectionName']),
  f('billing_profile_id', 'string', ['BillingProfileId']),
  f('billing_profile_name', 'string', ['BillingProfileName']),
  f('account_name', 'string', ['AccountName']),
  f('account_owner_email', 'string', ['AccountOwnerEmail']),
  f('department_name', 'string', ['DepartmentName']),
  f('cost_center', 'string', ['CostCenter']),
  // Microsoft's EA column list says CurrentEnrollmentId; the API and older files say CurrentEnrollment.
  f('current_enrollment', 'string', ['CurrentEnrollmentId', 'CurrentEnrollment']),
  f('purchasing_enrollment', 'string', ['PurchasingEnrollment']),
  f('monetary_commitment', 'number', ['MonetaryCommitment']),
  f('overage', 'number', ['Overage']),
];

/**
 * Reservation recommendations: a snapshot. Identity: what is recommended, where and for whom
 * (scope, subscription, region, resource type, SKU, meter, term, look-back period); the
 * quantities and savings are the recommendation's current values, not its identity.
 */
export const RESERVATION_RECOMMENDATIONS_FIELDS: readonly DatasetField[] = [
  f('scope', 'string', ['Scope'], 'id'),
  f('subscription_id', 'guid', ['SubscriptionId'], 'id'),
  f('location', 'string', ['Location'], 'id'),
  f('resource_type', 'string', ['ResourceType'], 'id'),
  f('sku_name', 'string', ['SkuName', 'SKU'], 'id'),
  f('meter_id', 'guid', ['MeterId'], 'id'),
  f('term', 'string', ['Term'], 'id'),
  f('look_back_period', 'string', ['LookBackPeriod'], 'id'),
  f('first_usage_date', 'date', ['FirstUsageDate']),
  f('instance_flexibility_group', 'string', ['InstanceFlexibilityGroup']),
  f('instance_flexibility_ratio', 'number', ['InstanceFlexibilityRatio']),
  f('normalized_size', 'string', ['NormalizedSize']),
  f('recommended_quantity', 'number', ['RecommendedQuantity']),
  f('recommended_quantity_normalized', 'number', ['RecommendedQuantityNormalized']),
  f('cost_with_no_reserved_instances', 'amount', ['CostWithNoReservedInstances']),
  f('total_cost_with_reserved_instances', 'amount', ['TotalCostWithReservedInstances']),
  f('net_savings', 'amount', ['NetSavings']),
  f('currency', 'string', ['Currency', 'CurrencyCode']),
  f('sku_properties', 'json', ['SkuProperties']),
];
