/**
 * Cost details CSV header → record field, by NAME (never by position).
 *
 * Header names are compared after {@link headerKey}: lower case with everything except
 * letters and digits removed, so `MeterSubCategory`, `meterSubcategory`, `Meter Sub-Category`
 * and `meter_sub_category` are one name. For each field the aliases are tried in order and
 * the first column present in the header is the primary source; the remaining present
 * columns are per-row fallbacks used when the primary cell is empty.
 *
 * Sources: the EA cost details schema 2024-08-01 (57 columns, docs/design.md §1), the older EA
 * cost details / exports column sets (`Cost`, `BillingCurrency`, `InvoiceSection`,
 * `Product`, ...), the legacy EA usage CSV (`SubscriptionGuid`, `InstanceId`,
 * `ConsumedQuantity`, `ResourceRate`, `ExtendedCost`, `DepartmentName`, `ServiceName`,
 * `ServiceTier`, `AccountOwnerEmail`, `ResourceGuid`, `Location`, ...), following
 * Microsoft's "Migrate from EA Usage Details APIs" field mapping.
 */
export function headerKey(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) out += name[i];
  }
  return out;
}

/** Text fields: field → header keys, in priority order. */
export const TEXT_ALIASES = {
  billing_account_id: ['billingaccountid', 'enrollmentnumber'],
  billing_account_name: ['billingaccountname'],
  billing_profile_id: ['billingprofileid'],
  billing_profile_name: ['billingprofilename'],
  department_id: ['invoicesectionid', 'departmentid'],
  department_name: ['invoicesectionname', 'invoicesection', 'departmentname', 'department'],
  account_id: ['accountid'],
  account_name: ['accountname'],
  account_owner: ['accountownerid', 'accountowneremail', 'accountowner'],
  cost_center: ['costcenter'],
  // legacy EA files carry a numeric SubscriptionId beside SubscriptionGuid: the GUID wins
  subscription_id: ['subscriptionguid', 'subscriptionid'],
  subscription_name: ['subscriptionname'],
  resource_id: ['resourceid', 'instanceid', 'instancename'],
  resource_name: ['resourcename'],
  resource_group: ['resourcegroup', 'resourcegroupname'],
  // ResourceLocation as Azure wrote it; the normalized (lower-case) form only when it is
  // absent or empty; legacy `Location` last
  resource_location: ['resourcelocation', 'resourcelocationnormalized', 'location'],
  consumed_service: ['consumedservice'],
  meter_id: ['meterid', 'resourceguid'],
  meter_name: ['metername'],
  meter_category: ['metercategory', 'servicename'],
  meter_subcategory: ['metersubcategory', 'servicetier'],
  meter_region: ['meterregion'],
  service_family: ['servicefamily'],
  product_name: ['productname', 'product'],
  part_number: ['partnumber'],
  unit_of_measure: ['unitofmeasure', 'unitofmeasurement'],
  billing_currency: ['billingcurrencycode', 'billingcurrency', 'currency'],
  charge_type: ['chargetype'],
  frequency: ['frequency'],
  pricing_model: ['pricingmodel'],
  publisher_type: ['publishertype'],
  publisher_name: ['publishername'],
  plan_name: ['planname'],
  offer_id: ['offerid', 'offer'],
  reservation_id: ['reservationid'],
  reservation_name: ['reservationname'],
  benefit_id: ['benefitid'],
  benefit_name: ['benefitname'],
  product_order_id: ['productorderid'],
  product_order_name: ['productordername'],
  term: ['term'],
  cost_allocation_rule_name: ['costallocationrulename'],
  service_info1: ['serviceinfo1'],
  service_info2: ['serviceinfo2'],
  availability_zone: ['availabilityzone'],
} as const;

export type TextField = keyof typeof TEXT_ALIASES;

export const OTHER_ALIASES = {
  usage_date: ['date', 'usagedate', 'usagedatetime'],
  billing_period_start: ['billingperiodstartdate', 'billingperiodstart'],
  billing_period_end: ['billingperiodenddate', 'billingperiodend'],
  cost: ['costinbillingcurrency', 'cost', 'extendedcost', 'pretaxcost'],
  quantity: ['quantity', 'consumedquantity', 'usagequantity'],
  effective_price: ['effectiveprice', 'resourcerate'],
  unit_price: ['unitprice'],
  payg_price: ['paygprice'],
  is_azure_credit_eligible: ['isazurecrediteligible'],
  // legacy: the opposite of IsAzureCreditEligible (Microsoft's migration table)
  charges_billed_separately: ['chargesbilledseparately'],
  tags: ['tags'],
  additional_info: ['additionalinfo'],
  // legacy EA usage CSVs also split the date into Day/Month/Year columns
  day: ['day'],
  month: ['month'],
  year: ['year'],
} as const;

export type OtherField = keyof typeof OTHER_ALIASES;

/** Column indices (present ones only, in priority order) for each alias list. */
export function resolveColumns(header: readonly string[], aliases: readonly string[]): number[] {
  const out: number[] = [];
  for (const a of aliases) {
    for (let i = 0; i < header.length; i++) {
      if (headerKey(header[i] ?? '') === a) {
        out.push(i);
        break; // a duplicated header name: the first column wins
      }
    }
  }
  return out;
}
