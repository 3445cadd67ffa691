import {Command} from 'commander';
import {AirbyteConfiguredCatalog, AirbyteConfiguredStream, SyncMode} from 'faros-airbyte-cdk/lib/protocol';
import fs from 'fs';

import {configLogLine, viewConfig} from './config/redact-secrets';
import {loadSpec} from './config/spec';
import {validateConfig, ValidatedConfig} from './config/validate';
import {asConnectorError, ConfigError} from './errors';
import {Logger} from './protocol/logger';
import {catalogMessage, connectionStatus, errorTrace, specMessage} from './protocol/messages';
import {ProtocolOutput} from './protocol/output';
import {parseInputState} from './protocol/state';
import {AzureBillingSource} from './source';
import {defaultThreads} from './work/pool';
import {oldestCostDetailsDay} from './sync/slices';
import {SelectedStream, StopRequested, SyncRunner} from './sync/runner';
import {connectorToday} from './dates';

interface Io {
  output: ProtocolOutput;
  logger: Logger;
}

function makeIo(): Io {
  const output = new ProtocolOutput(process.stdout);
  return {output, logger: new Logger(output)};
}

/** Reads a JSON file given on the command line; a bad one is the user's to fix. */
function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`Cannot read the ${what} file ${path}.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The ${what} file ${path} is not valid JSON (${jsonProblem((err as Error).message, text)}).`);
  }
}

/**
 * What JSON.parse found wrong, and where, without the piece of the text V8 quotes in its message
 * (`Unexpected token 'S', ..."_secret": SUPERSECRE"... is not valid JSON`): in a config file
 * that piece may be part of a secret.
 */
export function jsonProblem(message: string, text: string): string {
  const at = /at position (\d+)/.exec(message);
  let reason = message.replace(/\s*in JSON at position \d+.*$/s, '');
  if (/is not valid JSON/.test(reason) || /"/.test(reason)) reason = /^Unexpected token/.test(reason) ? 'unexpected character' : 'invalid JSON';
  reason = reason.replace(/\s*\(line \d+ column \d+\)/, '');
  if (!at) return reason;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = Number(at[1]) - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${column}`;
}

/**
 * Registers the secret values of a raw config before anything can print them: the secrets, and
 * as a safety net every string under a key the spec does not know (never printed on purpose).
 */
function loadConfig(path: string, io: Io): ValidatedConfig {
  const raw = readJsonFile(path, 'config');
  const credentials = (raw as {credentials?: Record<string, unknown>})?.credentials;
  if (credentials && typeof credentials === 'object') {
    for (const key of ['client_secret', 'api_key']) {
      if (typeof credentials[key] === 'string') io.output.redactor.add(credentials[key] as string);
    }
  }
  for (const value of viewConfig(raw, loadSpec().connectionSpecification).hidden) io.output.redactor.add(value);
  registerSas((raw as {data_source?: {sas_token?: unknown}})?.data_source?.sas_token, io);
  return validateConfig(raw);
}

/**
 * A SAS token is a secret as a whole and in its parts: the whole query (with or without its '?')
 * and its signature alone, which is what would survive in a URL rebuilt in another order.
 */
function registerSas(sas: unknown, io: Io): void {
  if (typeof sas !== 'string' || !sas.trim()) return;
  const query = sas.trim().replace(/^\?/, '');
  io.output.redactor.add(query);
  const sig = new URLSearchParams(query).get('sig');
  if (sig) {
    io.output.redactor.add(sig);
    io.output.redactor.add(encodeURIComponent(sig));
  }
}

function fail(io: Io, err: unknown): void {
  const error = asConnectorError(err);
  const internal = err instanceof Error && !(err === error) ? err.stack : undefined;
  io.output.message(errorTrace(error.message, error.failureType, internal));
  io.output.flush();
  process.exitCode = 1;
}

function makeSource(validated: ValidatedConfig, io: Io, threads = 1): AzureBillingSource {
  return new AzureBillingSource(validated, io.logger, io.output.redactor, {threads});
}

async function spec(io: Io): Promise<void> {
  io.output.message(specMessage(loadSpec()));
}

async function check(io: Io, configPath: string): Promise<void> {
  try {
    const source = makeSource(loadConfig(configPath, io), io);
    await source.check();
    io.output.message(connectionStatus(true));
  } catch (err) {
    const error = asConnectorError(err);
    if (error.failureType === 'config_error') io.output.message(errorTrace(error.message, 'config_error'));
    io.output.message(connectionStatus(false, error.message));
  }
}

async function discover(io: Io, configPath: string): Promise<void> {
  const source = makeSource(loadConfig(configPath, io), io);
  const {usage, conflicts, focus, datasets} = source.streams();
  io.output.message(catalogMessage({streams: [...usage, conflicts, ...focus, ...datasets].map((s) => s.asAirbyteStream())}));
}

/** The configured catalog, read as the CDK types it; every field is checked: the file is input. */
function selectedStreams(catalog: unknown, available: string[], fullRefreshOnly: string[] = []): SelectedStream[] {
  const streams = (catalog as Partial<AirbyteConfiguredCatalog> | null)?.streams;
  if (!Array.isArray(streams)) throw new ConfigError('The catalog has no "streams" list.');
  const selected: SelectedStream[] = [];
  for (const entry of streams as (Partial<AirbyteConfiguredStream> | null)[]) {
    const name = entry?.stream?.name;
    if (typeof name !== 'string') throw new ConfigError('A catalog entry has no stream name.');
    if (!available.includes(name)) {
      throw new ConfigError(`The catalog names stream "${name}", which this config does not offer (available: ${available.join(', ')}). Refresh the source schema.`);
    }
    const mode: unknown = entry?.sync_mode ?? SyncMode.FULL_REFRESH;
    if (mode !== SyncMode.INCREMENTAL && mode !== SyncMode.FULL_REFRESH) {
      throw new ConfigError(`The catalog asks stream "${name}" for sync_mode "${String(mode).slice(0, 40)}": use "incremental" or "full_refresh".`);
    }
    if (mode === SyncMode.INCREMENTAL && fullRefreshOnly.includes(name)) {
      throw new ConfigError(`The catalog asks stream "${name}" for sync_mode "incremental", but it is a snapshot without a cursor: use "full_refresh".`);
    }
    selected.push({name, syncMode: mode});
  }
  return selected;
}

async function read(io: Io, configPath: string, catalogPath: string, statePath?: string): Promise<void> {
  const validated = loadConfig(configPath, io);
  const source = makeSource(validated, io, validated.config.worker_threads || defaultThreads());
  source.executor.warm();
  io.logger.info(configLogLine(source.redactedConfig()));
  const catalog = readJsonFile(catalogPath, 'catalog');
  const state = statePath ? parseInputState(readJsonFile(statePath, 'state')) : {};
  const {usage, conflicts, focus, datasets} = source.streams();
  const selected = selectedStreams(
    catalog,
    [...usage, conflicts, ...focus, ...datasets].map((s) => s.name),
    datasets.filter((d) => !d.supportsIncremental).map((d) => d.name),
  );
  const today = connectorToday();
  const stop = {requested: false};
  const onSignal = (): void => {
    io.logger.warn('Stop requested: finishing the current batch, the last STATE covers every complete slice.');
    stop.requested = true;
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const runner = new SyncRunner(
    {
      config: validated.config,
      output: io.output,
      logger: io.logger,
      today,
      endDate: validated.config.end_date ?? today,
      oldestAvailable: source.usesCostDetails ? oldestCostDetailsDay(today) : undefined,
      stop,
      release: (bytes) => source.executor.release(bytes),
    },
    usage,
    conflicts,
    // focus_costs repeats the usage rows' conflicts (same rows, same ids): audited once, by usage
    [...focus, ...datasets],
  );
  try {
    await runner.run(selected, state);
  } catch (err) {
    void source.executor.close();
    if (err instanceof StopRequested) {
      io.logger.warn(err.message);
      io.output.flush();
      process.exitCode = 143;
      return;
    }
    throw err;
  }
  await source.executor.close();
  const {requests, retries, throttled} = source.http.stats;
  io.logger.info(`Sync complete: ${requests} requests, ${retries} retries, ${throttled} throttled.`);
  const exported = source.exports?.storage.stats;
  if (exported) io.logger.info(`Storage: ${exported.lists} listing page(s), ${exported.manifests} manifest(s), ${exported.dataBlobs} data blob(s) read.`);
}

/**
 * Runs one command; any error becomes a TRACE message and a non-zero exit code. With `exit`, the
 * process ends as soon as stdout has taken the last message: after a failed or stopped read,
 * work started ahead (reports still generating, requests backing off) must not outlive the sync
 * nor print after its last word.
 */
function action<A extends unknown[]>(fn: (io: Io, ...args: A) => Promise<void>, opts: {exit?: boolean} = {}): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const io = makeIo();
    try {
      await fn(io, ...args);
    } catch (err) {
      fail(io, err);
    } finally {
      io.output.flush();
    }
    if (opts.exit) await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    if (opts.exit) process.exit();
  };
}

export function mainCommand(argv: string[] = process.argv): Promise<unknown> {
  const program = new Command()
    .name('source-azure-billing')
    .description('Airbyte source for Azure Enterprise Agreement billing (Cost Details API, EA Reporting API)')
    .showHelpAfterError()
    .configureOutput({writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s)})
    .exitOverride((err) => {
      process.exitCode = err.exitCode;
      throw err;
    });
  program.command('spec').description('print the connector specification').action(action(spec));
  program
    .command('check')
    .description('check the config and the access to the enrollment')
    .requiredOption('--config <path>', 'config file')
    .action(action((io, opts: {config: string}) => check(io, opts.config)));
  program
    .command('discover')
    .description('print the catalog of streams')
    .requiredOption('--config <path>', 'config file')
    .action(action((io, opts: {config: string}) => discover(io, opts.config)));
  program
    .command('read')
    .description('read records, emitting state after every completed slice')
    .requiredOption('--config <path>', 'config file')
    .requiredOption('--catalog <path>', 'configured catalog file')
    .option('--state <path>', 'state file')
    .action(action((io, opts: {config: string; catalog: string; state?: string}) => read(io, opts.config, opts.catalog, opts.state), {exit: true}));
  return program.parseAsync(argv).catch(() => undefined);
}
