import pino from 'pino';

import {LogLevel, logMessage} from './messages';
import {ProtocolOutput} from './output';

/** Structured facts about a log line (stream, slice, rows, rows_per_s, ...): rendered into its text. */
export type LogContext = Record<string, unknown>;

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const PINO_LEVELS: Record<LogLevel, PinoLevel> = {TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal'};

/**
 * Keys whose values are secrets wherever they sit in a context (pino's `redact`, up to three
 * levels deep). Values pasted into the text are the SecretRedactor's job, which sees every line.
 */
const SECRET_KEYS = ['client_secret', 'api_key', 'access_token', 'refresh_token', 'authorization', 'Authorization', 'password'];
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [`ctx.${key}`, `ctx.*.${key}`, `ctx.*.*.${key}`]);

/** What the Logger hands pino: the caller's context under one key, so it never collides with pino's own. */
interface PinoLine {
  level: number;
  msg?: string;
  ctx?: LogContext;
  stack?: string;
}

/**
 * Logging as Airbyte LOG messages on the protocol output; never raw lines on stdout. pino does
 * the levels, redaction and serialization; its destination (below) turns each of its lines into
 * a LOG message, synchronously, on the same batched output as the records.
 */
export class Logger {
  readonly pino: pino.Logger;

  constructor(output: ProtocolOutput, level: string = process.env.LOG_LEVEL ?? 'INFO') {
    this.pino = pino(
      {
        level: PINO_LEVELS[level.toUpperCase() as LogLevel] ?? 'info',
        base: null,
        timestamp: false,
        redact: {paths: REDACTED_PATHS, censor: '***'},
      },
      new AirbyteLogDestination(output),
    );
  }

  log(level: LogLevel, message: string, context?: LogContext): void {
    const method = PINO_LEVELS[level];
    if (!this.pino.isLevelEnabled(method)) return;
    if (!context) {
      this.pino[method](message);
      return;
    }
    const {ctx, stack} = plain(context);
    this.pino[method](stack ? {ctx, stack} : {ctx}, message);
  }
  trace(message: string, context?: LogContext): void {
    this.log('TRACE', message, context);
  }
  debug(message: string, context?: LogContext): void {
    this.log('DEBUG', message, context);
  }
  info(message: string, context?: LogContext): void {
    this.log('INFO', message, context);
  }
  warn(message: string, context?: LogContext): void {
    this.log('WARN', message, context);
  }
  error(message: string, context?: LogContext): void {
    this.log('ERROR', message, context);
  }
  fatal(message: string, context?: LogContext): void {
    this.log('FATAL', message, context);
  }
}

/** Errors in a context read as their message; the first one's stack becomes the LOG's stack_trace. */
function plain(context: LogContext): {ctx: LogContext; stack?: string} {
  let stack: string | undefined;
  const ctx: LogContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (value instanceof Error) {
      stack ??= value.stack;
      ctx[key] = value.message;
    } else {
      ctx[key] = value;
    }
  }
  return {ctx, stack};
}

/**
 * pino's destination: each line pino writes (one JSON object, already redacted) becomes an
 * Airbyte LOG message with the level mapped and the context rendered into the text, e.g.
 * `Slice 2026-03-01..2026-03-07 done (stream=usage_details rows=1234 rows_per_s=5678)`.
 */
export class AirbyteLogDestination implements pino.DestinationStream {
  constructor(private readonly output: ProtocolOutput) {}

  write(line: string): void {
    const parsed = JSON.parse(line) as PinoLine;
    const label = pino.levels.labels[parsed.level]?.toUpperCase() as LogLevel | undefined;
    this.output.message(logMessage(label ?? 'INFO', renderMessage(parsed.msg ?? '', parsed.ctx), parsed.stack));
  }
}

export function renderMessage(message: string, context?: LogContext): string {
  if (!context) return message;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) parts.push(`${key}=${renderValue(value)}`);
  }
  if (parts.length === 0) return message;
  return message ? `${message} (${parts.join(' ')})` : parts.join(' ');
}

/** Plain words as they are; anything with spaces, quotes or structure as JSON, so it reads back unambiguously. */
function renderValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=()]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? String(value);
}
