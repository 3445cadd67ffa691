import {LogLevel, logMessage} from './messages';
import {ProtocolOutput} from './output';

const ORDER: Record<LogLevel, number> = {TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5};

/** Logging as Airbyte LOG messages on the protocol output; never raw lines on stdout. */
export class Logger {
  private readonly min: number;

  constructor(
    private readonly output: ProtocolOutput,
    level: string = process.env.LOG_LEVEL ?? 'INFO',
  ) {
    this.min = ORDER[(level.toUpperCase() as LogLevel)] ?? ORDER.INFO;
  }

  log(level: LogLevel, message: string): void {
    if (ORDER[level] >= this.min) this.output.message(logMessage(level, message));
  }
  debug(message: string): void {
    this.log('DEBUG', message);
  }
  info(message: string): void {
    this.log('INFO', message);
  }
  warn(message: string): void {
    this.log('WARN', message);
  }
  error(message: string): void {
    this.log('ERROR', message);
  }
}
