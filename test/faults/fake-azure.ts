/**
 * A tiny scripted stand-in for Azure, for the cases the sandbox does not play: error bodies of
 * every encoding, and links (nextLink, Location, blobLink, redirects) to another host. Each
 * route answers what the test scripts; every request is recorded (method, URL, headers, body),
 * so a second instance can act as "another host" and prove what it was (not) sent.
 */
import {randomBytes} from 'crypto';
import http from 'http';
import {AddressInfo} from 'net';

export interface Answer {
  status: number;
  headers?: Record<string, string | number>;
  body?: string | Buffer | object;
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Route = (req: Received, fake: FakeAzure) => Answer | Promise<Answer>;

export type RouteName = 'token' | 'generate' | 'poll' | 'blob' | 'ea' | 'other';

const ROUTES: [RouteName, RegExp][] = [
  ['token', /\/oauth2\/v2\.0\/token$/i],
  ['generate', /\/generateCostDetailsReport$/i],
  ['poll', /\/costDetailsOperationResults\//i],
  ['blob', /\.csv$/i],
  ['ea', /\/usagedetailsbycustomdate$/i],
];

export class FakeAzure {
  readonly received: Received[] = [];
  readonly tokens: string[] = [];
  private server?: http.Server;
  baseUrl = '';

  constructor(private readonly routes: Partial<Record<RouteName, Route>> = {}) {}

  static async start(routes: Partial<Record<RouteName, Route>> = {}): Promise<FakeAzure> {
    const fake = new FakeAzure(routes);
    fake.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received: Received = {method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8')};
        fake.received.push(received);
        const path = new URL(received.url, 'http://x').pathname;
        const name = ROUTES.find(([, re]) => re.test(path))?.[0] ?? 'other';
        const route = fake.routes[name] ?? defaultRoute(name);
        Promise.resolve(route(received, fake)).then(
          (answer) => send(res, answer),
          (err: Error) => send(res, {status: 500, body: {error: {code: 'FakeError', message: err.message}}}),
        );
      });
    });
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** A fresh access token, remembered (so the secret scan knows it). */
  issueToken(): Answer {
    const token = `fake.${randomBytes(24).toString('base64url')}`;
    this.tokens.push(token);
    return {status: 200, body: {token_type: 'Bearer', expires_in: 3599, access_token: token}};
  }

  /** Requests to a route, by name. */
  requests(name: RouteName): Received[] {
    return this.received.filter((r) => (ROUTES.find(([, re]) => re.test(new URL(r.url, 'http://x').pathname))?.[0] ?? 'other') === name);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function defaultRoute(name: RouteName): Route {
  switch (name) {
    case 'token':
      return (_req, fake) => fake.issueToken();
    default:
      return () => ({status: 404, body: {error: {code: 'NotFound', message: 'No such resource in the fake.'}}});
  }
}

function send(res: http.ServerResponse, answer: Answer): void {
  let body = answer.body ?? '';
  const headers: Record<string, string | number> = {...answer.headers};
  if (typeof body === 'object' && !Buffer.isBuffer(body)) {
    body = JSON.stringify(body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  headers['Content-Length'] = buf.length;
  res.writeHead(answer.status, headers);
  res.end(answer.status === 204 ? undefined : buf);
}
