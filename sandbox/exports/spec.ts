/**
 * Which Cost Management exports the sandbox's storage account holds (docs/design.md §14). Tests
 * pick small sets; the default set covers every dataset, format and layout quirk once.
 */

export type ExportDataset =
  | 'ActualCost' | 'AmortizedCost' | 'Usage' | 'FocusCost' | 'PriceSheet'
  | 'ReservationDetails' | 'ReservationTransactions' | 'ReservationRecommendations';

export const EXPORT_DATASETS: readonly ExportDataset[] = [
  'ActualCost', 'AmortizedCost', 'Usage', 'FocusCost', 'PriceSheet', 'ReservationDetails', 'ReservationTransactions', 'ReservationRecommendations',
];

/** csv | csv-gzip | parquet (uncompressed) | parquet-snappy. */
export type ExportFormat = 'csv' | 'csv-gzip' | 'parquet' | 'parquet-snappy';

export interface ExportSpec {
  /** Export name (a folder under the root folder path). */
  name: string;
  dataset: ExportDataset;
  /** 'ea': the EA enrollment; 'mca': the MCA billing profile `mcaProfile` (default 'ea'). */
  scope?: 'ea' | 'mca';
  /** Index into MCA_PROFILES for scope 'mca' (default 0). */
  mcaProfile?: number;
  format?: ExportFormat;
  /** The dataset version written in the manifest (default: the dataset's usual one). */
  dataVersion?: string;
  /**
   * Daily month-to-date history (default true): per month a zero-row run, a superseded older
   * run, then the complete newest run; false: one run per month.
   */
  history?: boolean;
  /** The newest month gets a newer run whose manifest names a blob that is missing (default false). */
  incompleteNewest?: boolean;
  /** Put runs under a `{yyyyMMddHHmm}` folder (default true). */
  timeFolder?: boolean;
  /** Legacy export: `_manifest.json`, older manifestVersion without top-level counts (default false). */
  legacyManifest?: boolean;
  /** Rows per part file (default 1000). */
  rowsPerPart?: number;
  /** Months (YYYY-MM) to export (default every month from the data start to today's). */
  months?: string[];
  /**
   * Of those months: 'first' only the first, 'after-first' all but the first (a legacy export
   * replaced by a new one), 'all' (default).
   */
  monthSpan?: 'all' | 'first' | 'after-first';
  /** Stray spaces in blobName (as in Microsoft's own example) and dates without Z (default false). */
  messyManifest?: boolean;
}

export interface StorageOptions {
  /** Storage account name (default 'sandboxbilling'). */
  account: string;
  /** Base64 account key (default derived from the seed). */
  key: string;
  container: string;
  rootFolderPath: string;
  exports: ExportSpec[];
}

/** Every dataset once, in every format and layout the connector must read. */
export const DEFAULT_EXPORTS: readonly ExportSpec[] = [
  // the legacy Usage export held the first month; the new ActualCost export took over after it
  {name: 'ea-actual-daily', dataset: 'ActualCost', format: 'csv', incompleteNewest: true, messyManifest: true, monthSpan: 'after-first'},
  {name: 'ea-amortized-daily', dataset: 'AmortizedCost', format: 'csv-gzip', timeFolder: false},
  {name: 'ea-usage-legacy', dataset: 'Usage', format: 'csv', legacyManifest: true, history: false, timeFolder: false, monthSpan: 'first'},
  {name: 'ea-focus', dataset: 'FocusCost', format: 'parquet-snappy', dataVersion: '1.0r2'},
  {name: 'ea-pricesheet', dataset: 'PriceSheet', format: 'parquet', history: false},
  {name: 'ea-reservation-details', dataset: 'ReservationDetails', format: 'csv'},
  {name: 'ea-reservation-transactions', dataset: 'ReservationTransactions', format: 'csv', history: false},
  {name: 'ea-reservation-recommendations', dataset: 'ReservationRecommendations', format: 'csv', history: false},
  {name: 'mca-actual-daily', dataset: 'ActualCost', scope: 'mca', format: 'parquet'},
  {name: 'mca-amortized-daily', dataset: 'AmortizedCost', scope: 'mca', format: 'parquet-snappy', incompleteNewest: true},
  {name: 'mca-focus', dataset: 'FocusCost', scope: 'mca', format: 'csv-gzip', dataVersion: '1.2'},
  {name: 'mca-pricesheet', dataset: 'PriceSheet', scope: 'mca', format: 'csv', history: false},
  {name: 'mca-reservation-recommendations', dataset: 'ReservationRecommendations', scope: 'mca', format: 'csv', history: false},
];

export const DEFAULT_DATA_VERSION: Record<ExportDataset, string> = {
  ActualCost: '2021-10-01',
  AmortizedCost: '2021-10-01',
  Usage: '2019-10-01',
  FocusCost: '1.0r2',
  PriceSheet: '2023-05-01',
  ReservationDetails: '2023-03-01',
  ReservationTransactions: '2023-05-01',
  ReservationRecommendations: '2023-05-01',
};
