/**
 * ClickHouse DDL and rows for a stream, mapped from its JSON schema the way Airbyte's ClickHouse
 * destination types columns:
 *   string -> String, string with format date -> Date, string with format date-time ->
 *   DateTime('UTC'), number -> Float64, integer -> Int64, boolean -> UInt8, object / array ->
 *   String holding the JSON text; a type that allows null -> Nullable(...).
 * date-time is DateTime('UTC'), not the destination's DateTime64: DateTime64 arrived in ClickHouse
 * 20.1 and Debian ships 18.16; FOCUS date-times carry whole seconds, so nothing is lost. 18.16
 * reads only 'YYYY-MM-DD hh:mm:ss' text into it: toRow writes ISO date-times (`...T...Z`) so.
 * number is Float64, not Decimal: the records carry JSON numbers (doubles), whose shortest text
 * can have more fractional digits than any Decimal scale (1.2345678901234567e-5 has 22, tiny
 * amounts more), and ClickHouse 18.16 refuses such a value for a Decimal(38, 18) column
 * ("Decimal value is too small") instead of rounding it. Float64 keeps every value the connector
 * sent; per-day sums of a few thousand charges stay exact to the cent (checked by the test).
 * The table is a ReplacingMergeTree ordered by the stream's primary key (`id`; `x_RecordId` for
 * focus_costs), versioned by the record's emitted_at: loading a re-read day again replaces the
 * older copies at merge time. It is partitioned by month of the cursor's day column
 * (`usage_date`; `ChargePeriodStart` for focus_costs) where the schema has one.
 */
import {randomUUID} from 'crypto';

export type JsonSchema = {type?: string | string[]; format?: string; properties?: Record<string, JsonSchema>; [k: string]: unknown};

export const NUMBER_TYPE = 'Float64';
export const DATE_TIME_TYPE = "DateTime('UTC')";
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
      base = prop.format === 'date' ? 'Date' : prop.format === 'date-time' ? DATE_TIME_TYPE : 'String';
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

/** The primary key column: `x_RecordId` in FOCUS streams (docs/design.md §15), `id` elsewhere. */
export function keyColumn(schema: JsonSchema): string {
  return schema.properties?.x_RecordId ? 'x_RecordId' : 'id';
}

/** The day column the cursor compares, if the schema has one: the table's partition key. */
export function dayColumn(schema: JsonSchema): string | null {
  return ['usage_date', 'ChargePeriodStart'].find((c) => schema.properties?.[c]) ?? null;
}

/** CREATE TABLE for a stream; `table` may be qualified (`db.table`). */
export function createTableSql(table: string, schema: JsonSchema, source = 'resources/schemas/usage_details.json'): string {
  const cols = columns(schema);
  const width = Math.max(...cols.map(([n]) => n.length)) + 2;
  const key = keyColumn(schema);
  const day = dayColumn(schema);
  const partition = day ? `\nPARTITION BY toYYYYMM(${day})` : '';
  return [
    `-- Generated from ${source} by test/clickhouse/ddl.ts (npm run test:clickhouse checks this file is in sync).`,
    '-- Types as Airbyte\'s ClickHouse destination maps JSON schema: string -> String, date -> Date,',
    `-- date-time -> ${DATE_TIME_TYPE}, number -> ${NUMBER_TYPE}, integer -> Int64, boolean -> UInt8,`,
    `-- object/array -> String (JSON text), nullable -> Nullable(...).`,
    `-- ReplacingMergeTree on the primary key \`${key}\`, newest sync wins.`,
    `CREATE TABLE IF NOT EXISTS ${table}`,
    '(',
    cols.map(([n, t]) => `    ${`\`${n}\``.padEnd(width)} ${t}`).join(',\n'),
    ')',
    `ENGINE = ReplacingMergeTree(${VERSION_COLUMN})${partition}`,
    `ORDER BY ${key};`,
    '',
  ].join('\n');
}

function dateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** An ISO date-time ('2026-11-01T00:00:00Z') as DateTime text in UTC; text that is no date-time as is (the insert then fails). */
function dateTimeText(v: string): string {
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : dateTime(ms);
}

/** One JSONEachRow line for a RECORD: objects and arrays as JSON text, plus the Airbyte columns. */
export function toRow(schema: JsonSchema, data: Record<string, unknown>, emittedAt: number): string {
  const row: Record<string, unknown> = {
    _airbyte_raw_id: randomUUID(),
    _airbyte_extracted_at: dateTime(emittedAt),
    [VERSION_COLUMN]: emittedAt,
  };
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const v = data[name];
    if (v === undefined) continue; // absent: the column's default (NULL for a Nullable column)
    if (typeof v === 'string' && prop.format === 'date-time') row[name] = dateTimeText(v);
    else row[name] = v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
  }
  return JSON.stringify(row);
}
