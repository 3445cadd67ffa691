/**
 * The one normalized record every reader produces (docs/design.md §4).
 * Field order here is the order of resources/schemas/usage_details.json.
 */
export type Metric = 'actual' | 'amortized';
export type SourceApi = 'cost_details' | 'ea_reporting';

export interface UsageRecord {
  // identity and time
  id: string;
  usage_date: string;
  billing_period_start: string | null;
  billing_period_end: string | null;
  billing_account_id: string | null;
  billing_account_name: string | null;
  billing_profile_id: string | null;
  billing_profile_name: string | null;
  metric: Metric;
  source_api: SourceApi;
  // organisation
  department_id: string | null;
  department_name: string | null;
  account_id: string | null;
  account_name: string | null;
  account_owner: string | null;
  cost_center: string | null;
  subscription_id: string | null;
  subscription_name: string | null;
  // resource
  resource_id: string | null;
  resource_name: string | null;
  resource_group: string | null;
  resource_type: string | null;
  resource_location: string | null;
  consumed_service: string | null;
  // meter
  meter_id: string | null;
  meter_name: string | null;
  meter_category: string | null;
  meter_subcategory: string | null;
  meter_region: string | null;
  service_family: string | null;
  product_name: string | null;
  part_number: string | null;
  unit_of_measure: string | null;
  // measures
  quantity: number | null;
  effective_price: number | null;
  unit_price: number | null;
  payg_price: number | null;
  cost: number;
  billing_currency: string | null;
  // charge
  charge_type: string | null;
  frequency: string | null;
  pricing_model: string | null;
  publisher_type: string | null;
  publisher_name: string | null;
  plan_name: string | null;
  offer_id: string | null;
  is_azure_credit_eligible: boolean | null;
  reservation_id: string | null;
  reservation_name: string | null;
  benefit_id: string | null;
  benefit_name: string | null;
  product_order_id: string | null;
  product_order_name: string | null;
  term: string | null;
  cost_allocation_rule_name: string | null;
  service_info1: string | null;
  service_info2: string | null;
  availability_zone: string | null;
  // parsed JSON strings
  tags: Record<string, string> | null;
  additional_info: Record<string, unknown> | null;
  // VM (filled by enrich/)
  vm_sku: string | null;
  vm_vcpus: number | null;
  vm_os: 'Windows' | 'Linux' | null;
  vm_priority: 'regular' | 'spot' | 'low_priority' | null;
  // AKS (filled by enrich/)
  aks_cluster: string | null;
  aks_cluster_resource_group: string | null;
  aks_node_pool: string | null;
  // tracking (filled by track/)
  tracking: Record<string, string>;
  tracking_rules: string[];
  // quality
  parse_errors: string[];
}

/** Record fields a tracking rule may match or reference (besides tags.<key>). */
export type UsageRecordField = keyof UsageRecord;
