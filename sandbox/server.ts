/**
 * Local stand-in for Azure: Entra token endpoint, Cost Details API (ARM), EA Reporting API v3 on
 * one listener, and report blobs on a second listener (another host:port, as SAS links are),
 * so tests can check that the bearer token never travels to the storage host.
 */
import {createHash, createHmac, randomBytes} from 'crypto';
import * as http from 'http';
import {AddressInfo} from 'net';
import * as os from 'os';
import {TokenStore, expired} from './auth';
import {addDays, isDay, listDays, monthEnd, monthsBack, todayUtc} from './dates';
import {decodeSkipToken, encodeSkipToken} from './ea';
import {EaPageStore} from './ea-cache';
import {computeTruth, Enrollment, EnrollmentOptions, makeEnrollment, MessRates, Metric, Truth} from './enrollment';
import {FaultDecision, FaultEndpoint, FaultInjector, FaultKind, FaultOptions} from './faults';
import {armError, fault429, fault5xx, Headers, readBody, send, sendFile, sendJson, sleep, storageError} from './http-util';
import {makeMcaAccount, McaAccount} from './mca';
import {DEFAULT_MCA_ACCOUNT_ID} from './mca-catalog';
import {uuidFrom} from './prng';
import {RenderedReport, ReportStore} from './report';
import {ScopeData, scopeHasData, scopeSource, scopeTruth, ScopeTruth} from './scope-data';
import {isForbidden, listScopes, resolveScope, Scope, ScopeAnswer, ScopeWorld} from './scopes';
import {DEFAULT_EXPORTS, ExportSpec} from './exports/spec';
import {ExportsTruth, ExportsWorld, ExportTruth} from './exports/world';
import {StorageAccount} from './storage/account';
import {handleBlobRequest} from './storage/blob-rest';

export interface SandboxOptions {
  host?: string;
  /** 0 = random. */
  port?: number;
  storagePort?: number;
  /** Mount every route under this prefix ('/azure' -> api_base_url http://127.0.0.1:P/azure). */
  pathPrefix?: string;

  // enrollment (see EnrollmentOptions)
  seed?: number;
  enrollmentNumber?: string;
  startDate?: string;
  endDate?: string;
  rowsPerDay?: number;
  emptyDays?: string[];
  messRates?: Partial<MessRates>;

  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  apiKey?: string;
  tokenLifetimeSeconds?: number;
  /** The principal authenticates but lacks EnrollmentReader: 403 on Cost Details calls. */
  forbidden?: boolean;
  /**
   * Scopes the principal has no role on (403 AuthorizationFailed naming the scope), each with
   * everything below it: e.g. an MCA billing profile path forbids its invoice sections too.
   */
  forbiddenScopes?: string[];

  // MCA billing account beside the enrollment (docs/design.md §7); its rows come from their own stream
  /** Serve the MCA billing account (default true; the EA data is the same either way). */
  mca?: boolean;
  /** `{guid}:{guid}_{yyyy-MM-dd}` (default DEFAULT_MCA_ACCOUNT_ID). */
  mcaBillingAccountId?: string;
  /** Default startDate / endDate / rowsPerDay / emptyDays of the enrollment. */
  mcaStartDate?: string;
  mcaEndDate?: string;
  mcaRowsPerDay?: number;
  mcaEmptyDays?: string[];
  /** "Today" for the 13-month limit and defaults (YYYY-MM-DD, default the real UTC date). */
  today?: string;

  reportLatencyMs?: number;
  /** Retry-After of 202 answers (default ceil(reportLatencyMs / 1000)). */
  retryAfterSeconds?: number;
  pageLatencyMs?: number;
  maxConcurrentReports?: number;
  eaPageSize?: number;
  /** EA Reporting: longest accepted range in days. */
  eaMaxRangeDays?: number;
  maxRowsPerBlob?: number;
  csvSchema?: 'auto' | 'current' | 'legacy';
  bom?: 'auto' | 'always' | 'never';
  /** Rendered reports are written here once and reused (also across processes). */
  cacheDir?: string;
  /** Also cache EA Reporting pages in cacheDir (for benchmarks: the row generator is slow). */
  cacheEaPages?: boolean;
  /** Answer 403 to blob requests carrying an Authorization header (they are always counted). */
  rejectBlobAuthorization?: boolean;
  faults?: FaultOptions;

  // Storage account with Cost Management exports (docs/design.md §14), at {baseUrl}/storage/{account}
  /** Storage account name (default 'sandboxbilling'). */
  storageAccount?: string;
  /** Base64 account key that signs SAS tokens (default derived from the seed). */
  storageAccountKey?: string;
  /** Container of the exports (default 'exports'). */
  exportsContainer?: string;
  /** Root folder path of the exports (default 'costmanagement'; '' = container root). */
  exportsRootFolder?: string;
  /** Which exports exist (default DEFAULT_EXPORTS); written on first use. */
  exports?: ExportSpec[];
  /** The principal holds Storage Blob Data Reader on the account (default true). */
  storageBlobDataReader?: boolean;
}

export type ResolvedOptions = Required<Omit<SandboxOptions, 'cacheDir' | 'retryAfterSeconds' | 'messRates'>> & {
  cacheDir?: string;
  retryAfterSeconds?: number;
  messRates?: Partial<MessRates>;
};

export const DEMO_CREDENTIALS = {
  enrollmentNumber: '87654321',
  tenantId: '00000000-0000-0000-0000-0000000000aa',
  clientId: '11111111-2222-3333-4444-5555555555bb',
  clientSecret: 'sandbox-client-secret-DO-NOT-LEAK',
  apiKey: 'sandbox-ea-api-key-DO-NOT-LEAK',
};

export function resolveOptions(o: SandboxOptions = {}): ResolvedOptions {
  const today = o.today ?? todayUtc();
  if (!isDay(today)) throw new Error(`today must be YYYY-MM-DD, got ${today}`);
  let prefix = o.pathPrefix ?? '';
  if (prefix && !prefix.startsWith('/')) prefix = '/' + prefix;
  prefix = prefix.replace(/\/+$/, '');
  return {
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    storagePort: o.storagePort ?? 0,
    pathPrefix: prefix,
    seed: o.seed ?? 42,
    enrollmentNumber: o.enrollmentNumber ?? DEMO_CREDENTIALS.enrollmentNumber,
    startDate: o.startDate ?? addDays(today, -45),
    endDate: o.endDate ?? addDays(today, -1),
    rowsPerDay: o.rowsPerDay ?? 150,
    emptyDays: [...(o.emptyDays ?? []), ...(o.faults?.emptyDays ?? [])],
    messRates: o.messRates,
    tenantId: o.tenantId ?? DEMO_CREDENTIALS.tenantId,
    clientId: o.clientId ?? DEMO_CREDENTIALS.clientId,
    clientSecret: o.clientSecret ?? DEMO_CREDENTIALS.clientSecret,
    apiKey: o.apiKey ?? DEMO_CREDENTIALS.apiKey,
    tokenLifetimeSeconds: o.tokenLifetimeSeconds ?? 3599,
    forbidden: o.forbidden ?? false,
    forbiddenScopes: [...(o.forbiddenScopes ?? [])],
    mca: o.mca ?? true,
    mcaBillingAccountId: o.mcaBillingAccountId ?? DEFAULT_MCA_ACCOUNT_ID,
    mcaStartDate: o.mcaStartDate ?? o.startDate ?? addDays(today, -45),
    mcaEndDate: o.mcaEndDate ?? o.endDate ?? addDays(today, -1),
    mcaRowsPerDay: o.mcaRowsPerDay ?? o.rowsPerDay ?? 150,
    mcaEmptyDays: [...(o.mcaEmptyDays ?? o.emptyDays ?? []), ...(o.faults?.emptyDays ?? [])],
    today,
    reportLatencyMs: o.reportLatencyMs ?? 0,
    retryAfterSeconds: o.retryAfterSeconds,
    pageLatencyMs: o.pageLatencyMs ?? 0,
    maxConcurrentReports: o.maxConcurrentReports ?? 4,
    eaPageSize: o.eaPageSize ?? 1000,
    eaMaxRangeDays: o.eaMaxRangeDays ?? 36,
    maxRowsPerBlob: o.maxRowsPerBlob ?? 2500,
    csvSchema: o.csvSchema ?? 'auto',
    bom: o.bom ?? 'auto',
    cacheDir: o.cacheDir,
    cacheEaPages: o.cacheEaPages ?? false,
    rejectBlobAuthorization: o.rejectBlobAuthorization ?? false,
    faults: o.faults ?? {},
    storageAccount: o.storageAccount ?? 'sandboxbilling',
    storageAccountKey: o.storageAccountKey ?? createHash('sha512').update(`sandbox-storage-key:${o.seed ?? 42}`).digest('base64'),
    exportsContainer: o.exportsContainer ?? 'exports',
    exportsRootFolder: (o.exportsRootFolder ?? 'costmanagement').replace(/^\/+|\/+$/g, ''),
    exports: o.exports ?? [...DEFAULT_EXPORTS],
    storageBlobDataReader: o.storageBlobDataReader ?? true,
  };
}

export interface SandboxStats {
  /** Requests per endpoint: token, generateCostDetailsReport, costDetailsOperationResults, blob, eaUsageDetails, sandbox, unknown. */
  requests: Record<string, number>;
  /** Injected faults by kind: 429, 5xx, reset, truncate, slow, tokenExpiry, failedReport, noDataFound. */
  faults: Record<string, number>;
  /** 429s from the maxConcurrentReports limit (not injected faults). */
  rateLimited: number;
  blobRequestsWithAuthorization: number;
  concurrentReportsPeak: number;
  reportsCreated: number;
  tokensIssued: number;
}

/** The storage account holding the exports (docs/design.md §14). */
export interface SandboxStorage {
  /** `{baseUrl}/storage/{account}`: the connector's storage_account_url. */
  accountUrl: string;
  account: string;
  container: string;
  rootFolderPath: string;
  /** Base64 account key (signs SAS tokens; testing.ts mints them). */
  key: string;
}

export interface Sandbox {
  baseUrl: string;
  /** The report blobs' listener (Cost Details API), not the exports' storage account. */
  storageUrl: string;
  storage: SandboxStorage;
  /** Truth of the exports (writes them first if not yet): runs, and per day what a correct reader reads. */
  exportTruth(): Promise<ExportsTruth>;
  exportTruth(name: string): Promise<ExportTruth>;
  /** Every SAS of the storage account counts as expired from now on. */
  expireStorageSas(): void;
  stats: SandboxStats;
  issuedTokens: string[];
  options: ResolvedOptions;
  enrollment: Enrollment;
  /** The MCA billing account (null with `mca: false`). */
  mca: McaAccount | null;
  /** Every scope served (EA enrollment, departments, subscriptions; MCA account, profiles, sections, subscriptions). */
  scopes: Scope[];
  /** The enrollment's truth, as before scopes existed. */
  truth(metric: Metric, start?: string, end?: string): Truth;
  /** The truth of one scope, given by its path (ids raw or URL-encoded, any case). */
  truth(metric: Metric, start: string | undefined, end: string | undefined, scope: string): ScopeTruth;
  close(): Promise<void>;
}

interface Report {
  opId: string;
  /** Normalized path of the scope it was generated for (polls under another scope: 404). */
  scopeKey: string;
  metric: 'ActualCost' | 'AmortizedCost';
  start: string;
  end: string;
  readyAt: number;
  forced: 'Failed' | 'NoDataFound' | null;
  rendered?: RenderedReport;
  error?: string;
  sigKey: string;
}

const RE_TOKEN = /^\/([^/]+)\/oauth2\/v2\.0\/token$/i;
/** `{scope}/providers/Microsoft.CostManagement/...`: the scope is resolved by scopes.ts. */
const RE_GENERATE = /^(\/.+?)\/providers\/microsoft\.costmanagement\/generatecostdetailsreport$/i;
const RE_POLL = /^(\/.+?)\/providers\/microsoft\.costmanagement\/costdetailsoperationresults\/([^/]+)$/i;
/** The enrollment-shaped scope: its fault keys stay the raw id, as before scopes existed. */
const RE_ACCOUNT_ONLY = /^\/providers\/microsoft\.billing\/billingaccounts\/([^/]+)$/i;
const CANONICAL: Record<string, string> = {
  providers: 'providers', 'microsoft.billing': 'Microsoft.Billing', billingaccounts: 'billingAccounts', departments: 'departments',
  billingprofiles: 'billingProfiles', invoicesections: 'invoiceSections', subscriptions: 'subscriptions',
};

/** The scope as requested, literal segments in ARM's casing, ids exactly as sent (':' or '%3A'). */
function requestedScope(raw: string): string {
  const segs = raw.split('/');
  const ids = segs[1]?.toLowerCase() === 'subscriptions' ? new Set([2]) : new Set([4, 6, 8]);
  return segs.map((x, i) => (ids.has(i) ? x : CANONICAL[x.toLowerCase()] ?? x)).join('/');
}

function faultScopeKey(raw: string): string {
  const m = RE_ACCOUNT_ONLY.exec(raw);
  return m ? m[1] : raw;
}
const RE_EA = /^\/v3\/enrollments\/([^/]+)\/usagedetailsbycustomdate$/i;
const RE_BLOB = /^\/armreports\/([^/]+)\/(\d+)\.csv$/;

const ARM_FAULTS: FaultKind[] = ['429', '5xx', 'slow', 'reset'];
/** A finished poll answers the manifest as JSON: it can also arrive cut short. */
const POLL_FAULTS: FaultKind[] = [...ARM_FAULTS, 'truncate'];
const BLOB_FAULTS: FaultKind[] = ['5xx', 'reset', 'truncate', 'slow'];
const EA_FAULTS: FaultKind[] = ['429', '5xx', 'reset', 'truncate', 'slow'];

function metricOf(m: 'ActualCost' | 'AmortizedCost'): Metric {
  return m === 'AmortizedCost' ? 'amortized' : 'actual';
}

/** Accept 'YYYY-MM-DD' or an ISO date-time; return the day or null. */
function dayOf(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const d = v.slice(0, 10);
  return isDay(d) && (v.length === 10 || v[10] === 'T') ? d : null;
}

export async function startSandbox(input: SandboxOptions = {}): Promise<Sandbox> {
  const o = resolveOptions(input);
  const enrollmentOpts: EnrollmentOptions = {
    seed: o.seed, enrollmentNumber: o.enrollmentNumber, startDate: o.startDate, endDate: o.endDate,
    rowsPerDay: o.rowsPerDay, emptyDays: o.emptyDays, messRates: o.messRates,
  };
  const enrollment = makeEnrollment(enrollmentOpts);
  const mca = o.mca
    ? makeMcaAccount({seed: o.seed, billingAccountId: o.mcaBillingAccountId, startDate: o.mcaStartDate, endDate: o.mcaEndDate,
      rowsPerDay: o.mcaRowsPerDay, emptyDays: o.mcaEmptyDays, today: o.today, messRates: o.messRates})
    : null;
  const world: ScopeWorld = {enrollmentNumber: o.enrollmentNumber, mcaAccountId: mca ? mca.opts.billingAccountId : null};
  const scopeData: ScopeData = {enrollment, mca};
  const scopes = listScopes(world);
  const faults = new FaultInjector(o.faults);
  const tokens = new TokenStore({tenantId: o.tenantId, clientId: o.clientId, clientSecret: o.clientSecret}, o.tokenLifetimeSeconds);
  const store = new ReportStore(o.cacheDir, os.tmpdir());
  const eaPages = new EaPageStore(o.cacheEaPages ? o.cacheDir : undefined);
  const sigSecret = randomBytes(16);
  const reports = new Map<string, Report>();
  const rangeCounts = new Map<string, number>();
  const faultRetryAfter = o.faults.retryAfterSeconds ?? 1;
  const account = new StorageAccount(o.storageAccount, o.storageAccountKey);
  const exportsWorld = new ExportsWorld({
    seed: o.seed, today: o.today, enrollment, mca, csvSchema: o.csvSchema, cacheDir: o.cacheDir,
    storage: {account: o.storageAccount, key: o.storageAccountKey, container: o.exportsContainer, rootFolderPath: o.exportsRootFolder, exports: o.exports},
  }, account);
  let sasRequests = 0;
  let sasExpiredNow = false;
  const slowMs = o.faults.slowMs ?? 5000;
  const stats: SandboxStats = {
    requests: {token: 0, generateCostDetailsReport: 0, costDetailsOperationResults: 0, blob: 0, eaUsageDetails: 0, sandbox: 0, storage: 0, unknown: 0},
    faults: {'429': 0, '5xx': 0, reset: 0, truncate: 0, slow: 0, tokenExpiry: 0, failedReport: 0, noDataFound: 0, sasExpired: 0},
    rateLimited: 0,
    blobRequestsWithAuthorization: 0,
    concurrentReportsPeak: 0,
    reportsCreated: 0,
    tokensIssued: 0,
  };
  let baseUrl = '';
  let storageUrl = '';

  const count = (name: string) => (stats.requests[name] = (stats.requests[name] ?? 0) + 1);
  const done = (r: Report, now: number) => now >= r.readyAt && (r.forced !== null || r.rendered !== undefined || r.error !== undefined);
  const active = (now: number) => {
    let n = 0;
    for (const r of reports.values()) if (!done(r, now)) n++;
    return n;
  };
  const retryAfterFor = (r: Report | null) => {
    if (o.retryAfterSeconds !== undefined) return o.retryAfterSeconds;
    const left = r ? r.readyAt - Date.now() : o.reportLatencyMs;
    return Math.max(0, Math.ceil(Math.max(left, 0) / 1000));
  };

  /**
   * Apply the non-body faults (429, 5xx, slow). Returns undefined when the response was already
   * sent, else the decision (null or reset/truncate) for the body sender.
   */
  async function preFault(endpoint: FaultEndpoint, key: string, allowed: readonly FaultKind[], res: http.ServerResponse): Promise<FaultDecision | null | undefined> {
    const storage = endpoint === 'blob';
    const f = faults.decide(endpoint, `${endpoint}:${key}`, allowed);
    if (!f) return null;
    stats.faults[f.kind]++;
    switch (f.kind) {
      case '429':
        fault429(res, f.variant, faultRetryAfter);
        return undefined;
      case '5xx':
        fault5xx(res, f.variant, faultRetryAfter, storage);
        return undefined;
      case 'slow':
        await sleep(slowMs);
        return null;
      default:
        return f;
    }
  }

  /** 403 as ARM words it for a principal without a role on the scope. */
  function forbid(res: http.ServerResponse, scopePath: string): void {
    armError(res, 403, 'AuthorizationFailed', `The client '${o.clientId}' with object id '${uuidFrom('oid', o.clientId)}' does not have authorization to perform action 'Microsoft.CostManagement/generateCostDetailsReport/action' over scope '${scopePath}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
  }

  /**
   * `countsForExpiry`: pending polls (timing-dependent in number) do not advance tokenExpiryEvery.
   * `scopePath`: the scope a global `forbidden` names (the request's).
   */
  function authorize(req: http.IncomingMessage, res: http.ServerResponse, countsForExpiry = true, scopePath = `/providers/Microsoft.Billing/billingAccounts/${o.enrollmentNumber}`): boolean {
    const a = tokens.check(req.headers.authorization);
    if (!a.ok) {
      armError(res, a.status, a.code, a.message, a.headers);
      return false;
    }
    if (countsForExpiry && faults.tokenExpired()) {
      stats.faults.tokenExpiry++;
      tokens.expire(a.token!);
      const e = expired(a.token!, Date.now());
      if (!e.ok) armError(res, e.status, e.code, e.message, e.headers);
      return false;
    }
    if (o.forbidden) {
      forbid(res, scopePath);
      return false;
    }
    return true;
  }

  /** The scope's 404/400 answer, or the per-scope 403; true when the scope may be read. */
  function checkScope(a: ScopeAnswer, res: http.ServerResponse): a is {ok: true; scope: Scope} {
    if (!a.ok) {
      armError(res, a.status, a.code, a.message);
      return false;
    }
    if (isForbidden(a.scope, o.forbiddenScopes)) {
      forbid(res, a.scope.path);
      return false;
    }
    return true;
  }

  function checkApiVersion(url: URL, res: http.ServerResponse): boolean {
    const v = url.searchParams.get('api-version');
    if (!v) {
      armError(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
      return false;
    }
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(v)) {
      armError(res, 400, 'InvalidApiVersionParameter', `The api-version '${v}' is invalid.`);
      return false;
    }
    return true;
  }

  /** `scope` is requestedScope(...): the poll URL keeps the ids as the client sent them. */
  const opUrl = (scope: string, opId: string) =>
    `${baseUrl}${scope}/providers/Microsoft.CostManagement/costDetailsOperationResults/${opId}?api-version=2023-11-01`;

  async function generate(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawScope: string, answer: ScopeAnswer): Promise<void> {
    const e = faultScopeKey(rawScope);
    const reqScope = requestedScope(rawScope);
    count('generateCostDetailsReport');
    let body: Record<string, unknown> = {};
    const text = await readBody(req);
    try {
      body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      armError(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
      return;
    }
    const tp = (body.timePeriod ?? {}) as Record<string, unknown>;
    const f = await preFault('generate', `${e}:${String(body.metric)}:${String(tp.start)}:${String(tp.end)}:${String(body.billingPeriod)}`, ARM_FAULTS, res);
    if (f === undefined) return;
    if (!authorize(req, res, true, reqScope) || !checkScope(answer, res) || !checkApiVersion(url, res)) return;
    const scope = answer.scope;
    const enrollmentScope = scope.type === 'ea_enrollment';
    const rawMetric = body.metric === undefined ? 'ActualCost' : String(body.metric);
    const metric = /^actualcost$/i.test(rawMetric) ? 'ActualCost' : /^amortizedcost$/i.test(rawMetric) ? 'AmortizedCost' : null;
    if (!metric) {
      armError(res, 400, 'BadRequest', `Invalid metric '${rawMetric}'. Supported values are 'ActualCost' and 'AmortizedCost'.`);
      return;
    }
    let start: string | null;
    let end: string | null;
    if (body.timePeriod !== undefined) {
      start = dayOf(tp.start);
      end = dayOf(tp.end);
      if (!start || !end) {
        armError(res, 400, 'BadRequest', `Invalid timePeriod: start and end must be dates in the format YYYY-MM-DD (got '${String(tp.start)}', '${String(tp.end)}').`);
        return;
      }
    } else if (typeof body.billingPeriod === 'string' && /^\d{6}$/.test(body.billingPeriod)) {
      start = `${body.billingPeriod.slice(0, 4)}-${body.billingPeriod.slice(4, 6)}-01`;
      if (!isDay(start)) {
        armError(res, 400, 'BadRequest', `Invalid billingPeriod '${body.billingPeriod}'.`);
        return;
      }
      end = monthEnd(start);
    } else {
      armError(res, 400, 'BadRequest', 'Either timePeriod or billingPeriod must be provided.');
      return;
    }
    if (start > end) {
      armError(res, 400, 'BadRequest', `Invalid timePeriod: the start date '${start}' is after the end date '${end}'.`);
      return;
    }
    if (start.slice(0, 7) !== end.slice(0, 7)) {
      armError(res, 400, 'BadRequest', `Invalid timePeriod: the range ${start} to ${end} spans more than one calendar month. A cost details report covers at most one month.`);
      return;
    }
    const earliest = monthsBack(o.today, 13);
    if (start < earliest) {
      armError(res, 400, 'BadRequest', `Invalid timePeriod: cost details are available for the last 13 months only; the start date '${start}' is before '${earliest}'.`);
      return;
    }
    if (start > o.today) {
      armError(res, 400, 'BadRequest', `Invalid timePeriod: the start date '${start}' is in the future.`);
      return;
    }
    const now = Date.now();
    if (active(now) >= o.maxConcurrentReports) {
      stats.rateLimited++;
      let soonest = Infinity;
      for (const r of reports.values()) if (!done(r, now)) soonest = Math.min(soonest, r.readyAt);
      const ra = Math.max(1, Math.ceil((Number.isFinite(soonest) ? soonest - now : 1000) / 1000));
      armError(res, 429, '429', `Too many requests. ${o.maxConcurrentReports} reports are already being generated; please retry after ${ra} seconds.`, {
        'Retry-After': ra,
        'x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after': ra,
        'x-ms-ratelimit-microsoft.costmanagement-qpu-remaining': 'QueryResource=0',
      });
      return;
    }
    const m = metricOf(metric);
    if (!scopeHasData(scope, scopeData, m, start, end)) {
      send(res, 204, {}, '', f);
      return;
    }
    // the enrollment keeps its keys (and so its operation ids and fault patterns) from before scopes
    const rangeKey = enrollmentScope ? `${metric}:${start}:${end}` : `${scope.path}:${metric}:${start}:${end}`;
    const nth = (rangeCounts.get(rangeKey) ?? 0) + 1;
    rangeCounts.set(rangeKey, nth);
    // Deterministic operation ids keep fault decisions on poll/blob keys reproducible across runs.
    const opId = uuidFrom('op', o.seed, o.faults.seed ?? 0, rangeKey, nth);
    const forced = faults.reportStatus(metric, start, end);
    const r: Report = {opId, scopeKey: scope.path.toLowerCase(), metric, start, end, readyAt: now + o.reportLatencyMs, forced, sigKey: randomBytes(8).toString('hex')};
    reports.set(opId, r);
    stats.reportsCreated++;
    if (forced === 'Failed') stats.faults.failedReport++;
    if (forced === 'NoDataFound') stats.faults.noDataFound++;
    if (!forced) {
      store.get(scopeSource(scope, scopeData), m, start, end, {maxRowsPerBlob: o.maxRowsPerBlob, csvSchema: o.csvSchema, bom: o.bom}).then(
        (x) => (r.rendered = x),
        (err: unknown) => (r.error = err instanceof Error ? err.message : String(err)),
      );
    }
    stats.concurrentReportsPeak = Math.max(stats.concurrentReportsPeak, active(now));
    send(res, 202, {Location: opUrl(reqScope, opId), 'Retry-After': retryAfterFor(r)}, '', f);
  }

  function blobLink(r: Report, n: number): string {
    const sig = createHmac('sha256', sigSecret).update(`${r.opId}/${n}/${r.sigKey}`).digest('base64url');
    return `${storageUrl}/armreports/${r.opId}/${n}.csv?sv=2020-05-31&sr=b&sp=r&sig=${encodeURIComponent(sig)}`;
  }

  async function poll(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawScope: string, answer: ScopeAnswer, opId: string): Promise<void> {
    const e = faultScopeKey(rawScope);
    const reqScope = requestedScope(rawScope);
    count('costDetailsOperationResults');
    // How many polls see "still running" depends on timing, so faults are injected only on
    // polls of a finished report: that keeps fault patterns reproducible run to run.
    const known = reports.get(opId);
    const finished = known !== undefined && done(known, Date.now());
    const f = finished ? await preFault('poll', `${e}:${opId}`, POLL_FAULTS, res) : null;
    if (f === undefined) return;
    if (!authorize(req, res, finished, reqScope) || !checkScope(answer, res) || !checkApiVersion(url, res)) return;
    const r = reports.get(opId);
    if (!r || r.scopeKey !== answer.scope.path.toLowerCase()) {
      armError(res, 404, 'NotFound', `The operation '${opId}' was not found.`);
      return;
    }
    if (!done(r, Date.now())) {
      send(res, 202, {Location: opUrl(reqScope, opId), 'Retry-After': retryAfterFor(r)}, '', f);
      return;
    }
    const scope = reqScope.slice(1);
    const head = {id: `${scope}/providers/Microsoft.CostManagement/costDetailsOperationResults/${opId}`, name: opId};
    const validTill = new Date(Date.now() + 86_400_000).toISOString().replace('Z', '0000Z');
    if (r.forced === 'NoDataFound') {
      sendJson(res, 200, {...head, status: 'NoDataFound', validTill}, {}, f);
      return;
    }
    if (r.forced === 'Failed' || r.error !== undefined) {
      sendJson(res, 200, {...head, status: 'Failed', error: {code: 'ReportGenerationFailed', message: `Generating the cost details report failed${r.error ? ': ' + r.error : ''}. Please retry.`}, validTill}, {}, f);
      return;
    }
    const rep = r.rendered!;
    sendJson(res, 200, {
      ...head,
      status: 'Completed',
      manifest: {
        manifestVersion: '2023-11-01',
        dataFormat: 'Csv',
        blobCount: rep.blobs.length,
        byteCount: rep.byteCount,
        compressData: false,
        requestContext: {requestScope: scope, requestBody: {metric: r.metric, timePeriod: {start: r.start, end: r.end}}},
        blobs: rep.blobs.map((b, i) => ({blobLink: blobLink(r, i), byteCount: b.byteCount})),
      },
      validTill,
    }, {}, f);
  }

  async function ea(req: http.IncomingMessage, res: http.ServerResponse, url: URL, e: string): Promise<void> {
    count('eaUsageDetails');
    const q = url.searchParams;
    const skip = q.get('$skiptoken') ?? q.get('skiptoken');
    const f = await preFault('ea', `${e}:${q.get('startTime')}:${q.get('endTime')}:${skip ?? ''}`, EA_FAULTS, res);
    if (f === undefined) return;
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m || m[1] !== o.apiKey) {
      sendJson(res, 401, {error: {code: 'Unauthorized', message: 'Authorization has been denied for this request. The API key is missing, invalid or expired.'}});
      return;
    }
    if (e !== o.enrollmentNumber) {
      sendJson(res, 403, {error: {code: 'Forbidden', message: `The API key is not valid for enrollment '${e}'.`}});
      return;
    }
    const start = dayOf(q.get('startTime'));
    const end = dayOf(q.get('endTime'));
    if (!start || !end) {
      sendJson(res, 400, {error: {code: 'BadRequest', message: 'startTime and endTime are required, in the format YYYY-MM-DD.'}});
      return;
    }
    if (start > end) {
      sendJson(res, 400, {error: {code: 'BadRequest', message: `startTime '${start}' is after endTime '${end}'.`}});
      return;
    }
    const span = listDays(start, end).length;
    if (span > o.eaMaxRangeDays) {
      sendJson(res, 400, {error: {code: 'BadRequest', message: `The date range of ${span} days exceeds the maximum of ${o.eaMaxRangeDays} days.`}});
      return;
    }
    const pos = skip ? decodeSkipToken(skip) : {day: 0, slot: 0};
    if (!pos) {
      sendJson(res, 400, {error: {code: 'BadRequest', message: 'Invalid $skiptoken.'}});
      return;
    }
    await sleep(o.pageLatencyMs);
    const page = await eaPages.get(enrollment, start, end, pos, o.eaPageSize);
    const path = `/v3/enrollments/${e}/usagedetailsbycustomdate?startTime=${start}&endTime=${end}`;
    const next = page.next ? `${baseUrl}${path}&$skiptoken=${encodeSkipToken(page.next)}` : null;
    const body = Buffer.concat([Buffer.from(`{"id":${JSON.stringify(path)},"data":[`), page.rows, Buffer.from(`],"nextLink":${JSON.stringify(next)}}`)]);
    sendJson(res, 200, body, {}, f);
  }

  async function token(req: http.IncomingMessage, res: http.ServerResponse, tenant: string): Promise<void> {
    count('token');
    const form = new URLSearchParams(await readBody(req));
    const f = await preFault('token', `${tenant}:${form.get('client_id')}`, ['5xx', 'slow'], res);
    if (f === undefined) return;
    const [status, body] = tokens.issue(tenant, form);
    if (status === 200) stats.tokensIssued++;
    sendJson(res, status, body, {'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache'});
  }

  function sandboxRoute(res: http.ServerResponse, url: URL, path: string): void {
    count('sandbox');
    if (path === '/_sandbox/stats') {
      sendJson(res, 200, stats);
      return;
    }
    if (path === '/_sandbox/truth') {
      const metric = url.searchParams.get('metric') ?? 'actual';
      const scopeParam = url.searchParams.get('scope');
      const scope = scopeParam === null ? null : resolveScope(scopeParam, world);
      const mcaScope = scope?.ok === true && scope.scope.agreement === 'MCA';
      const start = url.searchParams.get('start') ?? (mcaScope ? o.mcaStartDate : o.startDate);
      const end = url.searchParams.get('end') ?? (mcaScope ? o.mcaEndDate : o.endDate);
      if ((metric !== 'actual' && metric !== 'amortized') || !isDay(start) || !isDay(end)) {
        sendJson(res, 400, {error: 'metric must be actual|amortized, start/end YYYY-MM-DD'});
        return;
      }
      if (scope === null) {
        if (scopeParam !== null) {
          sendJson(res, 404, {error: `not a scope path: ${scopeParam}`});
          return;
        }
        sendJson(res, 200, computeTruth(enrollment, metric, start, end));
        return;
      }
      if (!scope.ok) {
        sendJson(res, scope.status, {error: {code: scope.code, message: scope.message}});
        return;
      }
      sendJson(res, 200, scopeTruth(scope.scope, scopeData, metric, start, end));
      return;
    }
    if (path === '/_sandbox/scopes') {
      sendJson(res, 200, {
        enrollmentNumber: o.enrollmentNumber,
        mcaBillingAccountId: world.mcaAccountId,
        scopes: scopes.map((x) => ({type: x.type, agreement: x.agreement, path: x.path, name: x.name, billing_scope: x.config, subscriptions: x.subs ? [...x.subs] : null})),
      });
      return;
    }
    sendJson(res, 404, {error: 'unknown sandbox endpoint'});
  }

  async function exportsRoute(res: http.ServerResponse, url: URL): Promise<void> {
    count('sandbox');
    const truth = await exportsWorld.ready();
    const name = url.searchParams.get('name');
    if (name === null) {
      sendJson(res, 200, truth);
      return;
    }
    const one = truth.exports.find((x) => x.name === name);
    if (!one) sendJson(res, 404, {error: `no export named ${name}`});
    else sendJson(res, 200, one);
  }

  async function handleMain(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    let path = url.pathname;
    if (o.pathPrefix) {
      if (path !== o.pathPrefix && !path.startsWith(o.pathPrefix + '/')) {
        count('unknown');
        armError(res, 404, 'NotFound', `No route for ${path}`);
        return;
      }
      path = path.slice(o.pathPrefix.length) || '/';
    }
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (path === '/_sandbox/exports' && method === 'GET') return exportsRoute(res, url);
    if (path.startsWith('/_sandbox/') && method === 'GET') return sandboxRoute(res, url, path);
    if (path.startsWith('/storage/')) {
      count('storage');
      return handleBlobRequest(req, res, url, path.slice('/storage'.length), `${baseUrl}/storage/${o.storageAccount}`, {
        account,
        ready: async () => void (await exportsWorld.ready()),
        tokens,
        faults,
        countFault: (k) => (stats.faults[k] = (stats.faults[k] ?? 0) + 1),
        blobDataReader: o.storageBlobDataReader,
        tenantId: o.tenantId,
        latencyMs: o.pageLatencyMs,
        sasExpired: () => {
          sasRequests++;
          const f = o.faults;
          const gone = sasExpiredNow || (f.sasExpireAfterRequests !== undefined && sasRequests > f.sasExpireAfterRequests) ||
            (f.sasExpiresAt !== undefined && Date.now() >= Date.parse(f.sasExpiresAt));
          if (gone) stats.faults.sasExpired++;
          return gone;
        },
        now: () => Date.now(),
      });
    }
    if ((m = RE_TOKEN.exec(path)) && method === 'POST') return token(req, res, m[1]);
    let scopeAnswer: ScopeAnswer | null = null;
    if ((m = RE_GENERATE.exec(path)) && method === 'POST' && (scopeAnswer = resolveScope(m[1], world))) return generate(req, res, url, m[1], scopeAnswer);
    if ((m = RE_POLL.exec(path)) && method === 'GET' && (scopeAnswer = resolveScope(m[1], world))) return poll(req, res, url, m[1], scopeAnswer, m[2]);
    if ((m = RE_EA.exec(path)) && method === 'GET') return ea(req, res, url, m[1]);
    count('unknown');
    const known = (re: RegExp) => {
      const x = re.exec(path);
      return x !== null && resolveScope(x[1], world) !== null;
    };
    armError(res, RE_TOKEN.test(path) || known(RE_GENERATE) || known(RE_POLL) || RE_EA.test(path) ? 405 : 404,
      'NotFound', `No HTTP resource was found that matches ${method} ${path}.`);
  }

  async function handleStorage(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://storage');
    count('blob');
    if (req.headers.authorization) {
      stats.blobRequestsWithAuthorization++;
      if (o.rejectBlobAuthorization) {
        storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Authorization header and SAS token cannot be combined.');
        return;
      }
    }
    const m = RE_BLOB.exec(url.pathname);
    const method = req.method ?? 'GET';
    if (!m || (method !== 'GET' && method !== 'HEAD')) {
      storageError(res, 404, 'ResourceNotFound', 'The specified resource does not exist.');
      return;
    }
    const r = reports.get(m[1]);
    const n = +m[2];
    const blob = r?.rendered?.blobs[n];
    if (!r || !blob) {
      storageError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
      return;
    }
    const expected = new URL(blobLink(r, n)).searchParams.get('sig');
    if (url.searchParams.get('sig') !== expected) {
      storageError(res, 403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.');
      return;
    }
    const f = await preFault('blob', `${r.opId}:${n}:${req.headers.range ?? ''}`, BLOB_FAULTS, res);
    if (f === undefined) return;
    await sleep(o.pageLatencyMs);
    const size = blob.byteCount;
    const headers: Headers = {
      'Content-Type': 'text/csv',
      'Accept-Ranges': 'bytes',
      ETag: `"0x8DC${r.opId.replace(/-/g, '').slice(0, 12).toUpperCase()}"`,
      'Last-Modified': new Date(r.readyAt).toUTCString(),
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-version': '2020-05-31',
    };
    const range = req.headers.range;
    if (range) {
      const rm = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      let a = rm && rm[1] !== '' ? +rm[1] : NaN;
      let b = rm && rm[2] !== '' ? +rm[2] : size - 1;
      if (rm && rm[1] === '' && rm[2] !== '') {
        a = Math.max(0, size - +rm[2]);
        b = size - 1;
      }
      if (!rm || Number.isNaN(a) || a >= size || b < a) {
        send(res, 416, {'Content-Range': `bytes */${size}`});
        return;
      }
      b = Math.min(b, size - 1);
      sendFile(res, 206, {...headers, 'Content-Range': `bytes ${a}-${b}/${size}`}, blob.file, a, b, method === 'HEAD', f);
      return;
    }
    sendFile(res, 200, headers, blob.file, 0, size - 1, method === 'HEAD', f);
  }

  const wrap = (h: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) =>
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      h(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) armError(res, 500, 'InternalServerError', `sandbox error: ${err instanceof Error ? err.message : String(err)}`);
        else res.destroy();
      });
    };
  const main = http.createServer(wrap(handleMain));
  const storage = http.createServer(wrap(handleStorage));
  const listen = (s: http.Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, o.host, () => resolve((s.address() as AddressInfo).port));
    });
  const mainPort = await listen(main, o.port);
  let storagePort: number;
  try {
    storagePort = await listen(storage, o.storagePort);
  } catch (err) {
    main.close();
    throw err;
  }
  baseUrl = `http://${o.host}:${mainPort}${o.pathPrefix}`;
  storageUrl = `http://${o.host}:${storagePort}`;
  let closed = false;

  return {
    baseUrl,
    storageUrl,
    storage: {accountUrl: `${baseUrl}/storage/${o.storageAccount}`, account: o.storageAccount, container: o.exportsContainer, rootFolderPath: o.exportsRootFolder, key: o.storageAccountKey},
    exportTruth: (async (name?: string) => {
      const t = await exportsWorld.ready();
      if (name === undefined) return t;
      const one = t.exports.find((x) => x.name === name);
      if (!one) throw new Error(`no export named ${name}`);
      return one;
    }) as Sandbox['exportTruth'],
    expireStorageSas() {
      sasExpiredNow = true;
    },
    stats,
    issuedTokens: tokens.issued,
    options: o,
    enrollment,
    mca,
    scopes,
    truth: ((metric: Metric, start?: string, end?: string, scope?: string) => {
      if (scope === undefined) return computeTruth(enrollment, metric, start ?? o.startDate, end ?? o.endDate);
      const a = resolveScope(scope, world);
      if (!a) throw new Error(`not a scope path: ${scope}`);
      if (!a.ok) throw new Error(`${a.status} ${a.code}: ${a.message}`);
      const mcaScope = a.scope.agreement === 'MCA';
      return scopeTruth(a.scope, scopeData, metric, start ?? (mcaScope ? o.mcaStartDate : o.startDate), end ?? (mcaScope ? o.mcaEndDate : o.endDate));
    }) as Sandbox['truth'],
    async close() {
      if (closed) return;
      closed = true;
      const stop = (s: http.Server) => new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
      await Promise.all([stop(main), stop(storage)]);
      await exportsWorld.dispose();
      // waits for renders in flight before removing their temp dir
      await store.dispose();
    },
  };
}
