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

  async *batches(first: EaPage, slice: DateSlice): AsyncGenerator<Normalized[]> {
    let page: EaPage | null = first;
    let number = 1;
    const seen = new Set<string>();
    while (page) {
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
      const next: string | null = page.nextLink;
      if (!next) break;
      // A nextLink that points back to a page already read would loop forever.
      if (seen.has(next)) throw new SystemError(`The EA Reporting API sent a nextLink back to a page already read (${slice.start}..${slice.end}).`);
      seen.add(next);
      page = await this.reader.page(next, slice, ++number);
    }
  }
}
