import {logMessage} from '../../src/protocol/messages';
import {ProtocolOutput} from '../../src/protocol/output';
import {SecretRedactor} from '../../src/protocol/redact';
import {PassThrough} from 'stream';

describe('SecretRedactor', () => {
  it('redacts a secret as is, URL-encoded and JSON-escaped, in every LOG a ProtocolOutput writes', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d) => (written += String(d)));
    const output = new ProtocolOutput(sink);
    const secret = 'p@ss"wo\\rd/+=~secret';
    output.redactor.add(secret);
    output.message(logMessage('INFO', `raw ${secret}`));
    output.message(logMessage('INFO', `form client_secret=${encodeURIComponent(secret)}&scope=x`));
    output.flush();
    expect(written).not.toContain(secret);
    expect(written).not.toContain(encodeURIComponent(secret));
    expect(written).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(written.split('\n').filter(Boolean).map((l) => JSON.parse(l).log.message)).toEqual(['raw ***', 'form client_secret=***&scope=x']);
  });

  it('leaves short values alone (they would redact ordinary words)', () => {
    const r = new SecretRedactor();
    r.add('abc');
    r.add('');
    r.add(undefined);
    expect(r.redact('abc def')).toBe('abc def');
  });
});

describe('viewConfig: what of a config may be printed (issue 17)', () => {
  const {configLogLine, redactSecretFields, viewConfig} = require('../../src/config/redact-secrets') as typeof import('../../src/config/redact-secrets');
  const {loadSpec} = require('../../src/config/spec') as typeof import('../../src/config/spec');
  const {validateConfig} = require('../../src/config/validate') as typeof import('../../src/config/validate');
  const {errorTrace} = require('../../src/protocol/messages') as typeof import('../../src/protocol/messages');
  const {randomBytes, randomUUID} = require('crypto') as typeof import('crypto');
  const spec = loadSpec().connectionSpecification;

  // Secret-shaped values, fresh for each run: a SAS query, a JWT, a GUID, an Azure client secret.
  const SAS = `sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&sig=${randomBytes(32).toString('base64').replace(/=+$/, '')}%3D`;
  const JWT = ['eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', randomBytes(48).toString('base64url'), randomBytes(64).toString('base64url')].join('.');
  const GUID = randomUUID();
  const AZ = `Xy8Q~${randomBytes(27).toString('base64url')}`;
  const SECRETS = [SAS, JWT, GUID, AZ];
  const expectNone = (text: string): void => {
    for (const s of SECRETS) for (const form of [s, encodeURIComponent(s), s.slice(-16)]) expect(text).not.toContain(form);
  };

  const config = {
    enrollment_number: '12345678',
    credentials: {auth_type: 'service_principal', tenant_id: 'contoso.example', client_id: 'app-1', client_secret: AZ, federated_token: JWT},
    data_source: {sas_token: SAS, nested: [{guid: GUID}]},
    start_date: '2026-01-01',
    tracking_rules: [{name: 'team', match: {resource_group: 'rg-*', 'tags.env': 'prod'}, set: {team: 'platform', 'cost center': '${tags.cc}'}, bar: {sig: SAS}}],
    legacy_secret: GUID,
  };

  it('shows the keys the spec defines, secrets REDACTED, and lists unknown keys by name only, at any depth', () => {
    const view = viewConfig(config, spec);
    expect(view.config).toEqual({
      enrollment_number: '12345678',
      credentials: {auth_type: 'service_principal', tenant_id: 'REDACTED', client_id: 'app-1', client_secret: 'REDACTED'},
      // data_source is the spec's since issue 15: its sas_token is a secret, its unknown keys are hidden
      data_source: {sas_token: 'REDACTED'},
      start_date: '2026-01-01',
      // match and set are free-form maps by the schema (additionalProperties: true): their plain values are the user's rules
      tracking_rules: [{name: 'team', match: {resource_group: 'rg-*', 'tags.env': 'prod'}, set: {team: 'platform', 'cost center': '${tags.cc}'}}],
    });
    expect(view.unknownKeys).toEqual(['credentials.federated_token', 'data_source.nested', 'tracking_rules[0].bar', 'legacy_secret']);
    const line = configLogLine(view);
    expect(line).toBe(
      `Config: ${JSON.stringify(view.config)}; ignored unknown keys: credentials.federated_token, data_source.nested, tracking_rules[0].bar, legacy_secret`,
    );
    expectNone(line);
    expect(config.credentials.client_secret).toBe(AZ); // the config itself is untouched
  });

  it('hands every string under an unknown key or a secret field to the redactor, plain words and numbers aside', () => {
    const view = viewConfig({...config, notes: ['status', 'message', '2026-01-01', '123456789', 'short', 'westeurope-1']}, spec);
    expect(view.hidden).toEqual(expect.arrayContaining([AZ, JWT, SAS, GUID, 'contoso.example', 'westeurope-1']));
    // a plain word or a number may be part of the protocol envelope: masking it would corrupt the JSON
    for (const plain of ['status', 'message', '123456789', 'short', 'service_principal', 'platform']) expect(view.hidden).not.toContain(plain);
    // nor is a date: it has no letter, and dates are everywhere in the log
    expect(view.hidden).not.toContain('2026-01-01');
  });

  it('an echo of a hidden value in a TRACE (internal_message too) or a CONNECTION_STATUS is masked, and the lines stay valid JSON', () => {
    const sink = new PassThrough();
    let written = '';
    sink.on('data', (d) => (written += String(d)));
    const output = new ProtocolOutput(sink);
    for (const v of viewConfig(config, spec).hidden) output.redactor.add(v);
    output.message(errorTrace(`failed with ${SAS}`, 'system_error', `Error: ${JWT}\n    at x (${GUID}.js:1:1)`));
    output.message({type: 'CONNECTION_STATUS', connectionStatus: {status: 'FAILED', message: `key ${AZ}`}});
    output.flush();
    expectNone(written);
    const lines = written.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0].trace.error).toMatchObject({message: 'failed with ***', failure_type: 'system_error', internal_message: 'Error: ***\n    at x (***.js:1:1)'});
    expect(lines[1].connectionStatus).toEqual({status: 'FAILED', message: 'key ***'});
  });

  it('keys of the other credentials branch are unknown: the branch is chosen by auth_type', () => {
    const view = viewConfig({credentials: {auth_type: 'api_key', api_key: AZ, client_secret: JWT}}, spec);
    expect(view.config).toEqual({credentials: {auth_type: 'api_key', api_key: 'REDACTED'}});
    expect(view.unknownKeys).toEqual(['credentials.client_secret']);
    expect(view.hidden).toEqual(expect.arrayContaining([AZ, JWT]));
    // no branch fits (an unsupported auth_type): every branch's secrets are still REDACTED
    expect(viewConfig({credentials: {auth_type: 'oauth', api_key: AZ, client_secret: JWT}}, spec).config).toEqual({
      credentials: {auth_type: 'oauth', api_key: 'REDACTED', client_secret: 'REDACTED'},
    });
  });

  it('a free-form entry holding an object or array is not shown; odd key names are not shown either', () => {
    const view = viewConfig(
      {tracking_rules: [{name: 'x', match: {'tags.env': {token: JWT}}, set: {t: [SAS]}}], [`${SAS}`]: 1, 'a b': 2, credentials: 'not an object', start_date: {sig: GUID}},
      spec,
    );
    expect(view.config).toEqual({tracking_rules: [{name: 'x', match: {'tags.env': 'REDACTED'}, set: {t: 'REDACTED'}}], credentials: 'not an object', start_date: {}});
    expect(view.unknownKeys).toEqual([`(a key of ${SAS.length} characters)`, '(a key of 3 characters)', 'start_date.sig']);
    expect(view.hidden).toEqual(expect.arrayContaining([JWT, SAS, GUID]));
    expectNone(configLogLine(view));
  });

  it('follows patternProperties and additionalProperties schemas below the root; the root allows unknown keys but does not know them', () => {
    const schema = {
      type: 'object',
      additionalProperties: true,
      properties: {
        labels: {type: 'object', patternProperties: {'^x-': {type: 'object', properties: {v: {type: 'string'}, k: {type: 'string', airbyte_secret: true}}}}},
        headers: {type: 'object', additionalProperties: {type: 'object', properties: {value: {type: 'string'}}}},
      },
    };
    const view = viewConfig({labels: {'x-a': {v: 'one', k: JWT, w: SAS}, y: 'two'}, headers: {auth: {value: 'v', token: GUID}}, extra: 1}, schema);
    expect(view.config).toEqual({labels: {'x-a': {v: 'one', k: 'REDACTED'}}, headers: {auth: {value: 'v'}}});
    expect(view.unknownKeys).toEqual(['labels.x-a.w', 'labels.y', 'headers.auth.token', 'extra']);
  });

  it('the log line lists at most 50 unknown keys and says how many more', () => {
    const many = Object.fromEntries(Array.from({length: 60}, (_, i) => [`k${i}`, `${JWT}${i}`]));
    const line = configLogLine(viewConfig(many, spec));
    expect(line).toMatch(/ignored unknown keys: k0, k1, .*, k49 and 10 more$/);
    expectNone(line);
  });

  it('redactSecretFields (the shown config) keeps its contract', () => {
    expect(redactSecretFields({credentials: {auth_type: 'api_key', api_key: ''}}, spec)).toEqual({credentials: {auth_type: 'api_key', api_key: ''}});
    expect(redactSecretFields('x', undefined)).toBe('x');
  });

  describe('config errors never quote a secret-shaped value, of an unknown key or a known one', () => {
    const valid = {enrollment_number: '12345678', credentials: {auth_type: 'service_principal', tenant_id: 't', client_id: 'c', client_secret: AZ, extra: SAS}, start_date: '2026-01-01', data_source: {sas_token: SAS, jwt: JWT}};
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['a SAS as the enrollment number (pattern)', {...valid, enrollment_number: SAS}, /enrollment_number .*digits only/],
      ['a JWT as look-back days (type)', {...valid, lookback_days: JWT}, /lookback_days .*must be an integer/],
      ['a SAS as start date (pattern)', {...valid, start_date: SAS}, /start_date .*YYYY-MM-DD/],
      ['a JWT as end date (pattern)', {...valid, end_date: JWT}, /end_date .*YYYY-MM-DD/],
      ['a JWT as auth_type', {...valid, credentials: {auth_type: JWT, api_key: AZ}}, /credentials\.auth_type \(value not shown\) is not supported/],
      ['a GUID as auth_type', {...valid, credentials: {auth_type: GUID}}, /credentials\.auth_type \(value not shown\) is not supported/],
      ['an object as client_id', {...valid, credentials: {...valid.credentials, client_id: {jwt: JWT}}}, /credentials\.client_id must be a string/],
      ['a URL with a SAS that does not parse', {...valid, api_base_url: `https://exa mple.blob.core.windows.net/c?${SAS}`}, /api_base_url ".*\?\*\*\*" is not a valid URL/],
      ['a URL with a SAS query', {...valid, ea_base_url: `https://example.blob.core.windows.net/c?${SAS}`}, /ea_base_url must not have a query string/],
      ['a secret in an unknown key of a rule', {...valid, tracking_rules: [{name: 'r', match: {id: '*'}, set: {t: 'x'}, sig: SAS}]}, /tracking_rules\[0\] \("r"\): unknown property "sig"/],
      ['an object as a match value', {...valid, tracking_rules: [{name: 'r', match: {'tags.env': {token: JWT}}, set: {t: 'x'}}]}, /match\["tags\.env"\]: value must be a string, got an object/],
      ['an array as a set value', {...valid, tracking_rules: [{name: 'r', match: {id: '*'}, set: {t: [SAS]}}]}, /set\["t"\]: value must be a string, got an array/],
      ['an object as a rule name (type)', {...valid, tracking_rules: [{name: {jwt: JWT}, match: {id: '*'}, set: {t: 'x'}}]}, /tracking_rules\[0\]\.name must be a string/],
    ];
    it.each(cases)('%s', (_what, cfg, says) => {
      let message = '';
      try {
        validateConfig(cfg);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(says);
      expectNone(message);
    });
  });
});
