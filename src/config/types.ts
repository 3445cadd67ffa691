import type {TrackingRuleConfig} from '../track/compile';
import type {DataSourceConfig, ExportsConfig} from './data-source';

export type {DataSourceConfig, ExportsConfig};

/** The connector's configuration after validation and defaults (resources/spec.json, docs/design.md §2). */
export interface ServicePrincipalCredentials {
  auth_type: 'service_principal';
  tenant_id: string;
  client_id: string;
  client_secret: string;
}

export interface ApiKeyCredentials {
  auth_type: 'api_key';
  api_key: string;
}

export type Credentials = ServicePrincipalCredentials | ApiKeyCredentials;

// The rules' shape belongs to the rule compiler (track/), which must not depend on config/.
export type {TrackingRuleConfig};

/** `billing_scope` of the config (docs/design.md §7): one branch per scope_type, its ids as the portal shows them. */
export type BillingScopeConfig =
  | {scope_type: 'ea_enrollment'; enrollment_number: string}
  | {scope_type: 'ea_department'; enrollment_number: string; department_id: string}
  | {scope_type: 'mca_billing_account'; billing_account_id: string}
  | {scope_type: 'mca_billing_profile'; billing_account_id: string; billing_profile_id: string}
  | {scope_type: 'mca_invoice_section'; billing_account_id: string; billing_profile_id: string; invoice_section_id: string}
  | {scope_type: 'subscription'; subscription_id: string};

export interface SourceConfig {
  /**
   * The EA enrollment as the connector first took it; absent when `billing_scope` is given
   * instead (the validation allows exactly one). Read the scope from ValidatedConfig.scope.
   */
  enrollment_number?: string;
  /** Any billing scope; when absent, enrollment_number is the scope (an EA enrollment). */
  billing_scope?: BillingScopeConfig;
  credentials: Credentials;
  start_date: string;
  end_date?: string;
  lookback_days: number;
  month_close_days: number;
  slice_days: number;
  max_concurrency: number;
  page_size: number;
  /** Decoding threads; 0 = one per core, up to 2 (resolved by work/pool.ts). */
  worker_threads: number;
  tracking_rules: TrackingRuleConfig[];
  api_base_url: string;
  login_base_url: string;
  ea_base_url: string;
  request_timeout_seconds: number;
  max_retries: number;
  /** Where cost rows come from (docs/design.md §14); filled with the default when absent. */
  data_source: DataSourceConfig;
}
