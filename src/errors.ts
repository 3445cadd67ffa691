import type {FailureType} from './protocol/messages';

/** An error meant for the user: its message says what went wrong and what to do. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad configuration or missing permissions: retrying will not help, the user must act. */
export class ConfigError extends ConnectorError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message, 'config_error');
  }
}

/** Azure kept failing after every retry, or answered something unexpected; the next sync may succeed. */
export class SystemError extends ConnectorError {
  constructor(message: string) {
    super(message, 'system_error');
  }
}

export function asConnectorError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SystemError(`Unexpected error: ${message}`);
}
