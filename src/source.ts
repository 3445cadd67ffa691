
import {ConfigView, viewConfig} from './config/redact-secrets';
import {loadSpec} from './config/spec';
import {SourceConfig} from './config/types';
import {BillingScope, scopeLabel, scopePath} from './config/billing-scope';
import {ValidatedConfig} from './config/validate';
import {ConfigError} from './errors';
import {ApiKeyAuth, ServicePrincipalAuth, STORAGE_SCOPE, TokenResponse} from './http/auth';
import {HttpClient} from './http/client';
import {AdaptiveLimiter} from './http/limiter';
import {Logger} from './protocol/logger';
import {SecretRedactor} from './protocol/redact';
import {BlobStorage} from './readers/blob-storage';
import {CostDetailsReader} from './readers/cost-details';
import {Dataset} from './readers/export-runs';
import {ExportsReader} from './readers/exports';
import {EaReportingReader} from './readers/ea-reporting';
import {joinUrl} from './readers/urls';
import {CostDetailsSliceSource} from './streams/cost-details-source';
import {EaSliceSource} from './streams/ea-source';
import {checkExports, storageHint} from './streams/exports-check';
import {ExportsSliceSource} from './streams/exports-source';
import {Metric} from './normalize/usage-record';
import {DatasetStream, FocusStream, TrackingConflictsStream, UsageStream} from './streams/streams';
import {DatasetSliceSource} from './streams/dataset-source';
import {DATASET_STREAMS} from './normalize/datasets';
import {DERIVED_FOCUS_DATASET, FocusSliceSource} from './streams/focus-source';
import {addDays, connectorToday} from './dates';
import {UnitExecutor} from './work/executor';
import {createExecutor} from './work/pool';

export interface SourceStreams {
  usage: UsageStream[];
  conflicts: TrackingConflictsStream;
  /** focus_costs, when the config can make it (docs/design.md §15); listed after tracking_conflicts. */
  focus: FocusStream[];
  /** Export dataset streams (docs/design.md §13); empty unless data_source is exports. */
  datasets: DatasetStream[];
}

/**
 * The source, declared: which streams exist for a config and how each one reads. Retrying,
 * paging, polling and decoding live in the layers below (http, readers, decode, normalize).
 */
export class AzureBillingSource {
  readonly http: HttpClient;
  /** Report generations in flight, adapted to Azure's throttling. */
  readonly reportGate: AdaptiveLimiter;
  private readonly auth: ServicePrincipalAuth | ApiKeyAuth;
  private exportsReader?: ExportsReader;

  /** Where rows are decoded: worker threads for a read, the calling thread otherwise. */
  readonly executor: UnitExecutor;

  constructor(
    private readonly validated: ValidatedConfig,
    private readonly logger: Logger,
    private readonly redactor: SecretRedactor,
    opts: {threads?: number} = {},
  ) {
    const config = validated.config;
    this.reportGate = new AdaptiveLimiter(config.max_concurrency);
    const units = config.credentials.auth_type === 'service_principal' || config.data_source.type === 'exports' ? 'csv' : 'ea-pages';
    this.executor = createExecutor(opts.threads ?? 1, validated.rules, config.tracking_rules, units);
    this.http = new HttpClient({timeoutMs: config.request_timeout_seconds * 1000, maxRetries: config.max_retries, logger});
    this.auth =
      config.credentials.auth_type === 'service_principal'
        ? new ServicePrincipalAuth(config.api_base_url, () => this.fetchToken(), redactor)
        : new ApiKeyAuth(config.ea_base_url, config.credentials);
  }

  get config(): SourceConfig {
    return this.validated.config;
  }

  /** Whether this sync reads the Cost Details API (and so its 13 months of history). */
  get usesCostDetails(): boolean {
    return this.config.data_source.type !== 'exports' && this.auth instanceof ServicePrincipalAuth;
  }

  /** The exports of the storage account (one reader per source: listing and manifests read once). */
  get exports(): ExportsReader | undefined {
    const ds = this.config.data_source;
    if (ds.type !== 'exports') return undefined;
    if (!this.exportsReader) {
      const storageAuth =
        ds.sas_token === undefined && this.config.credentials.auth_type === 'service_principal'
          ? new ServicePrincipalAuth(ds.storage_account_url, () => this.fetchToken(STORAGE_SCOPE), this.redactor)
          : undefined;
      const storage = new BlobStorage(this.http, {
        accountUrl: ds.storage_account_url,
        container: ds.container,
        sas: ds.sas_token,
        auth: storageAuth,
        hint: (status, code, what) => storageHint(ds, status, code, what, this.config.credentials.auth_type === 'service_principal' ? this.config.credentials.client_id : undefined),
      });
      const scope = this.validated.scope;
      this.exportsReader = new ExportsReader(storage, {rootFolderPath: ds.root_folder_path, exportNames: ds.export_names, scopePath: scope ? scopePath(scope) : undefined}, this.logger);
    }
    return this.exportsReader;
  }

  /** The scope an API reads; only exports may go without one (validation sees to it). */
  private get apiScope(): BillingScope {
    if (!this.validated.scope) throw new Error('the Cost Details and EA Reporting APIs need a billing scope');
    return this.validated.scope;
  }

  streams(): SourceStreams {
    const config = this.config;
    const rules = this.validated.rules;
    const timeoutMs = config.request_timeout_seconds * 1000;
    let usage: UsageStream[];
    const focus: FocusStream[] = [];
    const exports = this.exports;
    if (exports) {
      const opts = {batchSize: config.page_size, idleTimeoutMs: timeoutMs};
      const source = (stream: string, dataset: Dataset, metric: Metric): ExportsSliceSource =>
        new ExportsSliceSource(exports, stream, dataset, metric, this.executor, rules, this.logger, opts);
      usage = [
        new UsageStream('usage_details', 'actual', source('usage_details', 'ActualCost', 'actual')),
        new UsageStream('usage_details_amortized', 'amortized', source('usage_details_amortized', 'AmortizedCost', 'amortized')),
      ];
      // FocusCost exports are FOCUS rows already: read by name, per run's dataset version (docs/design.md §15)
      focus.push(new FocusStream(source('focus_costs', 'FocusCost', 'amortized')));
    } else if (this.auth instanceof ServicePrincipalAuth) {
      const reader = new CostDetailsReader(
        this.http,
        this.auth,
        {
          apiBaseUrl: config.api_base_url,
          scope: this.apiScope,
          scopeField: config.billing_scope === undefined ? 'enrollment_number' : 'billing_scope',
          maxReportWaitMs: 2 * 3600_000,
          maxReportAttempts: 3,
        },
        this.logger,
        this.reportGate,
      );
      usage = [
        new UsageStream('usage_details', 'actual', new CostDetailsSliceSource(reader, this.http, 'actual', config.page_size, timeoutMs, this.executor, rules)),
        new UsageStream('usage_details_amortized', 'amortized', new CostDetailsSliceSource(reader, this.http, 'amortized', config.page_size, timeoutMs, this.executor, rules)),
      ];
      // both metrics' reports, read for focus_costs alone (the usage streams' passes are their own)
      const derived = {from: 'cost_details', dataset: DERIVED_FOCUS_DATASET} as const;
      focus.push(
        new FocusStream(
          new FocusSliceSource(
            new CostDetailsSliceSource(reader, this.http, 'amortized', config.page_size, timeoutMs, this.executor, rules, derived),
            new CostDetailsSliceSource(reader, this.http, 'actual', config.page_size, timeoutMs, this.executor, rules, derived),
          ),
        ),
      );
    } else {
      const scope = this.apiScope;
      // validation refuses an API key with any other scope (docs/design.md §7)
      if (scope.type !== 'ea_enrollment') throw new Error(`the EA Reporting API serves EA enrollments only, not ${scopeLabel(scope)}`);
      const reader = new EaReportingReader(this.http, this.auth, {eaBaseUrl: config.ea_base_url, enrollmentNumber: scope.enrollmentNumber});
      usage = [new UsageStream('usage_details', 'actual', new EaSliceSource(reader, this.executor, this.executor.parallelism * 2))];
    }
    const datasets = exports ? DATASET_STREAMS.map((def) => new DatasetStream(def, new DatasetSliceSource(exports, def, this.logger, {idleTimeoutMs: timeoutMs}))) : [];
    return {usage, conflicts: new TrackingConflictsStream(usage[0]), focus, datasets};
  }

  /** Proves the credentials and the access to the billing scope with the smallest real request. */
  async check(): Promise<void> {
    const exports = this.exports;
    if (exports) return checkExports(exports);
    // Access is the question, not the dates: yesterday is always inside the API's history.
    const day = addDays(connectorToday(), -1);
    const {usage} = this.streams();
    // Preparing one day asks Azure for a report (or the first EA page): that needs the role.
    await usage[0].source.prepare({start: day, end: day}, {stream: usage[0].name, emitRecords: false, auditConflicts: false, emittedAt: Date.now()});
  }

  /**
   * The config for the log: the keys the spec defines, airbyte_secret fields REDACTED, and the
   * names (only) of the keys it does not define, whose values may be anyone's secrets.
   */
  redactedConfig(): Pick<ConfigView, 'config' | 'unknownKeys'> {
    const {config, unknownKeys} = viewConfig(this.config, loadSpec().connectionSpecification);
    return {config, unknownKeys};
  }

  private async fetchToken(scope = ServicePrincipalAuth.scopeFor(this.config.api_base_url)): Promise<TokenResponse> {
    const config = this.config;
    if (config.credentials.auth_type !== 'service_principal') throw new Error('no service principal configured');
    const {tenant_id, client_id, client_secret} = config.credentials;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id,
      client_secret,
      scope,
    }).toString();
    const response = await this.http.send({
      method: 'POST',
      url: joinUrl(config.login_base_url, `${encodeURIComponent(tenant_id)}/oauth2/v2.0/token`),
      data: form,
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      purpose: 'signing in with the service principal',
      hint: (status) =>
        status === 400 || status === 401
          ? 'Check tenant_id, client_id and client_secret (secrets expire; create a new one in Entra ID > App registrations > Certificates & secrets).'
          : status === 404
            ? 'Check tenant_id and login_base_url.'
            : undefined,
    });
    const body = response.body as {access_token?: unknown; expires_in?: unknown};
    if (!body || typeof body.access_token !== 'string') {
      throw new ConfigError('Entra ID answered the sign-in without an access token; check login_base_url.', 'login_base_url');
    }
    this.redactor.add(body.access_token);
    return {accessToken: body.access_token, expiresInSeconds: Number(body.expires_in) || 3599};
  }
}
