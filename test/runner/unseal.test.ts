// A run whose specs hold sealed:// references: `envsync run` asks the app for their values with its
// job's OIDC token (GitHub's token endpoint and the app played on loopback here), puts them in place
// in memory, masks each before anything is logged, and writes none into its results. Without a way
// to ask, or refused, it runs nothing and says why.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError, runEnvironment } from '../../src/runner/run.js';
import { fetchSealedSecrets, secretsSourceFrom, UnsealError, type SecretsSource } from '../../src/runner/unseal.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles } from '../golden/scenarios.js';

const REFERENCE = 'sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value';
const VALUE = 'rotated-key-7d41"\\';

const sealedFiles = (): SourceFile[] =>
  exampleFiles().map((f) => (f.path.endsWith('aws-account.yaml') ? { ...f, content: Buffer.from(Buffer.from(f.content!).toString('utf8').replace('example-secret-access-key', REFERENCE)) } : f));

let server: Server;
let base: string;
const seen: { path: string; authorization?: string; body: string }[] = [];
let appAnswer: { status: number; body: unknown } = { status: 200, body: { secrets: { [REFERENCE]: VALUE } } };

const read = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    void read(req).then((body) => {
      seen.push({ path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body });
      const [status, answer] = req.url?.startsWith('/token') ? (req.headers.authorization === 'bearer job-request-token' ? [200, { value: 'the.oidc.token' }] : [401, { message: 'Bad credentials' }]) : [appAnswer.status, appAnswer.body];
      res.writeHead(status as number, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const source = (): SecretsSource => ({ appUrl: `${base}/app`, audience: 'https://envsync.example.com', runId: 'run 1', tokenUrl: `${base}/token?api-version=2.0`, tokenRequestToken: 'job-request-token' });

describe('secretsSourceFrom', () => {
  const complete = { ENVSYNC_APP_URL: 'https://envsync.example.com/', ENVSYNC_RUN_ID: 'r1', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' };
  it('takes the app, the audience (the app by default) and the run from the workflow, the token endpoint from Actions', () => {
    expect(secretsSourceFrom(complete)).toEqual({ appUrl: 'https://envsync.example.com', audience: 'https://envsync.example.com', runId: 'r1', tokenUrl: 'https://token.example/x', tokenRequestToken: 't' });
    expect(secretsSourceFrom({ ...complete, ENVSYNC_OIDC_AUDIENCE: 'envsync' })).toMatchObject({ audience: 'envsync' });
  });
  it('sends the token and the secrets only to an https URL, or plain http on this machine', () => {
    expect(secretsSourceFrom({ ...complete, ENVSYNC_APP_URL: 'http://envsync.example.com' })).toEqual({ missing: 'ENVSYNC_APP_URL is http://envsync.example.com: the token and the secrets go only to an https:// URL (or http:// on this machine)' });
    expect(secretsSourceFrom({ ...complete, ENVSYNC_APP_URL: 'http://127.0.0.1:3000' })).toMatchObject({ appUrl: 'http://127.0.0.1:3000' });
  });

  it('says what is missing and what to do', () => {
    expect(secretsSourceFrom({ ...complete, ENVSYNC_APP_URL: '' })).toEqual({ missing: "ENVSYNC_APP_URL is not set: write the workflow again with envsync init --app-url URL (the app's ENVSYNC_PUBLIC_URL)" });
    expect(secretsSourceFrom({ ...complete, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined })).toEqual({
      missing: 'the job cannot ask GitHub for an OIDC token: the runner workflow needs permissions: id-token: write (envsync init writes it), and a run from a fork\'s pull request never gets one',
    });
  });
});

describe('fetchSealedSecrets', () => {
  it('asks GitHub for a token with the audience, and presents it to the app with the references', async () => {
    seen.length = 0;
    appAnswer = { status: 200, body: { secrets: { [REFERENCE]: VALUE } } };
    expect(await fetchSealedSecrets(source(), [REFERENCE])).toEqual(new Map([[REFERENCE, VALUE]]));
    expect(seen).toEqual([
      { path: '/token?api-version=2.0&audience=https%3A%2F%2Fenvsync.example.com', authorization: 'bearer job-request-token', body: '' },
      { path: '/app/api/v1/runs/run%201/secrets', authorization: 'Bearer the.oidc.token', body: JSON.stringify({ references: [REFERENCE] }) },
    ]);
  });

  it("stops with the app's refusal, and with a reference the app gave no value for", async () => {
    appAnswer = { status: 409, body: { error: 'the secrets of run 1 were handed out at 2026-11-30T06:00:00.000Z', claim: 'run' } };
    await expect(fetchSealedSecrets(source(), [REFERENCE])).rejects.toThrow(new UnsealError(`the app at ${base}/app answered 409: the secrets of run 1 were handed out at 2026-11-30T06:00:00.000Z`));
    appAnswer = { status: 200, body: { secrets: {} } };
    await expect(fetchSealedSecrets(source(), [REFERENCE])).rejects.toThrow(`the app answered no value for ${REFERENCE}`);
  });
});

describe('a run of an environment whose specs hold sealed references', () => {
  const request = { files: sealedFiles(), project: 'payments', environment: 'staging', action: 'deploy' as const, revision: 'r1', dryRun: true, runtime: 'process' as const, actions: true };

  it('gets their values once, masks each before the first line, and writes none into its results', async () => {
    const lines: string[] = [];
    const asked: (readonly string[])[] = [];
    const results = await runEnvironment({ ...request, write: (l) => lines.push(l), unseal: async (references) => (asked.push(references), new Map([[REFERENCE, VALUE]])) });
    expect(asked).toEqual([[REFERENCE]]);
    expect(lines[0]).toBe(`::add-mask::${VALUE}`);
    expect(lines.slice(1).join('\n')).not.toContain(VALUE);
    expect(JSON.stringify(results)).not.toContain(VALUE.slice(0, 12));
  });

  it('masks each line of a value of several lines (a key, a kubeconfig): Actions reads a command to the end of its line', async () => {
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    const lines: string[] = [];
    await runEnvironment({ ...request, write: (l) => lines.push(l), unseal: async () => new Map([[REFERENCE, KEY]]) });
    // What Actions shows: the output's lines, less its commands.
    const shown = lines.join('\n').split(/\r?\n/).filter((l) => !l.startsWith('::add-mask::'));
    expect(shown.filter((l) => l.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('::add-mask::') && /PRIVATE KEY|MIIE/.test(l))).toEqual([
      '::add-mask::-----BEGIN PRIVATE KEY-----%0AMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7%0A-----END PRIVATE KEY-----',
      '::add-mask::-----BEGIN PRIVATE KEY-----',
      '::add-mask::MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
      '::add-mask::-----END PRIVATE KEY-----',
    ]);
  });

  it('runs nothing without a way to ask, or when the app refuses, and says why', async () => {
    const lines: string[] = [];
    await expect(runEnvironment({ ...request, write: (l) => lines.push(l) })).rejects.toThrow(
      new RunError(`payments/staging reads secrets the system keeps (${REFERENCE}): only a run the app dispatched can get them; nothing was run`),
    );
    await expect(runEnvironment({ ...request, write: (l) => lines.push(l), unseal: () => Promise.reject(new UnsealError('the app at https://envsync.example.com answered 403: the token does not match')) })).rejects.toThrow(
      'the secrets of payments/staging could not be had: the app at https://envsync.example.com answered 403: the token does not match; nothing was run',
    );
    expect(lines).toEqual([]);
  });

  it('asks for nothing when its specs hold no reference', async () => {
    const asked: unknown[] = [];
    await runEnvironment({ ...request, files: exampleFiles(), write: () => {}, unseal: async (r) => (asked.push(r), new Map()) });
    expect(asked).toEqual([]);
  });
});
