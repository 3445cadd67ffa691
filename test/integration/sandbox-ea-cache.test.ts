import fs from 'fs';
import os from 'os';
import path from 'path';

import {startSandbox} from '../../sandbox';
import type {Sandbox} from '../../sandbox';

/** Every page of one EA range, following nextLink, with the server's own base URL taken out. */
async function pages(sb: Sandbox, start: string, end: string): Promise<string[]> {
  const out: string[] = [];
  let url: string | null = `${sb.baseUrl}/v3/enrollments/${sb.options.enrollmentNumber}/usagedetailsbycustomdate?startTime=${start}&endTime=${end}`;
  while (url) {
    const res = await fetch(url, {headers: {Authorization: `bearer ${sb.options.apiKey}`}});
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    const text = body.toString('utf8');
    out.push(text.split(sb.baseUrl).join('<base>'));
    url = (JSON.parse(text) as {nextLink: string | null}).nextLink;
  }
  return out;
}

describe('sandbox EA page cache (benchmarks serve pages from disk)', () => {
  const options = {startDate: '2026-09-01', endDate: '2026-09-10', today: '2026-11-25', rowsPerDay: 120, eaPageSize: 100, seed: 7};
  let dir: string;
  let plain: Sandbox;
  let cached: Sandbox;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ea-cache-test-'));
    plain = await startSandbox(options);
    cached = await startSandbox({...options, cacheDir: dir, cacheEaPages: true});
  });

  afterAll(async () => {
    await plain.close();
    await cached.close();
    fs.rmSync(dir, {recursive: true, force: true});
  });

  it('serves the same bytes from the files as it renders, on the first and on later reads', async () => {
    const rendered = await pages(plain, '2026-09-02', '2026-09-08');
    const firstFromCache = await pages(cached, '2026-09-02', '2026-09-08');
    const fromFiles = await pages(cached, '2026-09-02', '2026-09-08');
    expect(rendered.length).toBeGreaterThan(5);
    expect(firstFromCache).toEqual(rendered);
    expect(fromFiles).toEqual(rendered);
    const rows = rendered.flatMap((p) => (JSON.parse(p) as {data: unknown[]}).data);
    expect(rows.length).toBe(7 * 120);
    expect(fs.readdirSync(dir, {recursive: true}).some((f) => String(f).endsWith('.page'))).toBe(true);
  });
});
