import type {TrackingRuleConfig} from '../track/compile';

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

export interface SourceConfig {
  enrollment_number: string;
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
}
