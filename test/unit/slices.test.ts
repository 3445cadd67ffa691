import {oldestCostDetailsDay, planSlices, syncWindow} from '../../src/sync/slices';
import {ConfigError} from '../../src/errors';
import {addMonths, connectorToday, isValidIsoDate, monthEnd, TODAY_ENV} from '../../src/dates';

describe('planSlices', () => {
  it('cuts a range into slices of slice_days that never cross a calendar month', () => {
    expect(planSlices('2026-01-25', '2026-02-10', 7)).toEqual([
      {start: '2026-01-25', end: '2026-01-31'},
      {start: '2026-02-01', end: '2026-02-07'},
      {start: '2026-02-08', end: '2026-02-10'},
    ]);
  });

  it('handles leap years, one-day slices and 31-day slices', () => {
    expect(planSlices('2028-02-27', '2028-03-01', 31)).toEqual([
      {start: '2028-02-27', end: '2028-02-29'},
      {start: '2028-03-01', end: '2028-03-01'},
    ]);
    expect(planSlices('2026-03-30', '2026-04-01', 1).map((s) => s.start)).toEqual(['2026-03-30', '2026-03-31', '2026-04-01']);
  });

  it('covers every day exactly once', () => {
    const slices = planSlices('2025-11-03', '2026-10-30', 5);
    const days = new Set<string>();
    for (const s of slices) {
      for (let d = new Date(`${s.start}T00:00:00Z`); d.toISOString().slice(0, 10) <= s.end; d = new Date(d.getTime() + 86400000)) {
        const day = d.toISOString().slice(0, 10);
        expect(days.has(day)).toBe(false);
        days.add(day);
      }
      expect(s.start.slice(0, 7)).toBe(s.end.slice(0, 7));
    }
    expect(days.size).toBe(362);
  });

  it('gives nothing for an empty range', () => {
    expect(planSlices('2026-02-02', '2026-02-01', 7)).toEqual([]);
  });
});

describe('syncWindow', () => {
  const base = {startDate: '2026-01-01', endDate: '2026-03-20', lookbackDays: 3, monthCloseDays: 5, today: '2026-03-20', incremental: true};

  it('starts at start_date without state', () => {
    expect(syncWindow({...base, cursor: undefined})).toMatchObject({start: '2026-01-01', end: '2026-03-20'});
  });

  it('re-reads lookback_days before the cursor: max(start_date, cursor - lookback + 1)', () => {
    expect(syncWindow({...base, cursor: '2026-03-10'}).start).toBe('2026-03-08');
    expect(syncWindow({...base, cursor: '2026-03-10', lookbackDays: 0}).start).toBe('2026-03-11');
    expect(syncWindow({...base, cursor: '2026-01-01', lookbackDays: 10}).start).toBe('2026-01-01');
  });

  it('re-reads the whole previous month while it is closing', () => {
    const closing = {...base, today: '2026-03-04', endDate: '2026-03-04', cursor: '2026-03-03'};
    expect(syncWindow(closing).start).toBe('2026-02-01');
    expect(syncWindow({...closing, today: '2026-03-05', endDate: '2026-03-05'}).start).toBe('2026-03-01');
    expect(syncWindow({...closing, monthCloseDays: 0}).start).toBe('2026-03-01');
    // never before start_date
    expect(syncWindow({...closing, startDate: '2026-02-15'}).start).toBe('2026-02-15');
  });

  it('ignores the cursor in full refresh', () => {
    expect(syncWindow({...base, incremental: false, cursor: '2026-03-10'}).start).toBe('2026-01-01');
  });

  it('reads nothing when the cursor is beyond the end date (abnormal state)', () => {
    const w = syncWindow({...base, cursor: '2099-01-01', today: '2026-03-02'});
    expect(w.cursorBeyondEnd).toBe(true);
    expect(w.start > w.end).toBe(true);
  });

  it('clamps to the oldest day the API serves and says so', () => {
    const w = syncWindow({...base, incremental: false, startDate: '2023-01-01', oldestAvailable: '2025-04-01'});
    expect(w).toMatchObject({start: '2025-04-01', clampedFrom: '2023-01-01'});
  });
});

describe('dates', () => {
  it('knows the Cost Details history window and real dates', () => {
    expect(oldestCostDetailsDay('2026-11-25')).toBe('2025-11-01');
    expect(oldestCostDetailsDay('2026-01-31')).toBe('2025-01-01');
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-01');
    expect(monthEnd('2028-02-10')).toBe('2028-02-29');
    expect(isValidIsoDate('2026-02-29')).toBe(false);
    expect(isValidIsoDate('2026-13-01')).toBe(false);
    expect(isValidIsoDate('2024-02-29')).toBe(true);
  });
});

describe('connectorToday', () => {
  const now = new Date('2026-12-02T23:59:59Z');

  it('is the clock\'s UTC date unless SOURCE_AZURE_BILLING_TODAY pins it', () => {
    expect(TODAY_ENV).toBe('SOURCE_AZURE_BILLING_TODAY');
    expect(connectorToday({}, now)).toBe('2026-12-02');
    expect(connectorToday({[TODAY_ENV]: ''}, now)).toBe('2026-12-02');
    expect(connectorToday({[TODAY_ENV]: '2026-11-25'}, now)).toBe('2026-11-25');
  });

  it('refuses a pinned day that is not a calendar date, naming the variable', () => {
    for (const bad of ['2026-02-30', '25/11/2026', 'today']) {
      expect(() => connectorToday({[TODAY_ENV]: bad}, now)).toThrow(ConfigError);
      expect(() => connectorToday({[TODAY_ENV]: bad}, now)).toThrow(/SOURCE_AZURE_BILLING_TODAY must be a calendar date/);
    }
  });
});
