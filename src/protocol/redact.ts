/**
 * Removes secret values (client secret, API key, access tokens) from any text that leaves the
 * process. Secrets are registered as soon as they are known (config read, token issued).
 */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined | null): void {
    // Very short values would redact ordinary words; real secrets are long.
    if (secret && secret.length >= 6) this.secrets.add(secret);
  }

  redact(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    let out = text;
    for (const secret of this.secrets) {
      // As is; URL- or form-encoded (token request bodies, query strings); and as it reads inside
      // a JSON string, since the text redacted is a serialized message (a `"` or `\` is escaped).
      for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
        if (out.includes(form)) out = out.split(form).join('***');
      }
    }
    return out;
  }
}
