/**
 * The focus_costs column table (src/focus/columns.ts) against the FOCUS 1.2 column table and
 * Microsoft's FocusCost column lists (test/fixtures/focus/), and the schema file against the table.
 */
import fs from 'fs';
import path from 'path';

import {FOCUS_COLUMNS, focusJsonSchema, RECORD_COLUMNS} from '../../src/focus/columns';

const FIXTURES = path.resolve(__dirname, '../fixtures/focus');

function psv(file: string): string[][] {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => l.trim().split('|'));
}

/** Column names (and Microsoft's types) of one of the FocusCost lists. */
export function focusCostColumns(file: string): Array<{name: string; type: string}> {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  if (Array.isArray(doc.Columns)) return doc.Columns.map((c: {ColumnName: string; DataType: string}) => ({name: c.ColumnName, type: c.DataType}));
  return doc.translator.mappings.map((m: {source: {name: string; type: string}}) => ({name: m.source.name, type: m.source.type}));
}

describe('focus_costs columns', () => {
  it('carry the FOCUS 1.2 column table exactly: names, feature levels, types, nullability', () => {
    const table = psv('focus_spec_v1.2_columns.psv').map(([name, level, type, nulls, , since]) => ({
      name,
      level,
      type: type === 'Date/Time' ? 'DateTime' : type,
      nullable: nulls === 'True',
      since,
    }));
    expect(FOCUS_COLUMNS).toEqual(table);
  });

  it('hold every FOCUS 1.0 column (1.2 renamed none)', () => {
    const names = new Set(RECORD_COLUMNS.map(([n]) => n));
    for (const [name] of psv('focus_spec_v1.0_columns.psv')) expect(names).toContain(name);
  });

  it.each(['ftk_FocusCost_1.0.json', 'ftk_focuscost_1.0r2.json', 'ftk_FocusCost_1.2-preview.json', 'ftk_focuscost_1.2.json'])(
    'hold every column of Microsoft’s %s, with a compatible type',
    (file) => {
      const types = new Map(RECORD_COLUMNS);
      const cols = focusCostColumns(file);
      expect(cols.length).toBeGreaterThan(40);
      for (const {name, type} of cols) {
        expect(types.has(name)).toBe(true);
        const ours = types.get(name)!;
        const theirs = ({DateTimeOffset: 'DateTime', Number: 'Decimal'} as Record<string, string>)[type] ?? type;
        // Microsoft types some JSON columns as String in the hubs mappings; we parse them.
        if (theirs === 'String' && ours === 'JSON') continue;
        // Known slips in Microsoft's lists: ConsumedUnit is a unit name (String in FOCUS);
        // x_SkuTerm is "number of months" in the export's own metadata, String in the hubs mapping.
        if ((name === 'ConsumedUnit' && theirs === 'Decimal') || (name === 'x_SkuTerm' && theirs === 'String')) continue;
        expect(`${name}: ${ours}`).toBe(`${name}: ${theirs === 'DateTime' ? 'DateTime' : theirs}`);
      }
    },
  );

  it('resources/schemas/focus_costs.json is the table written out (node lib/scripts/gen-focus-schema.js)', () => {
    const file = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../resources/schemas/focus_costs.json'), 'utf8'));
    expect(file).toEqual(focusJsonSchema());
    const props = Object.keys(file.properties);
    expect(props[0]).toBe('x_RecordId');
    expect(file.properties.BilledCost.type).toBe('number');
    expect(file.properties.ChargePeriodStart).toMatchObject({type: 'string', format: 'date-time'});
    expect(file.properties.Tags.type).toEqual(['object', 'null']);
  });
});
