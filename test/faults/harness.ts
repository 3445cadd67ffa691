/**
 * Shared harness of the fault suite (`npm run test:faults`): sandboxes with secrets of their
 * own, CLI runs that are scanned for every secret value as soon as they end, clean-run
 * references, exact comparisons, and the figures each test adds to the suite's summary.
 */
import {randomBytes} from 'crypto';
import fs from 'fs';
import path from 'path';

import {Sandbox, SandboxOptions, startSandbox} from '../../sandbox';
import {addDays} from '../../src/dates';
import {compareToTruth, sandboxConfig, truthByDay} from '../integration/sandbox-config';
import {catalog, CliRun, expectProtocolOnly, FROZEN_TODAY, Message, runCli, RunOptions, tempDir, writeJson} from '../support/cli';

export {compareToTruth, sandboxConfig, truthByDay};

/** The day `n` days from the suite's pinned today (the CLI and the sandboxes are pinned to it). */
export function day(n: number): string {
  return addDays(FROZEN_TODAY, n);
}

/** A fresh secret value, so a hit in any output can only come from this run. */
export function secret(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

/**
 * Everything a test file started and every secret it used. Each CLI run is scanned for every
 * secret known when it ends (the sandboxes' client secrets, API keys and every access token
 * they issued, plus extra values registered by the test); a hit fails the run at once.
 */
export class Suite {
  readonly dir = tempDir('sab-faults-');
  readonly runs: CliRun[] = [];
  private readonly sandboxes: Sandbox[] = [];
  private readonly extraSecrets = new Set<string>();
  private files = 0;
  /** Figures for the summary printed after the file: name -> numbers. */
  readonly figures: Record<string, Record<string, unknown>> = {};

  async sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
    const sb = await startSandbox({
      rowsPerDay: 40,
      today: FROZEN_TODAY,
      clientSecret: secret('cs'),
      apiKey: secret('ak'),
      retryAfterSeconds: 0,
      ...options,
    });
    this.sandboxes.push(sb);
    return sb;
  }

  addSecret(value: string): void {
    this.extraSecrets.add(value);
  }

  secrets(): string[] {
    const all = new Set(this.extraSecrets);
    for (const sb of this.sandboxes) {
      all.add(sb.options.clientSecret);
      all.add(sb.options.apiKey);
      for (const t of sb.issuedTokens) all.add(t);
    }
    return [...all].filter((s) => s && s.length >= 6);
  }

  file(value: unknown, name = `f${this.files++}.json`): string {
    return writeJson(path.join(this.dir, name), value);
  }

  /** Runs the CLI, checks that stdout is protocol only and that no secret appears anywhere. */
  async cli(args: string[], opts?: RunOptions): Promise<CliRun> {
    const run = await runCli(args, opts);
    this.runs.push(run);
    if (run.signal !== 'SIGKILL') expectProtocolOnly(run);
    const hits = secretHits(run, this.secrets());
    if (hits.length > 0) throw new Error(`secret value(s) printed by \`${args[0]}\`: ${hits.join(', ')}`);
    return run;
  }

  /**
   * Runs the CLI and sends it `signal` `delayMs` after the first message for which `when` holds
   * (a time point inside a wait, when no message comes to trigger on). Scanned like cli().
   */
  async cliSignalled(args: string[], opts: {when: (m: Message, seen: Message[]) => boolean; delayMs: number; signal: NodeJS.Signals}): Promise<CliRun> {
    return this.cli(args, {killWhen: opts.when, delayMs: opts.delayMs, signal: opts.signal});
  }

  async read(
    sb: Sandbox,
    streams: string[],
    opts: {config?: Record<string, unknown>; state?: unknown; auth?: 'service_principal' | 'api_key'; syncMode?: 'incremental' | 'full_refresh'; kill?: RunOptions} = {},
  ): Promise<CliRun> {
    const args = ['read', '--config', this.file(sandboxConfig(sb, opts.auth, opts.config)), '--catalog', this.file(catalog(streams, opts.syncMode))];
    if (opts.state !== undefined) args.push('--state', this.file(opts.state));
    return this.cli(args, opts.kill);
  }

  /** Final scan of everything the file ran, with the secrets known at the end (late tokens included). */
  scanAll(): {runs: number; secrets: number; messages: number; hits: string[]} {
    const secrets = this.secrets();
    const hits: string[] = [];
    let messages = 0;
    for (const run of this.runs) {
      messages += run.messages.length;
      hits.push(...secretHits(run, secrets));
    }
    return {runs: this.runs.length, secrets: secrets.length, messages, hits};
  }

  async close(name: string): Promise<void> {
    await Promise.all(this.sandboxes.map((sb) => sb.close()));
    fs.rmSync(this.dir, {recursive: true, force: true});
    writeFigures(name, this.figures);
  }
}

/**
 * Which secrets (first 4 characters only) appear in a run's stdout or stderr: whole, URL-encoded,
 * or in part (any 12 characters in a row of a long secret: a cut or quoted piece is a leak too).
 */
export function secretHits(run: CliRun, secrets: string[]): string[] {
  const hits: string[] = [];
  const text = `${run.stdout}\n${run.stderr}`;
  for (const s of secrets) {
    const forms = new Set([s, encodeURIComponent(s)]);
    if (s.length >= 16) for (let i = 0; i + 12 <= s.length; i += 4) forms.add(s.slice(i, i + 12));
    for (const form of forms) {
      if (text.includes(form)) {
        hits.push(`${s.slice(0, 4)}…`);
        break;
      }
    }
  }
  return hits;
}

/** Per-day sums in cents of records de-duplicated by id. */
export function centsByDay(recs: {id: string; usage_date: string; cost: number}[]): Record<string, number> {
  const byId = new Map<string, {usage_date: string; cost: number}>();
  for (const r of recs) byId.set(r.id, r);
  const sums: Record<string, number> = {};
  for (const r of byId.values()) sums[r.usage_date] = (sums[r.usage_date] ?? 0) + r.cost;
  const cents: Record<string, number> = {};
  for (const d of Object.keys(sums).sort()) cents[d] = Math.round(sums[d] * 100);
  return cents;
}

export function idSet(recs: {id: string}[]): Set<string> {
  return new Set(recs.map((r) => r.id));
}

/** Sorted ids, for an exact comparison that prints a small diff when it fails. */
export function sortedIds(recs: {id: string}[]): string[] {
  return [...idSet(recs)].sort();
}

export function sum(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}

/** Every message type and status a run produced, in order, without records (for assertions). */
export function outline(run: CliRun | Message[]): string[] {
  const messages = Array.isArray(run) ? run : run.messages;
  const out: string[] = [];
  for (const m of messages) {
    if (m.type === 'STATE') out.push(`STATE ${m.state.stream.stream_descriptor.name} ${m.state.stream.stream_state.usage_date}`);
    else if (m.type === 'TRACE' && m.trace.type === 'STREAM_STATUS') out.push(`STATUS ${m.trace.stream_status.stream_descriptor.name} ${m.trace.stream_status.status}`);
    else if (m.type === 'TRACE' && m.trace.type === 'ERROR') out.push(`ERROR ${m.trace.error.failure_type}`);
  }
  return out;
}

/** A deterministic PRNG (mulberry32) for kill points and other seeded choices. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each test file writes its figures here; the suite's global teardown prints them all. */
export const FIGURES_DIR = path.resolve(__dirname, '..', '..', 'lib', 'faults-figures');

function writeFigures(name: string, figures: Record<string, unknown>): void {
  fs.mkdirSync(FIGURES_DIR, {recursive: true});
  fs.writeFileSync(path.join(FIGURES_DIR, `${name}.json`), JSON.stringify(figures, null, 2));
}
