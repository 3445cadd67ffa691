import {BillingScope, missingRoleHint, scopeLabel, scopePath} from '../config/billing-scope';
import {DateSlice} from '../dates';
import {SystemError} from '../errors';
import {ServicePrincipalAuth} from '../http/auth';
import {HttpClient, sleep} from '../http/client';
import {AdaptiveLimiter} from '../http/limiter';
import {retryAfterMs} from '../http/retry';
import {Logger} from '../protocol/logger';
import {DownloadTarget} from './resumable-download';
import {joinUrl} from './urls';

export type CostMetric = 'ActualCost' | 'AmortizedCost';

export type ReportResult = {kind: 'empty'} | {kind: 'ready'; blobs: DownloadTarget[]; byteCount: number};

export interface CostDetailsOptions {
  apiBaseUrl: string;
  /** The billing scope whose costs are read (docs/design.md §7). */
  scope: BillingScope;
  /** The config key that named the scope: `enrollment_number` or `billing_scope`. */
  scopeField?: 'enrollment_number' | 'billing_scope';
  /** Give up on a report that is still generating after this long. */
  maxReportWaitMs: number;
  /** Failed reports are requested again this many times. */
  maxReportAttempts: number;
}

/** Reports generating at once, shared by every stream of a sync; halves on 429. */
export type ReportGate = AdaptiveLimiter;

const API_VERSION = '2023-11-01';

/** A report Azure made, with the end of its links' validity when it says (`validTill`). */
interface Generated {
  kind: 'generated';
  result: ReportResult;
  validTill?: number;
}

type Failed = {kind: 'failed'; status: string; detail?: string};

interface KeptReport {
  report: Promise<Generated>;
  /** Shared until then; Infinity while it is being generated. */
  usableUntil: number;
  settled: boolean;
}

/** A shared report's links must outlive the download of its blobs: this much before validTill it is made anew. */
const REUSE_MARGIN_MS = 30 * 60_000;
/** Without a validTill, a report is shared this long after it was made. */
const REUSE_WITHOUT_VALID_TILL_MS = 30 * 60_000;
/** Reports remembered at most (a few links each): a 13-month sync of one-day slices in two metrics fits. */
const MAX_KEPT_REPORTS = 1024;

function usableUntil(result: ReportResult, validTill: number | undefined): number {
  // an empty report has no links to expire
  if (result.kind === 'empty') return Number.POSITIVE_INFINITY;
  return validTill === undefined ? Date.now() + REUSE_WITHOUT_VALID_TILL_MS : validTill - REUSE_MARGIN_MS;
}

/**
 * Cost Details API (docs/design.md §1): ask for a report of one slice, poll its Location until it is
 * Completed, and hand back the blob links of its manifest.
 */
export class CostDetailsReader {
  /** Reports of this sync by metric and slice (see generate). */
  private readonly reports = new Map<string, KeptReport>();

  constructor(
    private readonly http: HttpClient,
    private readonly auth: ServicePrincipalAuth,
    private readonly opts: CostDetailsOptions,
    private readonly logger: Logger,
    private readonly gate: ReportGate,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {}

  get reportUrl(): string {
    // the same endpoint under every scope (docs/design.md §7)
    return joinUrl(this.opts.apiBaseUrl, `${scopePath(this.opts.scope)}/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=${API_VERSION}`);
  }

  /**
   * The report of a metric and slice. Streams that need the same one in a sync (focus_costs
   * beside the usage streams, the conflicts audit) share it while its links stay valid: Azure
   * takes minutes per report (docs/design.md §1).
   */
  generate(metric: CostMetric, slice: DateSlice): Promise<ReportResult> {
    const key = `${metric} ${slice.start} ${slice.end}`;
    const kept = this.reports.get(key);
    if (kept && Date.now() < kept.usableUntil) {
      if (kept.settled) this.logger.info(`Reusing the ${metric} report for ${slice.start}..${slice.end}, generated earlier in this sync.`);
      return kept.report.then(({result}) => result);
    }
    const entry: KeptReport = {report: this.generateNew(metric, slice), usableUntil: Infinity, settled: false};
    this.reports.set(key, entry);
    this.forgetOldReports();
    return entry.report.then(
      ({result, validTill}) => {
        entry.settled = true;
        entry.usableUntil = usableUntil(result, validTill);
        return result;
      },
      (err: unknown) => {
        if (this.reports.get(key) === entry) this.reports.delete(key);
        throw err;
      },
    );
  }

  /** Keeps the memo small: reports past use go, then the oldest beyond the cap. */
  private forgetOldReports(): void {
    if (this.reports.size <= MAX_KEPT_REPORTS) return;
    const now = Date.now();
    for (const [key, kept] of this.reports) if (kept.settled && now >= kept.usableUntil) this.reports.delete(key);
    for (const [key, kept] of this.reports) {
      if (this.reports.size <= MAX_KEPT_REPORTS) break;
      if (kept.settled) this.reports.delete(key);
    }
  }

  private async generateNew(metric: CostMetric, slice: DateSlice): Promise<Generated> {
    // a billing_scope config names its scope; an enrollment_number config keeps its messages
    const of = this.scopeField === 'billing_scope' ? ` of ${scopeLabel(this.opts.scope)}` : '';
    const label = `${metric} report for ${slice.start}..${slice.end}${of}`;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.gate.run(() => this.generateOnce(metric, slice, label));
      if (outcome.kind !== 'failed') return outcome;
      if (attempt >= this.opts.maxReportAttempts) {
        throw new SystemError(`Azure could not generate the ${label} (status ${outcome.status}${outcome.detail ? `: ${outcome.detail}` : ''}) after ${attempt} attempts. The next sync resumes from the last saved state.`);
      }
      this.logger.warn(`Azure reported ${outcome.status} for the ${label}; requesting it again (${attempt}/${this.opts.maxReportAttempts - 1}).`);
      await this.http.backoff(attempt - 1);
    }
  }

  private async generateOnce(metric: CostMetric, slice: DateSlice, label: string): Promise<Generated | Failed> {
    const requested = await this.http.send({
      method: 'POST',
      url: this.reportUrl,
      data: {metric, timePeriod: {start: slice.start, end: slice.end}},
      auth: this.auth,
      accept: [200, 202, 204],
      purpose: `requesting the ${label}`,
      hint: (status) => this.hint(status),
      onThrottled: () => this.gate.onThrottled(),
    });
    this.gate.onSuccess();
    if (requested.status === 204) return {kind: 'generated', result: {kind: 'empty'}};
    if (requested.status === 200) return this.interpret(requested.body, label);
    const started = Date.now();
    let location = this.location(requested.headers, label);
    let delayMs = retryAfterMs(requested.headers) ?? 5_000;
    for (;;) {
      if (Date.now() - started > this.opts.maxReportWaitMs) {
        throw new SystemError(`The ${label} was still generating after ${Math.round(this.opts.maxReportWaitMs / 60_000)} minutes; the next sync will ask again.`);
      }
      await this.wait(Math.max(delayMs, 50));
      const polled = await this.http.send({
        method: 'GET',
        url: location,
        auth: this.auth,
        accept: [200, 202, 204],
        purpose: `waiting for the ${label}`,
        hint: (status) => this.hint(status),
        onThrottled: () => this.gate.onThrottled(),
      });
      if (polled.status === 204) return {kind: 'generated', result: {kind: 'empty'}};
      if (polled.status === 202) {
        const next = polled.headers.location;
        if (typeof next === 'string' && next) location = new URL(next, location).toString();
        delayMs = retryAfterMs(polled.headers) ?? Math.min(delayMs * 2, 30_000);
        continue;
      }
      const body = polled.body as {status?: string} | undefined;
      const status = body?.status ?? '';
      if (/^(running|inprogress|queued|notstarted)$/i.test(status)) {
        delayMs = retryAfterMs(polled.headers) ?? Math.min(delayMs * 2, 30_000);
        continue;
      }
      return this.interpret(polled.body, label);
    }
  }

  private interpret(body: unknown, label: string): Generated | Failed {
    const result = (body ?? {}) as {status?: string; validTill?: unknown; manifest?: {blobs?: {blobLink?: string; byteCount?: number}[]; byteCount?: number}; error?: {message?: string}};
    const status = result.status ?? '';
    const validTill = typeof result.validTill === 'string' ? Date.parse(result.validTill) : NaN;
    const generated = (r: ReportResult): Generated => (Number.isFinite(validTill) ? {kind: 'generated', result: r, validTill} : {kind: 'generated', result: r});
    if (/^nodatafound$/i.test(status)) return generated({kind: 'empty'});
    if (/^(failed|timedout|canceled|cancelled)$/i.test(status)) return {kind: 'failed', status, detail: result.error?.message};
    if (!/^completed$/i.test(status)) {
      throw new SystemError(`Unexpected answer for the ${label}: status "${status.slice(0, 40)}".`);
    }
    const blobs = result.manifest?.blobs ?? [];
    const targets: DownloadTarget[] = blobs.map((blob, i) => {
      if (typeof blob.blobLink !== 'string' || !/^https?:\/\//.test(blob.blobLink)) {
        throw new SystemError(`The manifest of the ${label} has a blob without a usable link.`);
      }
      return {
        url: blob.blobLink,
        byteCount: typeof blob.byteCount === 'number' && blob.byteCount >= 0 ? blob.byteCount : undefined,
        label: `blob ${i + 1}/${blobs.length} of the ${label}`,
      };
    });
    const byteCount = targets.reduce((sum, t) => sum + (t.byteCount ?? 0), 0);
    return generated(targets.length === 0 ? {kind: 'empty'} : {kind: 'ready', blobs: targets, byteCount});
  }

  private location(headers: Record<string, unknown>, label: string): string {
    const location = headers.location ?? headers['azure-asyncoperation'];
    if (typeof location !== 'string' || !location) {
      throw new SystemError(`Azure accepted the ${label} but gave no Location to poll.`);
    }
    return new URL(location, this.reportUrl).toString();
  }

  /** The config key the scope came from, for messages. */
  private get scopeField(): string {
    return this.opts.scopeField ?? 'billing_scope';
  }

  private hint(status: number): string | undefined {
    switch (status) {
      case 401:
        return 'Check tenant_id, client_id and client_secret (is the secret expired?).';
      case 403:
        return missingRoleHint(this.opts.scope);
      case 404:
        return `Check ${this.scopeField} (${scopeLabel(this.opts.scope)}) and api_base_url. ${missingRoleHint(this.opts.scope)}`;
      case 400:
        return `Check start_date and end_date: the Cost Details API serves at most 13 months back and one month per report. If Azure names the agreement, ${this.scopeField} does not fit the billing account's agreement (EA or MCA).`;
      default:
        return undefined;
    }
  }
}
