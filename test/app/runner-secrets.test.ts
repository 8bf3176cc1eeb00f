// A runner's sealed secrets, asked for with its job's OIDC token: a local issuer made by the test
// (its keys, its JWKS served on loopback) signs tokens as GitHub's would, and the secrets path answers
// the run's values once, and nothing to a token that is not the run's, naming the claim that did not
// match. The store is SQLite; GitHub is in memory (the workflow run the app dispatched for the run).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { oidcSettingsFrom, runnerSecretsHandler } from '../../src/app/runner-secrets.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { loadSpecs } from '../../src/specs/load.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type RunDispatch, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';
import { environmentClosure } from '../../src/engine/environment-closure.js';
import { refOf } from '../../src/engine/plan/changes.js';
import { SpecIndex } from '../../src/engine/spec-index.js';
import { secretsSourceFrom } from '../../src/runner/unseal.js';
import type { SourceFile } from '../../src/specs/source.js';

const REPO = 'acme/config';
const SECRET = 'rotated-access-key-3f9c1';
const RUN = 'r-merge-payments-dev-deploy';
const MERGE = 'a'.repeat(40);
/** GitHub's head_sha of a dispatched workflow run: the branch's tip when it was dispatched. */
const TIP = 'b'.repeat(40);
const AUDIENCE = 'https://envsync.example.com';
const BOT = 'envsync[bot]';

let issuer: { url: string; server: Server; key: CryptoKey; other: CryptoKey; jwk: JWK };
let app: { url: string; server: Server };
let store: Store;
let service: SystemService;
let github: MemoryPort;
let logged: string[];
let reference: string;
/** Git after the bot's pull request: the example files with the context's key sealed. */
let sealedFiles: SourceFile[];

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/.well-known/jwks' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, key: privateKey, other: other.privateKey, jwk };
});
afterAll(() => new Promise<void>((r) => issuer.server.close(() => r())));

const dispatch: RunDispatch = { order: 0, environment: 'payments/dev', action: 'deploy', branch: 'main', workflow: 'envsync-run.yml', sha: MERGE, gates: [], after: [], labels: [], approvals: [] };

beforeEach(async () => {
  store = await openStore({ url: ':memory:' });
  service = new SystemService(store);
  github = new MemoryPort({ identity: { name: BOT, email: '1+envsync[bot]@users.noreply.github.com' } });
  logged = [];
  await store.followRepository(REPO);
  await store.updateRepository(REPO, { installationId: 1, defaultBranch: 'main', projects: ['*'] });
  await service.applyRevision(exampleFiles(), MERGE, { trigger: 'webhook', actor: 'carol' }, { repo: REPO });
  // The shared context's key changed through the system API: Git gets a sealed:// reference, as a bot pull request writes it.
  const context = await service.get({ kind: 'ConfigContext', project: 'platform', name: 'aws-account' });
  const document = structuredClone(context.spec) as { spec: { variables: { name: string; value: string }[] } };
  document.spec.variables.find((v) => v.name === 'aws_secret_access_key')!.value = SECRET;
  await service.put(document, { trigger: 'internal', actor: 'console' });
  const plan = await service.exportTo(loadSpecs(exampleFiles(), { root: '.' }), { secrets: 'seal' });
  reference = /sealed:\/\/[^\s'"]+/.exec(plan.files.map((f) => f.content).join('\n'))![0];
  const changed = new Map(plan.files.map((f) => [f.path, f.content]));
  sealedFiles = exampleFiles().map((f) => (changed.has(f.path) ? { ...f, content: Buffer.from(changed.get(f.path)!) } : f));

  await store.createRun({ id: RUN, project: 'payments', environment: 'dev', action: 'deploy', revision: MERGE, status: 'queued', activities: [], outputs: {} }, { repo: REPO, dispatch });
  await store.updateTracking(RUN, { dispatchRequestedAt: new Date().toISOString(), dispatchedAt: new Date().toISOString() });
  github.workflowRuns.push({ id: 4242, status: 'in_progress', conclusion: null, displayTitle: `envsync deploy payments/dev (run ${RUN})`, htmlUrl: 'https://github.example/acme/config/actions/runs/4242', headSha: TIP });

  const handler = runnerSecretsHandler(service, { portFor: async () => github }, { issuer: issuer.url, audience: AUDIENCE }, {
    refused: (fields, message) => logged.push(JSON.stringify({ ...fields, message })),
    error: (e) => logged.push(String(e)),
  });
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  app = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
});
afterEach(async () => {
  await new Promise<void>((r) => app.server.close(() => r()));
  await store.close();
});

/** The claims of the token GitHub gives the job of the workflow run the app dispatched for RUN. */
const runnerClaims = () => ({
  repository: REPO,
  repository_owner: 'acme',
  workflow_ref: `${REPO}/.github/workflows/envsync-run.yml@refs/heads/main`,
  ref: 'refs/heads/main',
  sha: TIP,
  event_name: 'workflow_dispatch',
  actor: BOT,
  run_id: '4242',
  run_attempt: '1',
  sub: `repo:${REPO}:ref:refs/heads/main`,
});

async function token(claims: Record<string, unknown> = runnerClaims(), options: { key?: CryptoKey; kid?: string; audience?: string; issuer?: string; expires?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'k1' })
    .setIssuer(options.issuer ?? issuer.url)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? issuer.key);
}

async function ask(bearer: string | undefined, references = [reference], run = RUN) {
  const res = await fetch(`${app.url}/api/v1/runs/${run}/secrets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify({ references }),
  });
  return { status: res.status, body: (await res.json()) as { secrets?: Record<string, string>; error?: string; claim?: string } };
}

describe("a runner's secrets", () => {
  it('are the values behind the references it sends, for the token of the workflow run the app dispatched, once', async () => {
    expect(reference).toBe('sealed://ConfigContext/platform/aws-account/spec.variables[aws_secret_access_key].value');
    expect(await ask(await token())).toEqual({ status: 200, body: { secrets: { [reference]: SECRET } } });
    expect((await store.getTracking(RUN))?.workflowRunId).toBe(4242);
    // A replay of the same token, or a new one: the run had its secrets.
    const again = await ask(await token());
    expect(again.status).toBe(409);
    expect(again.body.claim).toBe('run');
    expect(again.body.error).toMatch(/^the secrets of run r-merge-payments-dev-deploy were handed out at \d{4}-\d\d-\d\dT[\d:.]+Z: each run gets them once; start a new run/);
  });

  it("refuse a reference outside the run's environment, and hand out nothing until it asks for what it may have", async () => {
    const foreign = 'sealed://ConfigContext/platform/other/spec.variables[0].value';
    expect(await ask(await token(), [reference, foreign])).toEqual({
      status: 422,
      body: { error: `the system holds no secret of payments/dev's run at ${foreign}: change the secret again through the system API (envsync writes a new reference), or put the value back in Git` },
    });
    expect((await ask(await token())).status).toBe(200);
  });
});

describe('a token that is not the run\'s gets nothing, and the answer names the claim', () => {
  const cases: [string, () => Promise<string | undefined>, number, string][] = [
    ['none at all', async () => undefined, 401, 'token'],
    ['not a JWT', async () => 'not-a-token', 401, 'token'],
    ['signed with another key (same kid)', () => token(undefined, { key: issuer.other }), 401, 'signature'],
    ['signed with a key the issuer does not publish', () => token(undefined, { key: issuer.other, kid: 'k-unknown' }), 401, 'kid'],
    ['of another issuer', () => token(undefined, { issuer: 'https://token.example.org' }), 401, 'iss'],
    ['for another audience', () => token(undefined, { audience: 'https://other.example.com' }), 401, 'aud'],
    ['expired', () => token(undefined, { expires: Math.floor(Date.now() / 1000) - 3600 }), 401, 'exp'],
    ['of another repository', () => token({ ...runnerClaims(), repository: 'mallory/config', workflow_ref: 'mallory/config/.github/workflows/envsync-run.yml@refs/heads/main' }), 403, 'repository'],
    ['of another workflow', () => token({ ...runnerClaims(), workflow_ref: `${REPO}/.github/workflows/ci.yml@refs/heads/main` }), 403, 'workflow_ref'],
    ['of another branch', () => token({ ...runnerClaims(), workflow_ref: `${REPO}/.github/workflows/envsync-run.yml@refs/heads/feature` }), 403, 'workflow_ref'],
    ["of a fork's pull request", () => token({ ...runnerClaims(), event_name: 'pull_request' }), 403, 'event_name'],
    ['of a workflow run a person dispatched by hand', () => token({ ...runnerClaims(), actor: 'mallory' }), 403, 'actor'],
    ['of another workflow run', () => token({ ...runnerClaims(), run_id: '4243' }), 403, 'run_id'],
    ['of another commit', () => token({ ...runnerClaims(), sha: 'c'.repeat(40) }), 403, 'sha'],
  ];
  it.each(cases)('%s', async (_what, make, status, claim) => {
    const bearer = await make();
    const answer = await ask(bearer);
    expect([answer.status, answer.body.claim, answer.body.secrets]).toEqual([status, claim, undefined]);
    // Refused, the run keeps its secrets for its own runner; and no log line holds the token.
    expect((await store.getTracking(RUN))?.secretsHandedAt).toBeNull();
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ run: RUN, claim, status });
    if (bearer) expect(logged.join('\n')).not.toContain(bearer);
    expect((await ask(await token())).status).toBe(200);
  });

  it('for a run envsync has not dispatched (still waiting), or one that finished', async () => {
    await store.createRun({ id: 'waiting-run', project: 'payments', environment: 'dev', action: 'deploy', revision: MERGE, status: 'waiting', activities: [], outputs: {} }, { repo: REPO, dispatch });
    expect(await ask(await token(), [reference], 'waiting-run')).toEqual({ status: 403, body: { claim: 'run', error: 'run waiting-run was not dispatched (it is waiting): only the runner of a dispatched run gets its secrets' } });
    await store.updateRun(RUN, { status: 'success', finishedAt: new Date().toISOString() });
    expect(await ask(await token())).toEqual({ status: 403, body: { claim: 'run', error: `run ${RUN} is success: a finished run gets no secrets` } });
    expect(await ask(await token(), [reference], 'no-such-run')).toEqual({ status: 404, body: { claim: 'run', error: `there is no run no-such-run of ${REPO}` } });
  });
});

const CONTEXT = 'projects/platform/configcontexts/aws-account.yaml';
const edit = (files: SourceFile[], path: string, f: (text: string) => string): SourceFile[] =>
  files.map((file) => (file.path === path ? { ...file, content: Buffer.from(f(Buffer.from(file.content!).toString('utf8'))) } : file));

describe('the value behind a reference', () => {
  it('is the value of the place the reference was written for, whatever entries Git adds around it later', async () => {
    const BREAK_GLASS = 'break-glass-token-9e1';
    const next = edit(sealedFiles, CONTEXT, (t) => t.replace('  variables:\n', `  variables:\n  - name: break_glass_token\n    value: ${BREAK_GLASS}\n    valueType: text\n    options:\n      sensitive: true\n`));
    expect(Buffer.from(next.find((f) => f.path === CONTEXT)!.content!).toString('utf8')).toContain(reference);
    await service.applyRevision(next, 'c'.repeat(40), { trigger: 'webhook', actor: 'carol' }, { repo: REPO });
    expect(await ask(await token())).toEqual({ status: 200, body: { secrets: { [reference]: SECRET } } });
  });

  it('is given to the destroy of an environment the merge deleted: the run recorded what it reads while the environment was there', async () => {
    const reads = environmentClosure(new SpecIndex(loadSpecs(sealedFiles, { root: '.' }).specs), 'payments', 'dev').specs.map(refOf);
    await service.applyRevision(sealedFiles.filter((f) => !f.path.endsWith('payments/environments/dev.yaml')), 'd'.repeat(40), { trigger: 'webhook', actor: 'carol' }, { repo: REPO });
    const destroy = 'dddddddddddd-payments-dev-destroy';
    await store.createRun({ id: destroy, project: 'payments', environment: 'dev', action: 'destroy', revision: 'd'.repeat(40), status: 'queued', activities: [], outputs: {} }, { repo: REPO, dispatch: { ...dispatch, action: 'destroy', reads } });
    await store.updateTracking(destroy, { dispatchRequestedAt: new Date().toISOString(), dispatchedAt: new Date().toISOString() });
    github.workflowRuns.push({ id: 4343, status: 'in_progress', conclusion: null, displayTitle: `envsync destroy payments/dev (run ${destroy})`, htmlUrl: '', headSha: TIP });
    expect(await ask(await token({ ...runnerClaims(), run_id: '4343' }), [reference], destroy)).toEqual({ status: 200, body: { secrets: { [reference]: SECRET } } });
  });
});

describe('a token of a repository the app does not follow (any repository can ask GitHub for this audience)', () => {
  const stranger = () => ({ ...runnerClaims(), repository: 'mallory/anything', workflow_ref: 'mallory/anything/.github/workflows/x.yml@refs/heads/main', actor: 'mallory', run_id: '999' });

  it('learns nothing of the run, and makes the app ask GitHub nothing nor record anything', async () => {
    const reads = github.reads.length;
    const answer = await ask(await token(stranger()));
    expect(answer).toEqual({ status: 403, body: { claim: 'repository', error: 'the token is of mallory/anything, which this app does not follow' } });
    expect(github.reads.slice(reads)).toEqual([]);
    expect((await store.getTracking(RUN))?.workflowRunId).toBeNull();
  });
});

describe('the workflow run a run is bound to', () => {
  it("is the token's, when GitHub shows it as the app's dispatch of the run; one someone dispatched by hand with the same name is refused on its actor", async () => {
    // Mallory (write access, no secrets) dispatches envsync-run.yml with run-id RUN: GitHub lists hers first.
    github.workflowRuns.unshift({ id: 6666, status: 'in_progress', conclusion: null, displayTitle: `envsync deploy payments/dev (run ${RUN})`, htmlUrl: '', headSha: 'e'.repeat(40) });
    const hers = await ask(await token({ ...runnerClaims(), actor: 'mallory', run_id: '6666', sha: 'e'.repeat(40) }));
    expect([hers.status, hers.body.claim]).toEqual([403, 'actor']);
    expect((await store.getTracking(RUN))?.workflowRunId).toBeNull();
    expect((await ask(await token())).status).toBe(200);
    expect((await store.getTracking(RUN))?.workflowRunId).toBe(4242);
  });
});

describe('a request that is merely malformed', () => {
  it('with a run id that is not valid percent-encoding is a 400, not an internal error', async () => {
    const res = await fetch(`${app.url}/api/v1/runs/%E0%A4%A/secrets`, { method: 'POST', body: '{}' });
    expect([res.status, await res.json()]).toEqual([400, { error: 'the run id in the URL is not valid percent-encoding' }]);
    expect(logged).toEqual([]);
  });
});

describe('the audience', () => {
  it('is the same on both sides when ENVSYNC_PUBLIC_URL ends with a slash and init was given the URL with one', () => {
    const server = oidcSettingsFrom({ ENVSYNC_PUBLIC_URL: 'https://envsync.example.com/' })!;
    const runner = secretsSourceFrom({ ENVSYNC_APP_URL: 'https://envsync.example.com/', ENVSYNC_RUN_ID: 'r', ACTIONS_ID_TOKEN_REQUEST_URL: 'https://t.example/x', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' });
    expect(['audience' in runner && runner.audience, server.audience]).toEqual(['https://envsync.example.com', 'https://envsync.example.com']);
  });
});
