/**
 * The export dataset streams (docs/design.md §13): price sheet, reservation details,
 * reservation transactions and reservation recommendations. This module names the streams and
 * hands out row normalizers; the exports reader feeds them the rows of each file.
 */
import {parseDate} from '../../decode/values';
import {
  DatasetField,
  PRICE_SHEET_FIELDS,
  RESERVATION_DETAILS_FIELDS,
  RESERVATION_RECOMMENDATIONS_FIELDS,
  RESERVATION_TRANSACTIONS_FIELDS,
} from './fields';
import {DatasetRow, DatasetRowContext, DatasetSpec, makeDatasetNormalizer} from './normalize';

export type {DatasetField, DatasetFieldKind} from './fields';
export type {DatasetRow, DatasetRowContext} from './normalize';

export type ExportDataset = 'PriceSheet' | 'ReservationDetails' | 'ReservationTransactions' | 'ReservationRecommendations';

export interface DatasetStreamDef {
  stream: string;
  dataset: ExportDataset;
  schemaName: string;
  cursorField: string | null /* null: full_refresh only */;
}

export const DATASET_STREAMS: readonly DatasetStreamDef[] = Object.freeze([
  {stream: 'price_sheet', dataset: 'PriceSheet', schemaName: 'price_sheet', cursorField: 'billing_period'},
  {stream: 'reservation_details', dataset: 'ReservationDetails', schemaName: 'reservation_details', cursorField: 'usage_date'},
  {stream: 'reservation_transactions', dataset: 'ReservationTransactions', schemaName: 'reservation_transactions', cursorField: 'event_date'},
  {stream: 'reservation_recommendations', dataset: 'ReservationRecommendations', schemaName: 'reservation_recommendations', cursorField: null},
] as const);

/** First day of the month of an ISO-ish date, or null. */
function monthOf(v: unknown): string | null {
  const d = typeof v === 'string' ? parseDate(v) : null;
  return typeof d === 'string' ? d.slice(0, 8) + '01' : null;
}

/** Price sheet rows carry no billing period column in today's files: the run's month, else the effective start's. */
function completePriceSheet(record: Record<string, unknown>, context: DatasetRowContext): void {
  if (record.billing_period !== null) return;
  record.billing_period = monthOf(context.billingPeriod) ?? monthOf(record.effective_start_date);
}

export const DATASET_SPECS: Readonly<Record<ExportDataset, DatasetSpec>> = Object.freeze({
  PriceSheet: {
    dataset: 'PriceSheet',
    fields: PRICE_SHEET_FIELDS,
    cursor: 'billing_period',
    required: ['billing_period'],
    complete: completePriceSheet,
  },
  ReservationDetails: {
    dataset: 'ReservationDetails',
    fields: RESERVATION_DETAILS_FIELDS,
    cursor: 'usage_date',
    required: ['usage_date', 'reservation_id'],
  },
  ReservationTransactions: {
    dataset: 'ReservationTransactions',
    fields: RESERVATION_TRANSACTIONS_FIELDS,
    cursor: 'event_date',
    required: ['event_date'],
  },
  ReservationRecommendations: {
    dataset: 'ReservationRecommendations',
    fields: RESERVATION_RECOMMENDATIONS_FIELDS,
    cursor: null,
    required: [],
    currencyField: 'currency',
  },
});

/**
 * A normalizer for the rows of one file of `dataset` whose header is `header`. `context` is
 * optional (a compatible extension of the interface): the billing month of the export run, used
 * for price sheet rows without a billing period column.
 */
export function datasetRowNormalizer(
  dataset: ExportDataset,
  header: string[],
  context?: DatasetRowContext,
): (row: string[]) => DatasetRow {
  const spec = DATASET_SPECS[dataset];
  if (!spec) throw new Error(`not an export dataset stream: ${String(dataset)}`);
  return makeDatasetNormalizer(spec, header, context);
}

/** The JSON Schema of a dataset stream's record (resources/schemas/<stream>.json is this, written out). */
export function datasetJsonSchema(dataset: ExportDataset): Record<string, unknown> {
  const spec = DATASET_SPECS[dataset];
  const properties: Record<string, unknown> = {id: {type: 'string'}};
  for (const field of spec.fields) {
    const nonNull = spec.required.includes(field.name);
    properties[field.name] = fieldSchema(field, nonNull);
  }
  properties.additional_columns = {type: ['object', 'null'], additionalProperties: {type: 'string'}};
  properties.parse_errors = {type: 'array', items: {type: 'string'}};
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: true,
    required: ['id', ...spec.required, 'parse_errors'],
    properties,
  };
}

function fieldSchema(field: DatasetField, nonNull: boolean): Record<string, unknown> {
  const t = (type: string): string | string[] => (nonNull ? type : [type, 'null']);
  switch (field.kind) {
    case 'string':
    case 'guid':
      return {type: t('string')};
    case 'date':
    case 'month':
      return {type: t('string'), format: 'date'};
    case 'number':
    case 'amount':
      return {type: t('number')};
    case 'json':
      return {type: ['object', 'array', 'string', 'null']};
  }
}
