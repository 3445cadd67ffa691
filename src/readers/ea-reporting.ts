import {SystemError} from '../errors';
import {ApiKeyAuth} from '../http/auth';
import {HttpClient} from '../http/client';
import {DateSlice} from '../sync/slices';
import {joinUrl} from './urls';

export type EaRow = Record<string, unknown>;

export interface EaReportingOptions {
  eaBaseUrl: string;
  enrollmentNumber: string;
}

/** One page of the EA Reporting API and where the next one is. */
export interface EaPage {
  rows: EaRow[];
  nextLink: string | null;
}

/**
 * EA Reporting API (retired by Microsoft in 2024, kept for enrollments that still answer it):
 * usage details by custom date, followed page by page through nextLink.
 */
export class EaReportingReader {
  constructor(
    private readonly http: HttpClient,
    private readonly auth: ApiKeyAuth,
    private readonly opts: EaReportingOptions,
  ) {}

  firstPageUrl(slice: DateSlice): string {
    return joinUrl(
      this.opts.eaBaseUrl,
      `v3/enrollments/${encodeURIComponent(this.opts.enrollmentNumber)}/usagedetailsbycustomdate?startTime=${slice.start}&endTime=${slice.end}`,
    );
  }

  async page(url: string, slice: DateSlice, pageNumber: number): Promise<EaPage> {
    const response = await this.http.send({
      method: 'GET',
      url,
      auth: this.auth,
      accept: [200, 204],
      purpose: `reading page ${pageNumber} of EA usage for ${slice.start}..${slice.end}`,
      hint: (status) => this.hint(status),
    });
    if (response.status === 204 || response.body === undefined) return {rows: [], nextLink: null};
    const body = response.body as {data?: unknown; nextLink?: unknown};
    if (!body || typeof body !== 'object' || !Array.isArray(body.data)) {
      throw new SystemError(`Unexpected answer from the EA Reporting API for ${slice.start}..${slice.end}: no "data" list.`);
    }
    const next = typeof body.nextLink === 'string' && body.nextLink ? new URL(body.nextLink, url).toString() : null;
    return {rows: body.data as EaRow[], nextLink: next};
  }

  private hint(status: number): string | undefined {
    switch (status) {
      case 401:
        return 'Check api_key: it may be expired or revoked (keys last 6 months; an enterprise administrator renews them in the EA portal). Microsoft retired this API in 2024: prefer a service principal.';
      case 403:
        return 'The API key has no access to this enrollment, or API access is disabled for it in the EA portal.';
      case 404:
        return `Check enrollment_number (${this.opts.enrollmentNumber}) and ea_base_url.`;
      case 400:
        return 'Check start_date and end_date.';
      default:
        return undefined;
    }
  }
}
