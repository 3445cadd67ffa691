import {ApiKeyCredentials, ServicePrincipalCredentials} from '../config/types';
import {SecretRedactor} from '../protocol/redact';

/** Supplies the Authorization header, only for URLs under the base it was configured for. */
export interface Authenticator {
  /** undefined when the URL is not one this credential may be sent to. */
  headerFor(url: string): Promise<string | undefined>;
  /** The server refused the current credential (401): forget any cached token. */
  invalidate(): void;
  /** Whether a 401 can be cured by fetching a new credential. */
  readonly refreshable: boolean;
}

/** True when `url` is on the same origin as `base` and under its path prefix. */
export function isUnderBase(url: string, base: string): boolean {
  let u: URL;
  let b: URL;
  try {
    u = new URL(url);
    b = new URL(base);
  } catch {
    return false;
  }
  if (u.origin !== b.origin) return false;
  const prefix = b.pathname.replace(/\/+$/, '');
  return prefix === '' || u.pathname === prefix || u.pathname.startsWith(`${prefix}/`);
}

/**
 * The token audience of Azure Storage (every cloud's blob endpoints accept it): the service
 * principal signs in for it when exports are read without a SAS token (docs/design.md §14).
 */
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export interface TokenResponse {
  accessToken: string;
  expiresInSeconds: number;
}

export type TokenFetcher = () => Promise<TokenResponse>;

/**
 * Entra ID client-credentials token for the Cost Details API, cached and renewed five minutes
 * before it expires (or at 80% of a short lifetime), and at once after a 401.
 */
export class ServicePrincipalAuth implements Authenticator {
  readonly refreshable = true;
  private token?: {value: string; renewAt: number};
  private inflight?: Promise<string>;

  constructor(
    private readonly apiBaseUrl: string,
    private readonly fetchToken: TokenFetcher,
    private readonly redactor: SecretRedactor,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The token audience: the ARM endpoint of the cloud (management.azure.com, or a sovereign
   * cloud's management.* host); any other base URL (a proxy, a test server) uses public Azure's.
   */
  static scopeFor(apiBaseUrl: string): string {
    const url = new URL(apiBaseUrl);
    return url.protocol === 'https:' && url.hostname.startsWith('management.') ? `https://${url.hostname}/.default` : 'https://management.azure.com/.default';
  }

  async headerFor(url: string): Promise<string | undefined> {
    if (!isUnderBase(url, this.apiBaseUrl)) return undefined;
    return `Bearer ${await this.accessToken()}`;
  }

  invalidate(): void {
    this.token = undefined;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.inflight ??= this.fetchToken()
      .then(({accessToken, expiresInSeconds}) => {
        this.redactor.add(accessToken);
        const lifetimeMs = Math.max(1, expiresInSeconds) * 1000;
        const margin = Math.min(5 * 60_000, lifetimeMs * 0.2);
        this.token = {value: accessToken, renewAt: this.now() + lifetimeMs - margin};
        return accessToken;
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }
}

/** EA Reporting API key, sent as `Authorization: bearer <key>` to the EA base URL only. */
export class ApiKeyAuth implements Authenticator {
  readonly refreshable = false;

  constructor(
    private readonly eaBaseUrl: string,
    private readonly credentials: ApiKeyCredentials,
  ) {}

  async headerFor(url: string): Promise<string | undefined> {
    return isUnderBase(url, this.eaBaseUrl) ? `bearer ${this.credentials.api_key}` : undefined;
  }

  invalidate(): void {}
}

export type {ServicePrincipalCredentials};
