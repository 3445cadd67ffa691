import {DateSlice} from '../dates';
import {SystemError} from '../errors';
import {ApiKeyAuth} from '../http/auth';
import {HttpClient} from '../http/client';
import {joinUrl} from './urls';

export interface EaReportingOptions {
  eaBaseUrl: string;
  /** The EA Reporting API serves EA enrollments only (validation refuses other scopes with an API key). */
  enrollmentNumber: string;
}

/** What the decoding step found in a page: where the next one is, or why the page is unusable. */
export type EaPageVerdict = {nextLink: string | null} | {problem: string};

/** A page handed to the decoding step: its verdict as soon as it is parsed, its rows when they are done. */
export interface DecodingPage<Rows> {
  meta: Promise<EaPageVerdict>;
  output: Promise<Rows>;
}

/**
 * Where page bodies are decoded, defined here and wired by the stream (e.g. to the worker
 * pool): the reader only fetches bytes and follows nextLink.
 */
export interface EaPageDecoder<Rows> {
  decode(raw: Buffer): DecodingPage<Rows>;
  /** The rows of a page that came without a body. */
  readonly none: Rows;
}

/** One page of the EA Reporting API: where the next one is, and its rows to come. */
export interface EaPage<Rows> {
  nextLink: string | null;
  output: Promise<Rows>;
}

/**
 * EA Reporting API (retired by Microsoft in 2024, kept for enrollments that still answer it):
 * usage details by custom date, followed page by page through nextLink. Page bodies go to the
 * decoder raw: it says where the next page is before the page's rows are done. A page the
 * decoder finds cut or garbled is requested again, under the client's retry policy.
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

  async page<Rows>(url: string, slice: DateSlice, pageNumber: number, decoder: EaPageDecoder<Rows>): Promise<EaPage<Rows>> {
    const purpose = `reading page ${pageNumber} of EA usage for ${slice.start}..${slice.end}`;
    for (let attempt = 0; ; attempt++) {
      const response = await this.http.sendRaw({method: 'GET', url, auth: this.auth, accept: [200, 204], purpose, hint: (status) => this.hint(status)});
      if (response.status === 204 || response.body.length === 0) return {nextLink: null, output: Promise.resolve(decoder.none)};
      const page = decoder.decode(response.body);
      const meta = await page.meta;
      if (!('problem' in meta)) return {nextLink: meta.nextLink ? new URL(meta.nextLink, url).toString() : null, output: page.output};
      if (meta.problem !== 'bad-json') {
        throw new SystemError(`Unexpected answer from the EA Reporting API for ${slice.start}..${slice.end}: no "data" list.`);
      }
      // a cut or garbled page: fetched again
      await this.http.retryOrGiveUp(attempt, {purpose, problem: 'incomplete or invalid JSON body'});
    }
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
