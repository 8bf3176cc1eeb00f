// Names that say a value is a credential: real-world names both ways, segments rather than
// substrings (`MONKEY` holds no key), the repository's own patterns from `.github/envsync.yml`, and
// URLs that carry a password whatever their name.
import { describe, expect, it } from 'vitest';
import { isCredentialName, isSecretEntry, nameSegments, sensitiveNamePatterns } from '../../src/engine/secrets.js';
import { maskSecrets } from '../../src/engine/plan/mask.js';
import { sensitiveKeysOf } from '../../src/engine/declarations.js';
import { SpecIndex } from '../../src/engine/spec-index.js';
import { loadSpecs } from '../../src/specs/load.js';
import { findingsOf, sources } from '../helpers/repo.js';
import { context, environment, environmentTemplate } from './fixtures.js';

const SENSITIVE = [
  'DB_PASS',
  // Matched by the old substring rule too, and still: a credential word at the end of a run-together segment.
  'TS_AUTHKEY',
  'TAILSCALE_AUTHKEY',
  'SLACKWEBHOOK',
  'SENTRYDSN',
  'SESSIONCOOKIE',
  'PROXY_AUTHENTICATION',
  'X-Authentication',
  'DB_PASSWORD',
  'dbPassword',
  'db_password',
  'dbpassword',
  'PGPASSWORD',
  'MYSQL_PWD',
  'redis.pass',
  'PASSWORD2',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'client_secret',
  'GITHUB_TOKEN',
  'apiToken',
  'NPM_AUTH_TOKEN',
  'STRIPE_API_KEY',
  'X-Api-Key',
  'APIKey',
  'private_key',
  'GH_APP_PRIVATE_KEY',
  'SSL_CERT',
  'tls.cert',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'SENTRY_DSN',
  'AZURE_STORAGE_CONNECTION_STRING',
  'connectionString',
  'PASSWORD_SALT',
  'REQUEST_SIGNATURE',
  'SESSION_COOKIE',
  'Authorization',
  'AUTH_HEADER',
  'OAuthToken',
  'SLACK_WEBHOOK_URL',
  'HMAC_KEY',
  'JWT_SIGNING_KEY',
];

const PLAIN = [
  'PORT',
  'REPLICAS',
  'KEYBOARD_LAYOUT',
  'MONKEY',
  'DONKEY_COUNT',
  'AUTHOR',
  'AUTHORS_FILE',
  'PASSAGE',
  'BYPASS_CACHE',
  'COMPASS_HEADING',
  'KEYCLOAK_REALM',
  'CERTAINTY',
  'TOKENIZER_MODEL',
  'DATABASE_URL',
  'LOG_LEVEL',
  'AWS_REGION',
  'image_tag',
  'owner_team',
  'privateip',
];

describe('credential names', () => {
  it.each(SENSITIVE)('takes %s for a credential', (name) => {
    expect(isSecretEntry('environment variable', name, undefined)).toBe(true);
  });

  it.each(PLAIN)('takes %s for a plain value', (name) => {
    expect(isSecretEntry('environment variable', name, undefined)).toBe(false);
  });

  it('splits names at _ - . and at camelCase humps and digits', () => {
    expect(nameSegments('AWS_SECRET_ACCESS_KEY')).toEqual(['aws', 'secret', 'access', 'key']);
    expect(nameSegments('dbPassword')).toEqual(['db', 'password']);
    expect(nameSegments('DBPassword')).toEqual(['db', 'password']);
    expect(nameSegments('X-Api-Key')).toEqual(['x', 'api', 'key']);
    expect(nameSegments('tls.cert')).toEqual(['tls', 'cert']);
    expect(nameSegments('OAuth2Token')).toEqual(['o', 'auth', '2', 'token']);
  });

  it('adds the repository\'s globs, matched whole and ignoring case', () => {
    const keys = new Set(sensitiveNamePatterns(['*_PIN', 'license?']));
    expect(isCredentialName('CARD_PIN', keys)).toBe(true);
    expect(isCredentialName('card_pin', keys)).toBe(true);
    expect(isCredentialName('LICENSE1', keys)).toBe(true);
    expect(isCredentialName('PINNED_VERSION', keys)).toBe(false);
    expect(isCredentialName('LICENSE_SERVER', keys)).toBe(false);
    expect(isCredentialName('CARD_PIN')).toBe(false);
  });

  it('treats glob metacharacters other than * and ? literally', () => {
    const keys = new Set(sensitiveNamePatterns(['a.b', '(x)+']));
    expect(isCredentialName('a.b', keys)).toBe(true);
    expect(isCredentialName('axb', keys)).toBe(false);
    expect(isCredentialName('(x)+', keys)).toBe(true);
    expect(isCredentialName('xx', keys)).toBe(false);
  });

  it('applies the repository\'s globs carried in the sensitive keys to entries too', () => {
    expect(isSecretEntry('variable', 'card_pin', undefined, new Set(sensitiveNamePatterns(['*_PIN'])))).toBe(true);
    expect(isSecretEntry('variable', 'card_pin', undefined)).toBe(false);
  });
});

describe('masking by name', () => {
  const SECRET = 'CANARY-3b9d0e';

  it('masks DB_PASS in an env list and in a container envVars map, where it used to be shown', () => {
    const masked = JSON.stringify(
      maskSecrets({
        spec: {
          envs: [{ key: 'DB_PASS', value: SECRET }, { key: 'PORT', value: '5432' }],
          config: { container: { envVars: { DB_PASS: SECRET, KEYBOARD_LAYOUT: 'de' } } },
        },
      }),
    );
    expect(masked).toBe(
      '{"spec":{"envs":[{"key":"DB_PASS","value":"(sensitive)"},{"key":"PORT","value":"5432"}],"config":{"container":{"envVars":{"DB_PASS":"(sensitive)","KEYBOARD_LAYOUT":"de"}}}}}',
    );
  });

  it('masks the names of sensitive.names for every kind through sensitiveKeysOf', () => {
    const files = {
      ...context('ctx', {}, ['  envs:', '  - key: CARD_PIN', `    value: ${SECRET}`, '  - key: REGION', '    value: eu']),
      ...environmentTemplate('web', 'v1', {}, ['  variables:', '  - name: CARD_PIN', '    value: x']),
      ...environment('dev', 'web', 'v1', {}, ['  variables:', '  - name: CARD_PIN', `    value: ${SECRET}`]),
    };
    const loaded = loadSpecs(sources(files));
    const index = new SpecIndex(loaded.specs);
    for (const spec of loaded.specs) {
      const masked = JSON.stringify(maskSecrets(spec.data, sensitiveKeysOf(spec, index, ['*_pin'])));
      expect(masked, spec.file).not.toContain(SECRET);
      expect(JSON.stringify(maskSecrets(spec.data, sensitiveKeysOf(spec, index))).includes(SECRET), spec.file).toBe(spec.kind.kind !== 'EnvironmentTemplate');
    }
  });
});

describe('values in validation messages', () => {
  it('masks a DB_PASS override outside its restricted values, which nothing marks sensitive', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, ['  envVars:', '  - key: DB_PASS', '    value: a', '    options:', '      override:', '        type: restricted', '        restrictedValues: [a, b]']),
      ...environment('dev', 'web', 'v1', {}, ['  envVars:', '  - key: DB_PASS', '    value: CANARY-db-pass']),
    });
    expect(findings.map((f) => f.message)).toEqual(['environment variable "DB_PASS" is (sensitive value), but EnvironmentTemplate "web" restricts it to: "a", "b": pick one of them']);
  });

  it('masks a URL with a password in it whatever its name (DATABASE_URL)', () => {
    const findings = findingsOf({
      ...environmentTemplate('web', 'v1', {}, [
        '  variables:',
        '  - name: DATABASE_URL',
        '    value: postgres://admin:CANARY-url-pw@db.internal/app',
        '    options:',
        '      override:',
        '        type: restricted',
        '        restrictedValues: [postgres://db.internal/app]',
      ]),
    });
    expect(findings.map((f) => f.message)).toEqual([
      'variable "DATABASE_URL" has the value (sensitive value), which is not among its own restrictedValues ("postgres://db.internal/app"): add it there or change the value',
    ]);
  });
});
