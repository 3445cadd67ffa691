/**
 * Turns what Azure (or a proxy in front of it) answers on failure into one readable sentence:
 * ARM `{"error":{"code","message"}}`, AAD `{"error","error_description"}`, EA `{"error":...}` or
 * `{"Message":...}`, OData `{"odata.error":...}`, Azure Storage XML `<Error><Code>..`, HTML
 * pages, plain text, empty bodies. Always one line.
 */
export function describeErrorBody(status: number, body: unknown): string {
  const text = bodyText(body);
  const parsed = tryJson(text, body);
  if (parsed && typeof parsed === 'object') {
    const obj = parsed as Record<string, unknown>;
    const error = obj.error;
    if (error && typeof error === 'object') {
      const e = error as Record<string, unknown>;
      const code = typeof e.code === 'string' ? e.code : undefined;
      const message = typeof e.message === 'string' ? firstSentences(e.message) : undefined;
      if (code || message) return `${code ? `${code}: ` : ''}${message ?? 'no message'}`;
    }
    if (typeof obj.error_description === 'string') {
      // AAD appends trace ids and timestamps on new lines; the first line is the useful part.
      const description = firstSentences(obj.error_description.split(/\r?\n/)[0]);
      return `${typeof error === 'string' ? `${error}: ` : ''}${description}`;
    }
    const odata = obj['odata.error'];
    if (odata && typeof odata === 'object') {
      const o = odata as {code?: unknown; message?: unknown};
      const message = typeof o.message === 'string' ? o.message : (o.message as {value?: unknown} | undefined)?.value;
      if (typeof o.code === 'string' || typeof message === 'string') {
        return `${typeof o.code === 'string' ? `${o.code}: ` : ''}${typeof message === 'string' ? firstSentences(message) : 'no message'}`;
      }
    }
    if (typeof error === 'string') return error;
    for (const key of ['message', 'Message', 'errorMessage']) {
      if (typeof obj[key] === 'string') return firstSentences(obj[key] as string);
    }
  }
  const trimmed = text.replace(/^\ufeff/, '').trim();
  if (!trimmed) return `HTTP ${status} with an empty body`;
  const storage = /<Error>[\s\S]*?<Code>([^<]*)<\/Code>/i.exec(trimmed);
  if (storage) {
    // Azure Storage (report blobs): the message's first line; request id and time follow it.
    const message = /<Message>([^<]*)<\/Message>/i.exec(trimmed)?.[1];
    const first = message ? xmlText(message.split(/\r?\n/)[0]) : '';
    return `${xmlText(storage[1])}: ${first ? firstSentences(first) : 'no message'}`;
  }
  if (/^<(!doctype|html)/i.test(trimmed) || /<\/html>/i.test(trimmed)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1]?.trim();
    const heading = /<h1[^>]*>([^<]*)<\/h1>/i.exec(trimmed)?.[1]?.trim();
    const what = (title || heading)?.replace(/\s+/g, ' ');
    return `HTTP ${status}: an HTML error page${what ? ` "${what.slice(0, 120)}"` : ''} (from a proxy or gateway, not the API)`;
  }
  return `HTTP ${status}: ${firstSentences(trimmed.replace(/\s+/g, ' '))}`;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  try {
    return JSON.stringify(body);
  } catch {
    return String(body);
  }
}

function tryJson(text: string, body: unknown): unknown {
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) return body;
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function xmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

function firstSentences(text: string, max = 300): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
