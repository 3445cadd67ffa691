/**
 * MD5 digests of what the sandbox serves for a fixed seed, leaving out its unused reservation rows:
 * the ActualCost and AmortizedCost CSV lines (EA and MCA, in report order), the EA Reporting API
 * pages and the FocusCost rows. A test compares them with the digests of the sandbox before it had
 * unused reservation rows, so adding those rows provably changed no byte of any other row.
 */
import {createHash} from 'crypto';
import {eaPage, EaPosition} from '../../sandbox/ea';
import {makeEnrollment, UsageRow} from '../../sandbox/enrollment';
import {focusTable, scopeRows} from '../../sandbox/exports/datasets';
import {ExportsContext} from '../../sandbox/exports/world';
import {makeMcaAccount, McaRow} from '../../sandbox/mca';
import {mcaCsvLine, mcaDateStyle} from '../../sandbox/mca-csv';
import {eaPlan, interleavedRows, RenderOptions} from '../../sandbox/report';

export const DIGEST_EA = {seed: 5, enrollmentNumber: '87654321', startDate: '2026-01-03', endDate: '2026-02-06', rowsPerDay: 60, emptyDays: ['2026-01-10']};
export const DIGEST_MCA = {seed: 5, startDate: '2026-01-03', endDate: '2026-02-06', rowsPerDay: 60, today: '2026-02-10'};
/** One report per month, as the connector asks for them. */
export const DIGEST_MONTHS: Array<[string, string]> = [['2026-01-01', '2026-01-31'], ['2026-02-01', '2026-02-28']];

const OPTIONS: RenderOptions = {maxRowsPerBlob: 1_000_000, csvSchema: 'auto', bom: 'never'};
const KEY = Buffer.alloc(64, 7).toString('base64');

const usage = (chargeType: string) => chargeType !== 'UnusedReservation';

function md5(parts: Iterable<string>): string {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

export function sandboxDigests(): Record<string, string> {
  const e = makeEnrollment(DIGEST_EA);
  const m = makeMcaAccount(DIGEST_MCA);
  const ea = (metric: 'actual' | 'amortized') => md5((function* () {
    for (const [start, end] of DIGEST_MONTHS) {
      const plan = eaPlan(e, metric, start, end, OPTIONS, (r: UsageRow) => usage(r.c.ChargeType));
      yield plan.header;
      yield* plan.lines;
    }
  })());
  const mca = (metric: 'actual' | 'amortized') => md5((function* () {
    for (const [start, end] of DIGEST_MONTHS) {
      const style = mcaDateStyle(m.streamSeed, start.slice(0, 7));
      for (const r of interleavedRows<McaRow>(m, m.streamSeed, metric, start, end, (x) => usage(x.c.chargeType))) yield mcaCsvLine(r, style);
    }
  })());
  const pages = md5((function* () {
    let pos: EaPosition | null = {day: 0, slot: 0};
    while (pos) {
      const p = eaPage(e, DIGEST_MONTHS[0][0], DIGEST_MONTHS[1][1], pos, 37);
      yield JSON.stringify(p);
      pos = p.next;
    }
  })());
  const ctx: ExportsContext = {seed: 5, today: DIGEST_MCA.today, enrollment: e, mca: m, csvSchema: 'auto', storage: {account: 'a', key: KEY, container: 'c', rootFolderPath: '', exports: []}};
  const focus = (withRefunds: boolean) => md5((function* () {
    for (const [keep, version] of [[null, '1.0r2'], [() => true, '1.2']] as const) {
      for (const [start, end] of DIGEST_MONTHS) {
        const t = focusTable(scopeRows(ctx, keep), start, end, version);
        const status = t.header.indexOf('CommitmentDiscountStatus');
        const chargeClass = t.header.indexOf('ChargeClass');
        for (const r of t.rows()) {
          if (r.cells[status] === 'Unused' || (!withRefunds && r.cells[chargeClass] === 'Correction')) continue;
          yield r.cells.join('\u001f') + '\n';
        }
      }
    }
  })());
  return {
    eaActual: ea('actual'), eaAmortizedUsage: ea('amortized'), mcaActual: mca('actual'), mcaAmortizedUsage: mca('amortized'), eaPages: pages,
    focusUsage: focus(true), focusWithoutRefunds: focus(false),
  };
}
