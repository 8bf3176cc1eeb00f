// A planted secret must appear in no output of `envsync validate`, whatever goes wrong around it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

const CANARY = 'CANARY-7f3a9c';
const NUMERIC_CANARY = '987654321987';
const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));

// Each file plants the canary where a secret lives and breaks something next to it.
const FILES: Record<string, string> = {
  'projects/shop/configcontexts/creds.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: ConfigContext
metadata:
  name: creds
  project: shop
spec:
  envs:
  - key: API_TOKEN
    value: ${CANARY}-context-env
    options:
      sensitive: true
      override:
        type: restricted
        restrictedValues: [a, b]
  files:
  - name: key.pem
    data: ${CANARY}-file-data
    options:
      sensitive: true
  variables:
  - name: db_password
    value: ${CANARY}-default-not-in-list
    valueType: text
    options:
      sensitive: true
      override:
        type: restricted
        restrictedValues: [x]
`,
  'projects/shop/environmenttemplates/web.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: EnvironmentTemplate
metadata:
  name: web
  project: shop
spec:
  version: v1
  contexts:
  - name: creds
  variables:
  - name: secret_json
    value: '{${CANARY}-json'
    valueType: json
    options:
      sensitive: true
  - name: secret_expr
    value: $(${CANARY}-expr)$
    valueType: expression
    options:
      sensitive: true
  - name: token
    valueType: text
    options:
      sensitive: true
      override:
        type: restricted
        restrictedValues: [one, two]
`,
  'projects/shop/environments/dev.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: Environment
metadata:
  name: dev
  project: shop
spec:
  template:
    name: web
    version: v1
  variables:
  - name: token
    value: ${CANARY}-env-override
  - name: secret_json
    value: '[${CANARY}-env-json'
  envVars:
  - key: API_TOKEN
    value: ${CANARY}-env-var
`,
  'projects/shop/drivers/pull.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: Driver
metadata:
  name: pull
  project: shop
spec:
  config:
    type: container
    container:
      image: registry.example.com/app:1
      imagePullCredentials:
        username: bot
        password: ${NUMERIC_CANARY}
      envVars:
        TOKEN: ${CANARY}-container-env
      files:
        token: ${CANARY}-container-file
    timeoutSeconds: ${CANARY}-not-a-number
    maxRetryCount: ${NUMERIC_CANARY}.5
`,
  'projects/shop/drivers/http.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: Driver
metadata:
  name: http
  project: shop
spec:
  config:
    type: http
    http:
      endpoint: https://example.com
      method: ${CANARY}
      headers:
        Authorization: Bearer ${CANARY}-header
`,
  'projects/shop/drivers/broken.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: Driver
metadata:
  name: broken
  project: shop
spec:
  config:
    password: "${CANARY}-unterminated
`,
  'projects/shop/drivers/dup.yaml': `apiVersion: eaas.envmgmt.io/v1
kind: Driver
metadata:
  name: dup
  project: shop
  project: ${CANARY}-duplicate-key
`,
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-canary-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(['text', 'json', 'github'])('keeps the planted secret out of every byte of the %s output, with findings all around it', (format) => {
  const run = spawnSync(process.execPath, [bin, 'validate', dir, '--format', format, '--verbose'], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  const output = run.stdout + run.stderr;
  // The run reported the problems next to each planted value...
  for (const code of ['override-restricted', 'restricted-default', 'invalid-json', 'invalid-expression', 'wrong-type', 'invalid-value', 'yaml-syntax', 'yaml-duplicate-key']) {
    expect(output).toContain(code);
  }
  // ...and named none of the values.
  expect(output).not.toContain(CANARY);
  expect(output).not.toContain(NUMERIC_CANARY);
});
