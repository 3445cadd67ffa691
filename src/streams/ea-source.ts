import {SystemError} from '../errors';
import {Normalized, NormalizeContext, normalizeEaRow} from '../normalize';
import {EaPage, EaReportingReader} from '../readers/ea-reporting';
import {SliceSource} from '../sync/slice-source';
import {MAX_BATCH_ROWS} from './cost-details-source';
import {DateSlice} from '../sync/slices';

/** EA Reporting API slices: the first page is fetched ahead, the rest follow nextLink in turn. */
export class EaSliceSource implements SliceSource<EaPage> {
  private readonly ctx: NormalizeContext = {metric: 'actual', sourceApi: 'ea_reporting'};

  constructor(private readonly reader: EaReportingReader) {}

  prepare(slice: DateSlice): Promise<EaPage> {
    return this.reader.page(this.reader.firstPageUrl(slice), slice, 1);
  }

  estimateRows(): number | undefined {
    return undefined;
  }

  /**
   * The rows of a slice, page by page. The next page is requested as soon as its link is known,
   * so its transfer and parsing overlap the processing of the current page (two pages at most
   * are held: the one being emitted and the one arriving).
   */
  async *batches(first: EaPage, slice: DateSlice): AsyncGenerator<Normalized[]> {
    let page: EaPage | null = first;
    let number = 1;
    const seen = new Set<string>();
    let pending: Promise<EaPage> | null = null;
    try {
      while (page) {
        const next: string | null = page.nextLink;
        // A nextLink that points back to a page already read would loop forever.
        const loops = next !== null && seen.has(next);
        if (next !== null && !loops) {
          seen.add(next);
          pending = this.reader.page(next, slice, ++number);
          pending.catch(() => undefined); // awaited below; this only avoids an unhandled rejection
        }
        const rows = page.rows;
        // a page is normalized in small batches (see MAX_BATCH_ROWS)
        for (let at = 0; at < rows.length; at += MAX_BATCH_ROWS) {
          const end = Math.min(rows.length, at + MAX_BATCH_ROWS);
          const out: Normalized[] = new Array(end - at);
          for (let i = at; i < end; i++) {
            out[i - at] = normalizeEaRow(rows[i], this.ctx);
            rows[i] = null as unknown as Record<string, unknown>; // let the raw row go
          }
          yield out;
        }
        if (rows.length === 0) yield [];
        if (loops) throw new SystemError(`The EA Reporting API sent a nextLink back to a page already read (${slice.start}..${slice.end}).`);
        if (!pending) break;
        page = await pending;
        pending = null;
      }
    } finally {
      pending = null;
    }
  }
}
