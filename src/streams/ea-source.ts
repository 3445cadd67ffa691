import {SystemError} from '../errors';
import {EaPage, EaReportingReader} from '../readers/ea-reporting';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {BoundedQueue} from '../work/bounded-queue';
import {UnitJob, UnitOutput} from '../work/unit';

/**
 * EA Reporting API slices: the first page is fetched ahead; the rest follow nextLink, each
 * requested as soon as the page before it is parsed, so transfers overlap the processing of the
 * pages before them (a few pages in flight at most).
 */
export class EaSliceSource implements SliceSource<EaPage> {
  constructor(
    private readonly reader: EaReportingReader,
    private readonly pagesInFlight: number,
  ) {}

  prepare(slice: DateSlice, target: SliceTarget): Promise<EaPage> {
    return this.reader.page(this.reader.firstPageUrl(slice), slice, 1, this.job(target));
  }

  estimateRows(): number | undefined {
    return undefined;
  }

  async *units(first: EaPage, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    const job = this.job(target);
    const queue = new BoundedQueue<Promise<UnitOutput>>(Math.max(2, this.pagesInFlight));
    const producer = queue.produce(async () => {
      const seen = new Set<string>();
      let page = first;
      for (let number = 1; ; ) {
        if (!(await queue.put(page.output))) return;
        const next = page.nextLink;
        if (next === null) return;
        // A nextLink that points back to a page already read would loop forever.
        if (seen.has(next)) throw new SystemError(`The EA Reporting API sent a nextLink back to a page already read (${slice.start}..${slice.end}).`);
        seen.add(next);
        page = await this.reader.page(next, slice, ++number, job);
      }
    });
    let finished = false;
    try {
      for (;;) {
        const output = await queue.take();
        if (!output) break;
        yield await output;
      }
      finished = true;
      await producer;
    } finally {
      if (!finished) queue.cancel();
    }
  }

  private job(target: SliceTarget): UnitJob {
    return {...target, metric: 'actual', sourceApi: 'ea_reporting'};
  }
}
