import {Logger} from '../protocol/logger';
import {BlobItem, BlobStorage} from './blob-storage';
import {chooseRuns, Dataset, ExportRun, isManifest, MonthChoice, parseManifest, underScope} from './export-runs';

export interface ExportsReaderOptions {
  /** Folder prefix in the container, without slashes around it; '' = the whole container. */
  rootFolderPath: string;
  /** Only these exports (by name); empty = all. */
  exportNames: string[];
  /** ARM path of the billing scope to keep (docs/design.md §14); undefined = every scope. */
  scopePath?: string;
}

/** What the container holds, as the runs' manifests say; read once per sync. */
export interface ExportCatalog {
  runs: ExportRun[];
  chosen: MonthChoice[];
  manifests: number;
}

/** Manifests read at once: small JSON files, many of them in a container with daily runs. */
const MANIFEST_CONCURRENCY = 8;

/**
 * The exports of a container (docs/design.md §14): lists the prefix, reads every manifest under
 * it, keeps the runs of the configured exports and scope, and chooses per (scope, dataset, month)
 * the run to read. Listing and manifests are read once per sync and shared by every stream.
 */
export class ExportsReader {
  private catalog?: Promise<ExportCatalog>;
  private readonly warned = new Set<string>();

  constructor(
    readonly storage: BlobStorage,
    private readonly opts: ExportsReaderOptions,
    private readonly logger: Logger,
  ) {}

  /** Where the exports are looked for, for messages: `container/prefix/`. */
  get location(): string {
    return `${this.storage.container}/${this.opts.rootFolderPath ? `${this.opts.rootFolderPath}/` : ''}`;
  }

  /** Whether only the exports named in the config are read. */
  get named(): boolean {
    return this.opts.exportNames.length > 0;
  }

  /** The prefixes listed: the root folder, or one per named export under it. */
  prefixes(): string[] {
    const root = this.opts.rootFolderPath ? `${this.opts.rootFolderPath}/` : '';
    return this.opts.exportNames.length > 0 ? this.opts.exportNames.map((name) => `${root}${name}/`) : [root];
  }

  load(): Promise<ExportCatalog> {
    this.catalog ??= this.read();
    return this.catalog;
  }

  /** The chosen runs of one dataset, by month; one WARN per run passed over because it is incomplete. */
  async choices(dataset: Dataset): Promise<MonthChoice[]> {
    const {chosen} = await this.load();
    const mine = chosen.filter((c) => c.dataset === dataset);
    for (const c of mine) {
      for (const run of c.incomplete) {
        const key = `incomplete ${run.manifest}`;
        if (this.warned.has(key)) continue;
        this.warned.add(key);
        this.logger.warn(
          `Export run ${run.runId} (${run.exportName}, ${run.startDay}..${run.endDay}) is not complete: its manifest names ${run.missing.length} blob(s) not in the container (${run.missing[0]}${run.missing.length > 1 ? ', ...' : ''}). Reading the previous complete run ${c.run.runId} of ${c.month} instead.`,
        );
      }
    }
    return mine;
  }

  /** Whether any export of the dataset exists under the prefix (whatever its months). */
  async holds(dataset: Dataset): Promise<boolean> {
    const {runs} = await this.load();
    return runs.some((r) => r.dataset === dataset);
  }

  private async read(): Promise<ExportCatalog> {
    const listed = new Map<string, BlobItem>();
    for (const prefix of this.prefixes()) {
      for (const blob of await this.storage.listAll(prefix)) listed.set(blob.name, blob);
    }
    const manifests = [...listed.keys()].filter(isManifest);
    const runs: ExportRun[] = [];
    const names = new Set(this.opts.exportNames.map((n) => n.toLowerCase()));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < manifests.length) {
        const name = manifests[next++];
        const parsed = parseManifest(name, await this.storage.readText(name), listed);
        if ('problem' in parsed) {
          this.logger.warn(`Skipping the export manifest ${parsed.manifest}: ${parsed.problem}.`);
          continue;
        }
        if (names.size > 0 && !names.has(parsed.exportName.toLowerCase())) continue;
        if (this.opts.scopePath !== undefined && !underScope(parsed, this.opts.scopePath)) continue;
        runs.push(parsed);
      }
    };
    await Promise.all(Array.from({length: Math.min(MANIFEST_CONCURRENCY, manifests.length)}, worker));
    const {chosen, unusable, nested} = chooseRuns(runs);
    const skipped = new Set(nested.map((c) => `${c.run.exportName} (${c.scope})`));
    for (const what of skipped) {
      this.logger.warn(`Export ${what} is not read: its scope lies inside another exported scope of the same dataset, whose runs hold its rows. Set data_source.export_names or billing_scope to choose.`);
    }
    for (const run of unusable) {
      this.logger.warn(
        `Export run ${run.runId} (${run.exportName}, ${run.startDay}..${run.endDay}) is not complete (its manifest names blobs not in the container, e.g. ${run.missing[0]}) and no earlier complete run covers its months: they are not read until a complete run exists.`,
      );
    }
    this.logger.info(
      `Exports in ${this.location}: ${manifests.length} manifest(s), ${runs.length} run(s) of the configured exports, ${chosen.length} (scope, dataset, month) to read.`,
    );
    return {runs, chosen, manifests: manifests.length};
  }
}
