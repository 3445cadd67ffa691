/**
 * ClickHouse DDL and rows for a stream, mapped from its JSON schema the way Airbyte's ClickHouse
 * destination types columns:
 *   string -> String, string with format date -> Date, number -> Float64,
 *   integer -> Int64, boolean -> UInt8, object / array -> String holding the JSON text;
 *   a type that allows null -> Nullable(...).
 * number is Float64, not Decimal: the records carry JSON numbers (doubles), whose shortest text
 * can have more fractional digits than any Decimal scale (1.2345678901234567e-5 has 22, tiny
 * amounts more), and ClickHouse 18.16 refuses such a value for a Decimal(38, 18) column
 * ("Decimal value is too small") instead of rounding it. Float64 keeps every value the connector
 * sent; per-day sums of a few thousand charges stay exact to the cent (checked by the test).
 * The table is a ReplacingMergeTree ordered by the primary key `id`, versioned by the record's
 * emitted_at: loading a re-read day again replaces the older copies at merge time.
 */
import {randomUUID} from 'crypto';

export type JsonSchema = {type?: string | string[]; format?: string; properties?: Record<string, JsonSchema>; [k: string]: unknown};

export const NUMBER_TYPE = 'Float64';
export const VERSION_COLUMN = '_airbyte_emitted_at';

export const AIRBYTE_COLUMNS: Array<[string, string]> = [
  ['_airbyte_raw_id', 'String'],
  ['_airbyte_extracted_at', 'DateTime'],
  [VERSION_COLUMN, 'UInt64'],
];

export function columnType(prop: JsonSchema): string {
  const types = (Array.isArray(prop.type) ? prop.type : [prop.type ?? 'string']).filter((t): t is string => typeof t === 'string');
  const nullable = types.includes('null');
  const main = types.find((t) => t !== 'null') ?? 'string';
  let base: string;
  switch (main) {
    case 'string':
      base = prop.format === 'date' ? 'Date' : 'String';
      break;
    case 'number':
      base = NUMBER_TYPE;
      break;
    case 'integer':
      base = 'Int64';
      break;
    case 'boolean':
      base = 'UInt8';
      break;
    default: // object, array
      base = 'String';
  }
  return nullable ? `Nullable(${base})` : base;
}

export function columns(schema: JsonSchema): Array<[string, string]> {
  return [...AIRBYTE_COLUMNS, ...Object.entries(schema.properties ?? {}).map(([name, prop]): [string, string] => [name, columnType(prop)])];
}

/** CREATE TABLE for a stream; `table` may be qualified (`db.table`). */
export function createTableSql(table: string, schema: JsonSchema, source = 'resources/schemas/usage_details.json'): string {
  const cols = columns(schema);
  const width = Math.max(...cols.map(([n]) => n.length)) + 2;
  const partition = schema.properties?.usage_date ? '\nPARTITION BY toYYYYMM(usage_date)' : '';
  return [
    `-- Generated from ${source} by test/clickhouse/ddl.ts (npm run test:clickhouse checks this file is in sync).`,
    '-- Types as Airbyte\'s ClickHouse destination maps JSON schema: string -> String, date -> Date,',
    `-- number -> ${NUMBER_TYPE}, integer -> Int64, boolean -> UInt8, object/array -> String (JSON text),`,
    '-- nullable -> Nullable(...). ReplacingMergeTree on the primary key `id`, newest sync wins.',
    `CREATE TABLE IF NOT EXISTS ${table}`,
    '(',
    cols.map(([n, t]) => `    ${`\`${n}\``.padEnd(width)} ${t}`).join(',\n'),
    ')',
    `ENGINE = ReplacingMergeTree(${VERSION_COLUMN})${partition}`,
    'ORDER BY id;',
    '',
  ].join('\n');
}

function dateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** One JSONEachRow line for a RECORD: objects and arrays as JSON text, plus the Airbyte columns. */
export function toRow(schema: JsonSchema, data: Record<string, unknown>, emittedAt: number): string {
  const row: Record<string, unknown> = {
    _airbyte_raw_id: randomUUID(),
    _airbyte_extracted_at: dateTime(emittedAt),
    [VERSION_COLUMN]: emittedAt,
  };
  for (const name of Object.keys(schema.properties ?? {})) {
    const v = data[name];
    if (v === undefined) continue; // absent: the column's default (NULL for a Nullable column)
    row[name] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  }
  return JSON.stringify(row);
}
