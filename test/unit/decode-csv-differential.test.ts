import fc from 'fast-check';
import {Readable} from 'stream';
// eslint-disable-next-line @typescript-eslint/no-var-requires
const {parse} = require('csv-parse/sync') as {parse: (input: string, options: Record<string, unknown>) => string[][]};
import {decodeCsv} from '../../src/decode/csv';

/**
 * decodeCsv has its own tokenizer for speed; its contract is csv-parse's behaviour with the
 * options the connector used before (bom, relax_column_count, relax_quotes, skip_empty_lines).
 * Random text over the characters that matter, cut into random chunks, must give the same
 * records (or an error on both sides).
 */
const OPTIONS = {bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true};

function reference(text: string): string {
  try {
    const records = parse(text, OPTIONS);
    // decodeCsv yields nothing for a header without rows
    return JSON.stringify(records.length <= 1 ? [] : records);
  } catch {
    return 'error';
  }
}

async function decoded(text: string, chunk: number, batch: number): Promise<string> {
  const buf = Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  try {
    const out: string[][] = [];
    for await (const b of decodeCsv(Readable.from(parts), batch)) {
      if (out.length === 0) out.push(b.header);
      out.push(...b.rows);
    }
    return JSON.stringify(out);
  } catch {
    return 'error';
  }
}

const text = (maxLength: number) =>
  fc.array(fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '\r\n', '""', '\ufeff'), {maxLength}).map((a) => a.join(''));

describe('decodeCsv matches csv-parse', () => {
  test('random text, random chunks and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(text(60), fc.integer({min: 1, max: 24}), fc.integer({min: 1, max: 4}), async (t, chunk, batch) => {
        expect(await decoded(t, chunk, batch)).toBe(reference(t));
      }),
      {numRuns: 3000},
    );
  });

  test('well-formed files with LF or CRLF, quoted fields anywhere', async () => {
    const field = fc.oneof(fc.string({maxLength: 6}), fc.constantFrom('x,y', 'say "hi"', 'l1\nl2', 'l1\r\nl2', ''));
    const quote = (v: string, force: boolean) => (force || /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(field, fc.boolean()), {minLength: 1, maxLength: 5}), {minLength: 1, maxLength: 8}),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({min: 1, max: 40}),
        async (records, eol, trailing, chunk) => {
          const t = records.map((r) => r.map(([v, q]) => quote(v, q)).join(',')).join(eol) + (trailing ? eol : '');
          expect(await decoded(t, chunk, 3)).toBe(reference(t));
        },
      ),
      {numRuns: 1500},
    );
  });
});
