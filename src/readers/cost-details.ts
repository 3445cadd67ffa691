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

/**
 * Cost Details API (docs/design.md §1): ask for a report of one slice, poll its Location until it is
 * Completed, and hand back the blob links of its manifest.
 */
export class CostDetailsReader {
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

  async generate(metric: CostMetric, slice: DateSlice): Promise<ReportResult> {
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

  private async generateOnce(metric: CostMetric, slice: DateSlice, label: string): Promise<ReportResult | {kind: 'failed'; status: string; detail?: string}> {
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
    if (requested.status === 204) return {kind: 'empty'};
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
      if (polled.status === 204) return {kind: 'empty'};
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

  private interpret(body: unknown, label: string): ReportResult | {kind: 'failed'; status: string; detail?: string} {
    const result = (body ?? {}) as {status?: string; manifest?: {blobs?: {blobLink?: string; byteCount?: number}[]; byteCount?: number}; error?: {message?: string}};
    const status = result.status ?? '';
    if (/^nodatafound$/i.test(status)) return {kind: 'empty'};
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
    return targets.length === 0 ? {kind: 'empty'} : {kind: 'ready', blobs: targets, byteCount};
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
