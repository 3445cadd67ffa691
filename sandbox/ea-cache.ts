/**
 * EA Reporting pages rendered once to disk (with a cacheDir) and served from the files, so a
 * benchmark measures the connector rather than the sandbox's row generator. Without a cacheDir
 * pages are rendered on every request, as before. A page file holds the JSON of its next
 * position on the first line and the rows (JSON texts joined by commas) after it; the nextLink
 * itself is built per request, since it carries the server's base URL.
 */
import {createHash, randomBytes} from 'crypto';
import {promises as fsp} from 'fs';
import * as path from 'path';
import {eaPage, EaPosition} from './ea';
import {Enrollment} from './enrollment';

const FORMAT_VERSION = 1;

export interface CachedEaPage {
  /** The rows as the inside of a JSON array, UTF-8: served as bytes, never decoded and encoded again. */
  rows: Buffer;
  next: EaPosition | null;
}

export function eaCacheKey(e: Enrollment, pageSize: number): string {
  const h = createHash('sha1').update(JSON.stringify({v: FORMAT_VERSION, e: e.opts, pageSize})).digest('hex');
  return `ea-${e.opts.enrollmentNumber}-${h.slice(0, 16)}`;
}

function render(e: Enrollment, start: string, end: string, pos: EaPosition, pageSize: number): CachedEaPage {
  const page = eaPage(e, start, end, pos, pageSize);
  return {rows: Buffer.from(page.rows.join(','), 'utf8'), next: page.next};
}

export class EaPageStore {
  constructor(private readonly cacheDir: string | undefined) {}

  private file(e: Enrollment, start: string, end: string, pos: EaPosition, pageSize: number): string {
    return path.join(this.cacheDir!, eaCacheKey(e, pageSize), `${start}_${end}_${pos.day}_${pos.slot}.page`);
  }

  async get(e: Enrollment, start: string, end: string, pos: EaPosition, pageSize: number): Promise<CachedEaPage> {
    if (!this.cacheDir) return render(e, start, end, pos, pageSize);
    const file = this.file(e, start, end, pos, pageSize);
    try {
      const bytes = await fsp.readFile(file);
      const nl = bytes.indexOf(10);
      if (nl > 0) return {next: JSON.parse(bytes.toString('utf8', 0, nl)) as EaPosition | null, rows: bytes.subarray(nl + 1)};
    } catch {
      // not rendered yet
    }
    const page = render(e, start, end, pos, pageSize);
    await fsp.mkdir(path.dirname(file), {recursive: true});
    // write-then-rename: concurrent processes sharing a cacheDir never read half a page
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await fsp.writeFile(tmp, Buffer.concat([Buffer.from(JSON.stringify(page.next) + '\n'), page.rows]));
    await fsp.rename(tmp, file);
    return page;
  }

  /** Renders every page of a range into the cache (for benchmarks); returns the row count. */
  async prerender(e: Enrollment, start: string, end: string, pageSize: number): Promise<number> {
    let pos: EaPosition | null = {day: 0, slot: 0};
    let rows = 0;
    while (pos) {
      const page: CachedEaPage = await this.get(e, start, end, pos, pageSize);
      if (page.rows.length > 0) rows += countTopLevelObjects(page.rows.toString('utf8'));
      pos = page.next;
    }
    return rows;
  }
}

/** Rows in a page text: each row is one `{...}` at depth 0 (strings may hold braces). */
function countTopLevelObjects(s: string): number {
  let depth = 0;
  let n = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123) {
      if (depth++ === 0) n++;
    } else if (c === 125) depth--;
  }
  return n;
}
