import {spawn} from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

import {TODAY_ENV} from '../../src/dates';

export const CLI = path.resolve(__dirname, '..', '..', 'bin', 'source-azure-billing');

export interface Message {
  type: string;
  [key: string]: any;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: Message[];
  /** When the signal of `killWhen` was sent (ms since epoch). */
  signalledAt?: number;
}

/**
 * The date the integration tests' sandboxes are frozen at. The CLI is pinned to the same day
 * (SOURCE_AZURE_BILLING_TODAY), so the tests mean the same thing whatever day they run: the
 * 13-month window, "yesterday" of check and the default end date all follow it.
 */
export const FROZEN_TODAY = '2026-11-25';
export const AT_FROZEN_TODAY = {env: {[TODAY_ENV]: FROZEN_TODAY}};

const STANDARD_TYPES = new Set(['RECORD', 'STATE', 'LOG', 'SPEC', 'CONNECTION_STATUS', 'CATALOG', 'TRACE', 'CONTROL']);

export function tempDir(prefix = 'sab-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
}

/**
 * Runs the real CLI; every stdout line must be one protocol message. `killWhen` sends `signal`
 * (default SIGKILL) at the first message it holds for, or `delayMs` later (a point inside a wait).
 */
export function runCli(
  args: string[],
  opts: {killWhen?: (m: Message, seen: Message[]) => boolean; signal?: NodeJS.Signals; delayMs?: number; env?: NodeJS.ProcessEnv} = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...opts.env}});
    let stdout = '';
    let stderr = '';
    let pending = '';
    const messages: Message[] = [];
    let killed = false;
    let signalledAt: number | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (!line) continue;
        const m = JSON.parse(line) as Message;
        messages.push(m);
        if (!killed && opts.killWhen?.(m, messages)) {
          killed = true;
          const kill = (): void => {
            signalledAt = Date.now();
            child.kill(opts.signal ?? 'SIGKILL');
          };
          if (opts.delayMs) setTimeout(kill, opts.delayMs);
          else kill();
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (pending.trim()) {
        try {
          messages.push(JSON.parse(pending));
        } catch {
          // a SIGKILL can cut the last line: it was never a complete message
        }
      }
      resolve({code, signal, stdout, stderr, messages, signalledAt});
    });
  });
}

export function expectProtocolOnly(run: CliRun): void {
  for (const line of run.stdout.split('\n')) {
    if (!line) continue;
    const m = JSON.parse(line) as Message;
    if (!STANDARD_TYPES.has(m.type)) throw new Error(`non-protocol message type ${m.type}`);
  }
}

export const records = (run: CliRun | Message[], stream?: string): any[] =>
  (Array.isArray(run) ? run : run.messages).filter((m) => m.type === 'RECORD' && (!stream || m.record.stream === stream)).map((m) => m.record.data);

export const states = (run: CliRun | Message[], stream?: string): any[] =>
  (Array.isArray(run) ? run : run.messages)
    .filter((m) => m.type === 'STATE' && (!stream || m.state.stream.stream_descriptor.name === stream))
    .map((m) => m.state);

export const traces = (run: CliRun, type?: string): any[] => run.messages.filter((m) => m.type === 'TRACE' && (!type || m.trace.type === type)).map((m) => m.trace);

export const logs = (run: CliRun, level?: string): string[] =>
  run.messages.filter((m) => m.type === 'LOG' && (!level || m.log.level === level)).map((m) => m.log.message as string);

/** The state file the platform would pass back: the last STATE of each stream. */
export function stateFileFrom(messages: Message[]): unknown[] {
  const last = new Map<string, unknown>();
  for (const m of messages) if (m.type === 'STATE') last.set(m.state.stream.stream_descriptor.name, m.state);
  return [...last.values()];
}

/** Per-day sums in cents, from records de-duplicated by id (the last copy wins, as in a destination). */
export function dailyCents(recs: any[]): Map<string, number> {
  const byId = new Map<string, any>();
  for (const r of recs) byId.set(r.id, r);
  const sums = new Map<string, number>();
  for (const r of byId.values()) sums.set(r.usage_date, (sums.get(r.usage_date) ?? 0) + r.cost);
  const cents = new Map<string, number>();
  for (const [day, sum] of sums) cents.set(day, Math.round(sum * 100));
  return cents;
}

export function catalog(streams: string[], syncMode: 'incremental' | 'full_refresh' = 'incremental'): unknown {
  return {
    streams: streams.map((name) => ({
      stream: {name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental']},
      sync_mode: syncMode,
      cursor_field: ['usage_date'],
      destination_sync_mode: syncMode === 'incremental' ? 'append_dedup' : 'overwrite',
      primary_key: [['id']],
    })),
  };
}
