/** Microsoft Entra (AAD) client-credentials tokens and ARM bearer checks. */
import {randomBytes, randomUUID} from 'crypto';

export interface Credentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export type AuthResult = {ok: true} | {ok: false; status: number; code: string; message: string; headers?: Record<string, string>};

export const ARM_SCOPE = 'https://management.azure.com/.default';
/** Tokens for the storage account's Blob REST (docs/design.md §14). */
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

export type Audience = 'arm' | 'storage';

export interface TokenInfo {
  audience: Audience;
  /** The resource the token was issued for (its audience URI). */
  resource: string;
  expired: boolean;
}

export class TokenStore {
  private readonly tokens = new Map<string, number>(); // token -> expiry (ms)
  private readonly audiences = new Map<string, Audience>();
  readonly issued: string[] = [];

  constructor(private readonly creds: Credentials, private readonly lifetimeSeconds: number) {}

  /** Handle a token request form; returns [status, body]. Never echoes the secret. */
  issue(tenant: string, form: URLSearchParams): [number, Record<string, unknown>] {
    const aad = (status: number, error: string, code: number, desc: string): [number, Record<string, unknown>] => [status, {
      error,
      error_description: `AADSTS${code}: ${desc}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`,
      error_codes: [code],
      timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    }];
    if (tenant.toLowerCase() !== this.creds.tenantId.toLowerCase()) {
      return aad(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aad(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    if (clientId !== this.creds.clientId) {
      return aad(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`);
    }
    if (form.get('client_secret') !== this.creds.clientSecret) {
      return aad(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    const scope = form.get('scope') ?? '';
    if (scope !== ARM_SCOPE && scope !== 'https://management.core.windows.net/.default' && scope !== STORAGE_SCOPE) {
      return aad(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const token = 'eyJ0eXAiOiJKV1QiLCJzYW5kYm94Ijp0cnVlfQ.' + randomBytes(48).toString('base64url');
    this.tokens.set(token, Date.now() + this.lifetimeSeconds * 1000);
    this.audiences.set(token, scope === STORAGE_SCOPE ? 'storage' : 'arm');
    this.issued.push(token);
    return [200, {token_type: 'Bearer', expires_in: this.lifetimeSeconds, ext_expires_in: this.lifetimeSeconds, access_token: token}];
  }

  /** Make a token unusable (an injected expiry). */
  expire(token: string): void {
    this.tokens.set(token, 0);
  }

  /** A token's audience and whether it expired (null: never issued). */
  lookup(token: string): TokenInfo | null {
    const exp = this.tokens.get(token);
    const audience = this.audiences.get(token);
    if (exp === undefined || audience === undefined) return null;
    return {audience, resource: audience === 'storage' ? 'https://storage.azure.com' : 'https://management.azure.com', expired: Date.now() >= exp};
  }

  check(header: string | undefined): AuthResult & {token?: string} {
    const challenge = {'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."'};
    if (!header) return {ok: false, status: 401, code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing.", headers: challenge};
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return {ok: false, status: 401, code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is provided in an invalid format.", headers: challenge};
    const exp = this.tokens.get(m[1]);
    if (exp === undefined) return {ok: false, status: 401, code: 'InvalidAuthenticationToken', message: 'The access token is invalid.', headers: challenge};
    if (this.audiences.get(m[1]) === 'storage') {
      return {ok: false, status: 401, code: 'InvalidAuthenticationTokenAudience', message: "The access token has been obtained for wrong audience or resource 'https://storage.azure.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.azure.com/'.", headers: challenge};
    }
    if (Date.now() >= exp) return expired(m[1], exp);
    return {ok: true, token: m[1]};
  }
}

export function expired(token: string, exp: number): AuthResult & {token?: string} {
  return {
    ok: false, status: 401, code: 'ExpiredAuthenticationToken', token,
    message: `The access token expiry UTC time '${new Date(exp).toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'.`,
    headers: {'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token has expired."'},
  };
}
