import {SystemError} from '../errors';
import {EaPage as ReaderPage, EaPageDecoder, EaReportingReader} from '../readers/ea-reporting';
import {SliceSource, SliceTarget} from '../sync/slice-source';
import {DateSlice} from '../sync/slices';
import {BoundedQueue} from '../work/bounded-queue';
import {UnitExecutor} from '../work/executor';
import {UnitJob, UnitOutput} from '../work/unit';

type EaPage = ReaderPage<UnitOutput>;

/** The output of a page without rows. */
const EMPTY_OUTPUT: UnitOutput = Object.freeze({
  bytes: new Uint8Array(0), idEnds: new Uint32Array(0), keys: new Float64Array(0), hashes: null,
  conflicts: [], conflictCount: 0, records: 0, parseErrors: 0, rejected: [],
}) as UnitOutput;

/**
 * EA Reporting API slices: the first page is fetched ahead; the rest follow nextLink, each
 * requested as soon as the page before it is parsed, so transfers overlap the processing of the
 * pages before them (a few pages in flight at most).
 */
export class EaSliceSource implements SliceSource<EaPage> {
  constructor(
    private readonly reader: EaReportingReader,
    private readonly executor: UnitExecutor,
    private readonly pagesInFlight: number,
  ) {}

  prepare(slice: DateSlice, target: SliceTarget): Promise<EaPage> {
    return this.reader.page(this.reader.firstPageUrl(slice), slice, 1, this.decoder(this.job(target)));
  }

  estimateRows(): number | undefined {
    return undefined;
  }

  async *units(first: EaPage, slice: DateSlice, target: SliceTarget): AsyncGenerator<UnitOutput> {
    const decoder = this.decoder(this.job(target));
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
        page = await this.reader.page(next, slice, ++number, decoder);
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

  /** Pages are decoded by the executor (on worker threads when it has them). */
  private decoder(job: UnitJob): EaPageDecoder<UnitOutput> {
    return {decode: (raw) => this.executor.ea({kind: 'ea', job, bytes: raw}), none: EMPTY_OUTPUT};
  }

  private job(target: SliceTarget): UnitJob {
    return {...target, metric: 'actual', sourceApi: 'ea_reporting'};
  }
}
