/**
 * The usage record's fields, defined once (docs/design.md §4). Everything else
 * about a field comes from this table:
 * - the TypeScript type `UsageRecord`, the id's identity string and both row normalizers
 *   (Cost Details CSV, EA Reporting JSON) in src/normalize/generated/record.ts, and the stream
 *   schema resources/schemas/usage_details.json: both written by `npm run gen:record`
 *   (scripts/gen-record.ts); test/unit/record-generated.test.ts fails when they are stale;
 * - the id's identifying fields ({@link ID_FIELDS}) and the CSV header aliases
 *   ({@link CSV_ALIASES}), at run time.
 * The table's order is the record's field order (and so the order of the RECORD JSON).
 *
 * Adding a plain field: one entry here (kind text, guid, date? or number?; its CSV header keys;
 * its EA JSON keys), then `npm run gen:record`.
 */

export const METRICS = ['actual', 'amortized'] as const;
export const SOURCE_APIS = ['cost_details', 'ea_reporting', 'exports'] as const;
export type Metric = (typeof METRICS)[number];
export type SourceApi = (typeof SOURCE_APIS)[number];

/**
 * How a field's value is made, which fixes its type, its schema and its normalizer code:
 * - `text`: first non-empty text of its columns (blank → null);
 * - `guid`: text, lower-cased when GUID-shaped;
 * - `date?` / `number?`: parsed from its column; unparseable → null and the field's name in
 *   parse_errors;
 * - the others are the few fields with a rule of their own (written out in scripts/gen-record.ts):
 *   `id`, `usage_date` (no usable date: row rejected), `cost` (missing or unparseable: rejected),
 *   `metric` and `source_api` (from the stream), `resource_id` / `resource_type` (from the parsed
 *   resource id), `credit` (a boolean, or the opposite of its `inverse` column), `tags` and
 *   `additional_info` (JSON in a string), and `derived` (set after normalizing: enrich/, track/).
 */
export type FieldKind =
  | 'text' | 'guid' | 'date?' | 'number?'
  | 'id' | 'usage_date' | 'cost' | 'metric' | 'source_api' | 'resource_id' | 'resource_type'
  | 'credit' | 'tags' | 'additional_info' | 'derived' | 'agreement';

/** The billing agreement a row comes from (docs/design.md §7). */
export const AGREEMENTS = ['EA', 'MCA'] as const;
export type Agreement = (typeof AGREEMENTS)[number];

/**
 * Header keys only the MCA cost details layout has (docs/design.md §7): a CSV holding any of them
 * is an MCA file. EA layouts (2024-08-01 and older) have none of them.
 */
export const MCA_ONLY_COLUMNS: readonly string[] = [
  'invoiceid', 'previousinvoiceid', 'costinusd', 'paygcostinbillingcurrency', 'paygcostinusd',
  'exchangeratepricingtobilling', 'costinpricingcurrency', 'serviceperiodstartdate', 'serviceperiodenddate',
];

/** An EA JSON source: one key, or keys joined by `??` (the first that is not null/undefined). */
export type EaKey = string | readonly string[];

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  /** Heading of the field's group in the generated type. */
  readonly group: string;
  /** Part of the id's identity string (docs/design.md §5): not measures, not derived, not the agreement. */
  readonly identifying: boolean;
  /**
   * Added after v1 (docs/design.md §5): enters the identity string as `name=value` after the v1
   * fields, and only when not null, so records without it keep their v1 ids.
   */
  readonly appended?: boolean;
  /**
   * Read only from rows of this agreement, null on the others: the same column name means
   * different things (`InvoiceSectionId` is an EA department, an MCA invoice section).
   */
  readonly only?: Agreement;
  /**
   * Cost Details CSV header keys (see `headerKey` in aliases.ts), in priority order: the first
   * column present is the primary source; the next two present are per-row fallbacks used when
   * the primary cell is empty.
   */
  readonly csv?: readonly string[];
  /**
   * EA Reporting API JSON keys: for text, fallbacks tried when the text is empty; for dates and
   * numbers a single source (one key or a `??` chain).
   */
  readonly ea?: readonly EaKey[];
  /** text: when its columns are empty, this part of the parsed resource id. */
  readonly orResourceId?: 'name' | 'group';
  /** credit: the column holding the opposite (legacy `ChargesBilledSeparately`), named for CSV_ALIASES. */
  readonly inverse?: {readonly name: string; readonly csv: readonly string[]; readonly ea: string};
  /** usage_date: legacy CSVs split the date into day, month and year columns. */
  readonly dateParts?: {readonly day: readonly string[]; readonly month: readonly string[]; readonly year: readonly string[]};
  /** derived: TypeScript type, JSON schema and the value before enrich/track fill it. */
  readonly derived?: {readonly ts: string; readonly schema: Record<string, unknown>; readonly initial: 'null' | '{}' | '[]' | 'errors'};
}

type Entry = Omit<FieldDef, 'group' | 'identifying'> & {identifying?: boolean};

/** Fields of one group; identifying unless said otherwise (or derived). */
function group(name: string, entries: Entry[]): FieldDef[] {
  return entries.map((e) => ({...e, group: name, identifying: e.identifying ?? (e.kind !== 'id' && e.kind !== 'derived' && e.kind !== 'agreement')}));
}

/** Fields added with the MCA scopes (docs/design.md §7): appended to the identity when present. */
function added(name: string, entries: Entry[]): FieldDef[] {
  return group(name, entries).map((f) => (f.identifying ? {...f, appended: true} : f));
}

const text = (name: string, csv: string[], ea: EaKey[], more: Partial<Entry> = {}): Entry => ({name, kind: 'text', csv, ea, ...more});
const guid = (name: string, csv: string[], ea: EaKey[]): Entry => ({name, kind: 'guid', csv, ea});
const derived = (name: string, ts: string, schema: Record<string, unknown>, initial: 'null' | '{}' | '[]' | 'errors' = 'null'): Entry => ({name, kind: 'derived', derived: {ts, schema, initial}});

const NULLABLE_STRING = {type: ['string', 'null']};

/**
 * Sources: the EA cost details schema 2024-08-01, the older EA cost details / exports column
 * sets, the legacy EA usage CSV and the EA Reporting API v3 JSON, following Microsoft's
 * "Migrate from EA Usage Details APIs" field mapping (src/normalize/README.md, "Column mapping").
 */
export const FIELDS: readonly FieldDef[] = [
  ...group('identity and time', [
    {name: 'id', kind: 'id'},
    {name: 'usage_date', kind: 'usage_date', csv: ['date', 'usagedate', 'usagedatetime'], ea: [['date', 'usageDate']], dateParts: {day: ['day'], month: ['month'], year: ['year']}},
    {name: 'billing_period_start', kind: 'date?', csv: ['billingperiodstartdate', 'billingperiodstart'], ea: ['billingPeriodStartDate']},
    {name: 'billing_period_end', kind: 'date?', csv: ['billingperiodenddate', 'billingperiodend'], ea: ['billingPeriodEndDate']},
    // the EA Reporting API rows do not carry it: null there (the sync layer knows the enrollment)
    text('billing_account_id', ['billingaccountid', 'enrollmentnumber'], ['billingAccountId', 'enrollmentNumber']),
    text('billing_account_name', ['billingaccountname'], ['billingAccountName']),
    text('billing_profile_id', ['billingprofileid'], ['billingProfileId']),
    text('billing_profile_name', ['billingprofilename'], ['billingProfileName']),
    {name: 'metric', kind: 'metric'},
    {name: 'source_api', kind: 'source_api'},
  ]),
  ...group('organisation', [
    // EA's InvoiceSection* columns are its departments; MCA's are invoice sections (below)
    text('department_id', ['invoicesectionid', 'departmentid'], ['departmentId', 'invoiceSectionId'], {only: 'EA'}),
    text('department_name', ['invoicesectionname', 'invoicesection', 'departmentname', 'department'], ['departmentName', 'invoiceSectionName'], {only: 'EA'}),
    text('account_id', ['accountid'], ['accountId']),
    text('account_name', ['accountname'], ['accountName']),
    text('account_owner', ['accountownerid', 'accountowneremail', 'accountowner'], ['accountOwnerEmail', 'accountOwnerId']),
    text('cost_center', ['costcenter'], ['costCenter']),
    // legacy EA files carry a numeric SubscriptionId beside SubscriptionGuid: the GUID wins
    guid('subscription_id', ['subscriptionguid', 'subscriptionid'], ['subscriptionGuid', 'subscriptionId']),
    text('subscription_name', ['subscriptionname'], ['subscriptionName']),
  ]),
  ...group('resource', [
    {name: 'resource_id', kind: 'resource_id', csv: ['resourceid', 'instanceid', 'instancename'], ea: ['instanceId', 'resourceId']},
    text('resource_name', ['resourcename'], ['resourceName'], {orResourceId: 'name'}),
    text('resource_group', ['resourcegroup', 'resourcegroupname'], ['resourceGroup'], {orResourceId: 'group'}),
    {name: 'resource_type', kind: 'resource_type'},
    // ResourceLocation as Azure wrote it; the normalized (lower-case) form only when it is
    // absent or empty; legacy `Location` last
    text('resource_location', ['resourcelocation', 'resourcelocationnormalized', 'location'], ['resourceLocation', 'location']),
    text('consumed_service', ['consumedservice'], ['consumedService']),
  ]),
  ...group('meter', [
    guid('meter_id', ['meterid', 'resourceguid'], ['meterId', 'resourceGuid']),
    text('meter_name', ['metername'], ['meterName']),
    text('meter_category', ['metercategory', 'servicename'], ['meterCategory', 'serviceName']),
    text('meter_subcategory', ['metersubcategory', 'servicetier'], [['meterSubCategory', 'meterSubcategory'], 'serviceTier']),
    text('meter_region', ['meterregion'], ['meterRegion']),
    text('service_family', ['servicefamily'], ['serviceFamily']),
    text('product_name', ['productname', 'product'], ['product', 'productName']),
    text('part_number', ['partnumber'], ['partNumber']),
    text('unit_of_measure', ['unitofmeasure', 'unitofmeasurement'], ['unitOfMeasure']),
  ]),
  ...group('measures', [
    {name: 'quantity', kind: 'number?', identifying: false, csv: ['quantity', 'consumedquantity', 'usagequantity'], ea: [['consumedQuantity', 'quantity']]},
    {name: 'effective_price', kind: 'number?', identifying: false, csv: ['effectiveprice', 'resourcerate'], ea: [['resourceRate', 'effectivePrice']]},
    {name: 'unit_price', kind: 'number?', identifying: false, csv: ['unitprice'], ea: ['unitPrice']},
    {name: 'payg_price', kind: 'number?', identifying: false, csv: ['paygprice'], ea: ['payGPrice']},
    {name: 'cost', kind: 'cost', identifying: false, csv: ['costinbillingcurrency', 'cost', 'extendedcost', 'pretaxcost'], ea: [['cost', 'extendedCost', 'costInBillingCurrency']]},
    text('billing_currency', ['billingcurrencycode', 'billingcurrency', 'currency'], [['billingCurrency', 'billingCurrencyCode'], 'currency']),
  ]),
  ...group('charge', [
    text('charge_type', ['chargetype'], ['chargeType']),
    text('frequency', ['frequency'], ['frequency']),
    text('pricing_model', ['pricingmodel'], ['pricingModel']),
    text('publisher_type', ['publishertype'], ['publisherType']),
    text('publisher_name', ['publishername'], ['publisherName']),
    text('plan_name', ['planname'], ['planName']),
    text('offer_id', ['offerid', 'offer'], ['offerId']),
    // legacy: ChargesBilledSeparately is its opposite (Microsoft's migration table)
    {name: 'is_azure_credit_eligible', kind: 'credit', csv: ['isazurecrediteligible'], ea: ['isAzureCreditEligible'], inverse: {name: 'charges_billed_separately', csv: ['chargesbilledseparately'], ea: 'chargesBilledSeparately'}},
    guid('reservation_id', ['reservationid'], ['reservationId']),
    text('reservation_name', ['reservationname'], ['reservationName']),
    guid('benefit_id', ['benefitid'], ['benefitId']),
    text('benefit_name', ['benefitname'], ['benefitName']),
    guid('product_order_id', ['productorderid'], ['productOrderId']),
    text('product_order_name', ['productordername'], ['productOrderName']),
    text('term', ['term'], ['term']),
    text('cost_allocation_rule_name', ['costallocationrulename'], ['costAllocationRuleName']),
    text('service_info1', ['serviceinfo1'], ['serviceInfo1']),
    text('service_info2', ['serviceinfo2'], ['serviceInfo2']),
    text('availability_zone', ['availabilityzone'], ['availabilityZone']),
  ]),
  ...group('parsed JSON strings', [
    {name: 'tags', kind: 'tags', csv: ['tags'], ea: ['tags']},
    {name: 'additional_info', kind: 'additional_info', csv: ['additionalinfo'], ea: ['additionalInfo']},
  ]),
  ...added('agreement and MCA (docs/design.md §7)', [
    {name: 'agreement', kind: 'agreement'},
    // empty while the month is open, filled when it is invoiced: not identifying, so a charge
    // keeps its id across the month's close
    text('invoice_id', ['invoiceid'], [], {only: 'MCA', identifying: false}),
    text('previous_invoice_id', ['previousinvoiceid'], [], {only: 'MCA', identifying: false}),
    text('invoice_section_id', ['invoicesectionid'], [], {only: 'MCA'}),
    text('invoice_section_name', ['invoicesectionname'], [], {only: 'MCA'}),
    text('reseller_name', ['resellername'], [], {only: 'MCA'}),
    text('reseller_mpn_id', ['resellermpnid'], [], {only: 'MCA'}),
    {name: 'service_period_start', kind: 'date?', csv: ['serviceperiodstartdate'], ea: [], only: 'MCA'},
    {name: 'service_period_end', kind: 'date?', csv: ['serviceperiodenddate'], ea: [], only: 'MCA'},
    text('product_id', ['productid'], [], {only: 'MCA'}),
    text('publisher_id', ['publisherid'], [], {only: 'MCA'}),
    text('pricing_currency', ['pricingcurrency'], [], {only: 'MCA'}),
    {name: 'cost_in_pricing_currency', kind: 'number?', identifying: false, csv: ['costinpricingcurrency'], ea: [], only: 'MCA'},
    {name: 'cost_in_usd', kind: 'number?', identifying: false, csv: ['costinusd'], ea: [], only: 'MCA'},
    {name: 'payg_cost', kind: 'number?', identifying: false, csv: ['paygcostinbillingcurrency'], ea: [], only: 'MCA'},
    {name: 'payg_cost_in_usd', kind: 'number?', identifying: false, csv: ['paygcostinusd'], ea: [], only: 'MCA'},
    {name: 'exchange_rate_pricing_to_billing', kind: 'number?', identifying: false, csv: ['exchangeratepricingtobilling'], ea: [], only: 'MCA'},
    // belongs with the rate (a measure), which may be restated
    {name: 'exchange_rate_date', kind: 'date?', identifying: false, csv: ['exchangeratedate'], ea: [], only: 'MCA'},
    text('provider', ['provider'], [], {only: 'MCA'}),
  ]),
  ...group('VM (filled by enrich/)', [
    derived('vm_sku', 'string | null', NULLABLE_STRING),
    derived('vm_vcpus', 'number | null', {type: ['integer', 'null']}),
    derived('vm_os', "'Windows' | 'Linux' | null", {type: ['string', 'null'], enum: ['Windows', 'Linux', null]}),
    derived('vm_priority', "'regular' | 'spot' | 'low_priority' | null", {type: ['string', 'null'], enum: ['regular', 'spot', 'low_priority', null]}),
  ]),
  ...group('AKS (filled by enrich/)', [
    derived('aks_cluster', 'string | null', NULLABLE_STRING),
    derived('aks_cluster_resource_group', 'string | null', NULLABLE_STRING),
    derived('aks_node_pool', 'string | null', NULLABLE_STRING),
  ]),
  ...group('tracking (filled by track/)', [
    derived('tracking', 'Record<string, string>', {type: ['object', 'null'], additionalProperties: true}, '{}'),
    derived('tracking_rules', 'string[]', {type: ['array', 'null'], items: {type: 'string'}}, '[]'),
  ]),
  ...group('quality', [
    derived('parse_errors', 'string[]', {type: ['array', 'null'], items: {type: 'string'}}, 'errors'),
  ]),
];

/** Field names in record order. */
export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** The fields the id's identity string is made of, in record order (the v1 ones, then the appended ones). */
export const ID_FIELDS: readonly string[] = FIELDS.filter((f) => f.identifying).map((f) => f.name);

/** Identifying fields added after v1: in the identity string only when not null (docs/design.md §5). */
export const APPENDED_ID_FIELDS: readonly string[] = FIELDS.filter((f) => f.identifying && f.appended).map((f) => f.name);

/** The agreement of a Cost Details CSV, from its header: MCA when it has an MCA-only column. */
export function agreementOfHeader(headerKeys: readonly string[]): Agreement {
  return headerKeys.some((k) => MCA_ONLY_COLUMNS.includes(k)) ? 'MCA' : 'EA';
}

/**
 * CSV header keys by name: each field's, plus the extra inputs some fields read (`day`,
 * `month`, `year` of legacy dates; `charges_billed_separately`, the opposite of credit eligibility).
 */
export const CSV_ALIASES: Readonly<Record<string, readonly string[]>> = (() => {
  const out: Record<string, readonly string[]> = {};
  for (const f of FIELDS) {
    if (f.csv) out[f.name] = f.csv;
    if (f.dateParts) Object.assign(out, f.dateParts);
    if (f.inverse) out[f.inverse.name] = f.inverse.csv;
  }
  return out;
})();
