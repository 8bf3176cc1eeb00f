// Secrets are masked before anything is compared or rendered: values marked sensitive, file data,
// container files, pull passwords, and env vars or headers whose names say they are credentials.
import { describe, expect, it } from 'vitest';
import { Masked, maskSecrets } from '../../../src/engine/plan/mask.js';
import { CTX_AWS, DRV_TOFU, exampleFiles, load } from './repo.js';

const SECRET = 'CANARY-5ecret-value';
const isMasked = (v: unknown) => v instanceof Masked;

/** The masked document, and its JSON, which must not hold the secret. */
function masked(data: unknown, keys?: ReadonlySet<string>): { doc: Record<string, unknown>; json: string } {
  const doc = maskSecrets(data, keys) as Record<string, unknown>;
  return { doc, json: JSON.stringify(doc) };
}

const spec = (doc: Record<string, unknown>) => doc.spec as Record<string, unknown[]>;
const entry = (doc: Record<string, unknown>, list: string, i = 0) => spec(doc)[list]![i] as Record<string, unknown>;

describe('maskSecrets: entries marked sensitive', () => {
  it('masks the value of a variable whose options say sensitive, keeping its name and options', () => {
    const { doc, json } = masked({ spec: { variables: [{ name: 'db_password', value: SECRET, valueType: 'text', options: { sensitive: true } }] } });
    expect(entry(doc, 'variables')).toEqual({ name: 'db_password', value: expect.any(Masked), valueType: 'text', options: { sensitive: true } });
    expect(json).not.toContain(SECRET);
    expect(json).toBe('{"spec":{"variables":[{"name":"db_password","value":"(sensitive)","valueType":"text","options":{"sensitive":true}}]}}');
  });

  it('keeps the value of a variable that is not sensitive', () => {
    const { doc } = masked({ spec: { variables: [{ name: 'replicas', value: '2', options: { sensitive: false } }] } });
    expect(entry(doc, 'variables')).toEqual({ name: 'replicas', value: '2', options: { sensitive: false } });
  });

  it('masks the value of a sensitive envVars entry', () => {
    const { doc, json } = masked({ spec: { envVars: [{ key: 'DB_URL', value: SECRET, options: { sensitive: true } }, { key: 'REGION', value: 'eu' }] } });
    expect(spec(doc).envVars).toEqual([{ key: 'DB_URL', value: expect.any(Masked), options: { sensitive: true } }, { key: 'REGION', value: 'eu' }]);
    expect(json).not.toContain(SECRET);
  });

  it('masks the value of a sensitive envs entry of a config context', () => {
    const { doc, json } = masked({ spec: { envs: [{ key: 'DB_URL', value: SECRET, options: { sensitive: true } }] } });
    expect(isMasked(entry(doc, 'envs').value)).toBe(true);
    expect(json).not.toContain(SECRET);
  });

  it('masks a sensitive numeric value too', () => {
    const { doc, json } = masked({ spec: { variables: [{ name: 'pin', value: 987654321, options: { sensitive: true } }] } });
    expect(isMasked(entry(doc, 'variables').value)).toBe(true);
    expect(json).not.toContain('987654321');
  });
});

describe('maskSecrets: file contents', () => {
  it('masks every files[].data, sensitive or not, keeping name and mountPath', () => {
    const { doc, json } = masked({ spec: { files: [{ name: 'a.json', data: SECRET }, { mountPath: '/etc/b', data: `${SECRET}-b`, options: { sensitive: false } }] } });
    expect(spec(doc).files).toEqual([
      { name: 'a.json', data: expect.any(Masked) },
      { mountPath: '/etc/b', data: expect.any(Masked), options: { sensitive: false } },
    ]);
    expect(json).not.toContain(SECRET);
  });

  it('masks each value of a container files map (file name → content), keeping the file names', () => {
    const hook = { name: 'h', type: 'container', options: { container: { image: 'img', files: { 'id_rsa': SECRET, 'config.yaml': `${SECRET}-2` } } } };
    const { doc, json } = masked({ spec: { hooks: { onInit: [hook] } } });
    const files = ((((doc.spec as Record<string, unknown>).hooks as Record<string, unknown[]>).onInit![0] as Record<string, unknown>).options as Record<string, Record<string, unknown>>).container!.files as Record<string, unknown>;
    expect(Object.keys(files)).toEqual(['id_rsa', 'config.yaml']);
    expect(Object.values(files).every(isMasked)).toBe(true);
    expect(json).not.toContain(SECRET);
    expect(json).toContain('"image":"img"');
  });
});

describe('maskSecrets: credentials by position or by name', () => {
  it('masks imagePullCredentials.password and keeps registry and username', () => {
    const { doc, json } = masked({ spec: { config: { container: { imagePullCredentials: { registry: 'ghcr.io', username: 'bot', password: SECRET } } } } });
    const creds = ((doc.spec as Record<string, Record<string, Record<string, unknown>>>).config!.container!.imagePullCredentials) as Record<string, unknown>;
    expect(creds).toEqual({ registry: 'ghcr.io', username: 'bot', password: expect.any(Masked) });
    expect(json).not.toContain(SECRET);
  });

  it('masks container env vars named like credentials (TOKEN, AWS_SECRET_ACCESS_KEY) but not LOG_LEVEL', () => {
    const envVars = { TOKEN: `${SECRET}-1`, AWS_SECRET_ACCESS_KEY: `${SECRET}-2`, GITHUB_TOKEN: `${SECRET}-3`, LOG_LEVEL: 'info', TF_IN_AUTOMATION: 'true' };
    const { doc, json } = masked({ spec: { config: { container: { envVars } } } });
    const out = (doc.spec as Record<string, Record<string, Record<string, Record<string, unknown>>>>).config!.container!.envVars!;
    expect(out).toEqual({ TOKEN: expect.any(Masked), AWS_SECRET_ACCESS_KEY: expect.any(Masked), GITHUB_TOKEN: expect.any(Masked), LOG_LEVEL: 'info', TF_IN_AUTOMATION: 'true' });
    expect(json).not.toContain(SECRET);
  });

  it('masks http headers named like credentials (Authorization, X-Api-Key, numeric X-TOKEN) but not Content-Type', () => {
    const headers = { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': `${SECRET}-k`, 'X-TOKEN': 1234567890123, 'Content-Type': 'application/json' };
    const { doc, json } = masked({ spec: { config: { http: { endpoint: 'https://x', headers } } } });
    const out = (doc.spec as Record<string, Record<string, Record<string, Record<string, unknown>>>>).config!.http!.headers!;
    expect(out).toEqual({ Authorization: expect.any(Masked), 'X-Api-Key': expect.any(Masked), 'X-TOKEN': expect.any(Masked), 'Content-Type': 'application/json' });
    expect(json).not.toContain(SECRET);
    expect(json).not.toContain('1234567890123');
  });

  it('masks an envVars list entry named like a credential even when nothing marks it sensitive', () => {
    const { doc, json } = masked({ spec: { envVars: [{ key: 'AWS_SECRET_ACCESS_KEY', value: SECRET }, { key: 'LOG_LEVEL', value: 'info' }] } });
    expect(spec(doc).envVars).toEqual([{ key: 'AWS_SECRET_ACCESS_KEY', value: expect.any(Masked) }, { key: 'LOG_LEVEL', value: 'info' }]);
    expect(json).not.toContain(SECRET);
  });

  it('keeps ordinary values elsewhere in the document untouched', () => {
    const data = { apiVersion: 'eaas.envmgmt.io/v1', kind: 'Driver', metadata: { name: 'd', labels: { token: 'label-value' } }, spec: { config: { type: 'http', http: { endpoint: 'https://x', body: '{"a":1}' } } } };
    expect(maskSecrets(data)).toEqual(data);
  });

  it('does not change the document it is given', () => {
    const data = { spec: { variables: [{ name: 'pw', value: SECRET, options: { sensitive: true } }] } };
    maskSecrets(data);
    expect(data).toEqual({ spec: { variables: [{ name: 'pw', value: SECRET, options: { sensitive: true } }] } });
  });
});

describe('maskSecrets: overrides of values the template declares sensitive', () => {
  const env = { spec: { template: { name: 'web', version: 'v1' }, variables: [{ name: 'db_password', value: SECRET }, { name: 'replicas', value: '2' }], envVars: [{ key: 'DATABASE_URL', value: `${SECRET}-env` }], files: [{ name: 'cert.pem', data: `${SECRET}-file` }] } };

  it('masks an environment variable value whose key the template declares sensitive, and no other', () => {
    const { doc, json } = masked(env, new Set(['variable\u0000db_password', 'environment variable\u0000DATABASE_URL']));
    expect(spec(doc).variables).toEqual([{ name: 'db_password', value: expect.any(Masked) }, { name: 'replicas', value: '2' }]);
    expect(spec(doc).envVars).toEqual([{ key: 'DATABASE_URL', value: expect.any(Masked) }]);
    expect(spec(doc).files).toEqual([{ name: 'cert.pem', data: expect.any(Masked) }]);
    expect(json).not.toContain(SECRET);
  });

  it('does not mask by a sensitive key of another category', () => {
    const { doc } = masked({ spec: { variables: [{ name: 'X', value: 'plain' }] } }, new Set(['environment variable\u0000X']));
    expect(entry(doc, 'variables')).toEqual({ name: 'X', value: 'plain' });
  });
});

describe('maskSecrets over the example repository', () => {
  const loaded = load(exampleFiles());
  const secrets = ['example-access-key-id', 'example-secret-access-key', 'eyJidWNrZXQiOiAiZXhhbXBsZS1zdGF0ZSJ9', 'example-pull-password'];

  it('leaves none of the example secrets in the JSON of any masked spec', () => {
    const json = JSON.stringify(loaded.specs.map((s) => maskSecrets(s.data)));
    for (const secret of secrets) expect(json).not.toContain(secret);
  });

  it('masks the config context sensitive envs, variables and file data, keeping AWS_REGION', () => {
    const ctx = loaded.specs.find((s) => s.file === CTX_AWS)!;
    const { doc } = masked(ctx.data);
    expect(isMasked(entry(doc, 'envs', 0).value)).toBe(true);
    expect(entry(doc, 'envs', 1).value).toBe('eu-west-1');
    expect(isMasked(entry(doc, 'files', 0).data)).toBe(true);
    expect(isMasked(entry(doc, 'variables', 0).value)).toBe(true);
  });

  it('masks a credential env var of a driver written with the variant spelling envvars', () => {
    const driver = load({
      'projects/p/drivers/d.yaml': 'apiVersion: eaas.envmgmt.io/v1\nkind: Driver\nmetadata:\n  name: d\n  project: p\nspec:\n  config:\n    type: container\n    container:\n      image: x\n      envvars:\n        API_TOKEN: CANARY-variant\n',
    }).specs[0]!;
    expect(JSON.stringify(maskSecrets(driver.data))).toContain('"envVars":{"API_TOKEN":"(sensitive)"}');
  });

  it('masks the tofu-runner pull password and keeps its TF_IN_AUTOMATION env var', () => {
    const driver = loaded.specs.find((s) => s.file === DRV_TOFU)!;
    const json = JSON.stringify(maskSecrets(driver.data));
    expect(json).toContain('"password":"(sensitive)"');
    expect(json).toContain('"TF_IN_AUTOMATION":"true"');
  });
});
