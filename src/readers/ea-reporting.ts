import {DateSlice} from '../dates';
import {SystemError} from '../errors';
import {ApiKeyAuth} from '../http/auth';
import {HttpClient, InvalidBody} from '../http/client';
import {EaPageWork, UnitExecutor} from '../work/executor';
import {EaPageMeta, isProblem, UnitJob, UnitOutput, UnitProblem} from '../work/unit';
import {joinUrl} from './urls';

export interface EaReportingOptions {
  eaBaseUrl: string;
  /** The EA Reporting API serves EA enrollments only (validation refuses other scopes with an API key). */
  enrollmentNumber: string;
}

/** One page of the EA Reporting API, handed to the executor: where the next one is, and its records to come. */
export interface EaPage {
  nextLink: string | null;
  output: Promise<UnitOutput>;
}

const EMPTY_OUTPUT: UnitOutput = Object.freeze({
  bytes: new Uint8Array(0), idEnds: new Uint32Array(0), keys: new Float64Array(0), hashes: null,
  conflicts: [], conflictCount: 0, records: 0, parseErrors: 0, rejected: [],
}) as UnitOutput;

/**
 * EA Reporting API (retired by Microsoft in 2024, kept for enrollments that still answer it):
 * usage details by custom date, followed page by page through nextLink. Page bodies go to the
 * executor raw: it parses them (off the main thread when it has threads) and says where the
 * next page is before the page's rows are done.
 */
export class EaReportingReader {
  constructor(
    private readonly http: HttpClient,
    private readonly auth: ApiKeyAuth,
    private readonly opts: EaReportingOptions,
    private readonly executor: UnitExecutor,
  ) {}

  firstPageUrl(slice: DateSlice): string {
    return joinUrl(
      this.opts.eaBaseUrl,
      `v3/enrollments/${encodeURIComponent(this.opts.enrollmentNumber)}/usagedetailsbycustomdate?startTime=${slice.start}&endTime=${slice.end}`,
    );
  }

  async page(url: string, slice: DateSlice, pageNumber: number, job: UnitJob): Promise<EaPage> {
    let work: EaPageWork | undefined;
    const response = await this.http.send({
      method: 'GET',
      url,
      auth: this.auth,
      accept: [200, 204],
      purpose: `reading page ${pageNumber} of EA usage for ${slice.start}..${slice.end}`,
      hint: (status) => this.hint(status),
      decode: async (raw) => {
        work = this.executor.ea({kind: 'ea', job, bytes: raw});
        const meta = await work.meta;
        // a cut or garbled page: the request is retried
        if (isProblem(meta) && meta.problem === 'bad-json') throw new InvalidBody();
        return meta;
      },
    });
    if (response.status === 204 || response.body === undefined || !work) return {nextLink: null, output: Promise.resolve(EMPTY_OUTPUT)};
    const meta = response.body as EaPageMeta | UnitProblem;
    if (isProblem(meta)) {
      throw new SystemError(`Unexpected answer from the EA Reporting API for ${slice.start}..${slice.end}: no "data" list.`);
    }
    const next = meta.nextLink ? new URL(meta.nextLink, url).toString() : null;
    return {nextLink: next, output: (work as EaPageWork).output};
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
