// The app's own account (botIdentity) through a real Probot against nock: SLUG[bot] with the
// account's id in its noreply address, the slug asked for with the app's JWT and the account with a
// token of the installation given, once per process however many calls (concurrent ones too), and
// again only after a lookup failed. Every request nock answers is checked against GitHub's REST
// description, and every answer given too, as the Octokit port's own suite does.
import { generateKeyPairSync } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { beforeEach, describe, expect, it } from 'vitest';
import { botIdentity } from '../../src/app/bot-identity.js';
import { checkAnswers, checkedNock } from '../helpers/checked-nock.js';
import { checkRequest } from '../helpers/openapi-check.js';

const API = 'https://api.github.com';
const APP_ID = 90210;
const SLUG = 'envsync-test';
const BOT_ID = 4_512_345;
const INSTALLATION = 4242;
const TOKEN = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

/** The requests nock answered, in order: `METHOD /path`, the credential sent, and the JSON body, if any. */
let sent: { request: string; authorization: string; body?: unknown }[];
/** What GitHub's description says is wrong with a request sent or an answer given: none, after each test. */
const { problems } = checkedNock();

/** Probot's Octokit, as the tests build it (no retries, no throttling), with every answer it gets checked. */
const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { ...(o.throttle as object), enabled: false } })).plugin((octokit) => checkAnswers(octokit, problems));

/** A process's Probot: its own token cache, so each test starts with none. */
const probot = () => new Probot({ appId: APP_ID, privateKey, secret: 'webhook-secret', Octokit: TestOctokit });

/** GitHub's REST API under nock: each request it answers is recorded and checked against the description. */
function github() {
  return nock(API).on('request', (req: { method: string; path: string; headers: Record<string, string> }, _interceptor: unknown, body: string) => {
    const parsed: unknown = body ? JSON.parse(body) : undefined;
    sent.push({ request: `${req.method} ${req.path}`, authorization: req.headers.authorization!, ...(parsed !== undefined ? { body: parsed } : {}) });
    problems.push(...checkRequest(req.method, req.path, parsed));
  });
}

// Answers as GitHub gives them (the fields botIdentity and Probot read, and a few around them).
const theApp = { id: APP_ID, slug: SLUG, node_id: 'A_kwHOAAECAw', name: 'envsync test', owner: { login: 'acme', id: 1_234_567, type: 'Organization', site_admin: false }, html_url: `https://github.com/apps/${SLUG}` };
const accessToken = { token: TOKEN, expires_at: '2030-01-01T00:00:00Z', permissions: { contents: 'write' }, repository_selection: 'selected' };
const botAccount = { login: `${SLUG}[bot]`, id: BOT_ID, node_id: 'BOT_kgDOAET9WQ', type: 'Bot', site_admin: false, html_url: `https://github.com/apps/${SLUG}` };
const serverError = { message: 'Server Error', status: '500' };

/** The three requests of a lookup, in order. */
const asksForTheApp = (scope: nock.Scope, status = 200) => scope.get('/app').reply(status, status === 200 ? theApp : serverError);
const asksForAToken = (scope: nock.Scope, installation = INSTALLATION) => scope.post(`/app/installations/${installation}/access_tokens`).reply(201, accessToken);
const asksForTheAccount = (scope: nock.Scope) => scope.get(`/users/${encodeURIComponent(`${SLUG}[bot]`)}`).reply(200, botAccount);
const lookUp = (scope: nock.Scope, installation = INSTALLATION) => asksForTheAccount(asksForAToken(asksForTheApp(scope), installation));

/** What nock sees of a complete lookup for `installation`, credentials shown as `JWT` (checked apart) and the token. */
const lookup = (installation = INSTALLATION) => [
  { request: 'GET /app', authorization: 'bearer JWT' },
  { request: `POST /app/installations/${installation}/access_tokens`, authorization: 'bearer JWT' },
  { request: `GET /users/${SLUG}%5Bbot%5D`, authorization: `token ${TOKEN}` },
];
/** The requests sent, each app JWT (verified: ours, signed with the app's key, for the app's id, current) shown as `JWT`. */
async function requests() {
  const key = await importSPKI(publicKey, 'RS256');
  return Promise.all(
    sent.map(async (s) => {
      const jwt = /^bearer (.+)$/.exec(s.authorization)?.[1];
      if (!jwt) return s;
      const { payload } = await jwtVerify(jwt, key, { algorithms: ['RS256'] });
      expect(payload.iss).toBe(APP_ID);
      return { ...s, authorization: 'bearer JWT' };
    }),
  );
}

const IDENTITY = { name: `${SLUG}[bot]`, email: `${BOT_ID}+${SLUG}[bot]@users.noreply.github.com` };

beforeEach(() => {
  sent = [];
});

describe("the app's bot identity", () => {
  it('is the bot account SLUG[bot], with the account\'s id in its noreply address', async () => {
    lookUp(github());
    expect(await botIdentity(probot())(INSTALLATION)).toEqual({ name: 'envsync-test[bot]', email: '4512345+envsync-test[bot]@users.noreply.github.com' });
  });

  it('is looked up with the app\'s JWT for the slug, then with a token of the installation it is given for the account', async () => {
    lookUp(github(), 31337);
    expect(await botIdentity(probot())(31337)).toEqual(IDENTITY);
    expect(await requests()).toEqual(lookup(31337));
  });

  it('is looked up once for many calls, concurrent ones and later ones, whichever installation they name', async () => {
    lookUp(github());
    const identity = botIdentity(probot());
    const concurrent = await Promise.all([identity(INSTALLATION), identity(INSTALLATION), identity(7), identity(INSTALLATION), identity(8)]);
    expect(concurrent).toEqual(Array(5).fill(IDENTITY));
    for (const installation of [INSTALLATION, 7, INSTALLATION]) expect(await identity(installation)).toEqual(IDENTITY);
    expect(await requests()).toEqual(lookup());
  });

  it('is looked up again after a lookup failed (all calls waiting on it fail with it), and then found', async () => {
    const scope = github();
    asksForTheApp(scope, 500);
    lookUp(scope);
    const identity = botIdentity(probot());
    const failed = await Promise.allSettled([identity(INSTALLATION), identity(INSTALLATION)]);
    expect(failed.map((f) => (f.status === 'rejected' ? (f.reason as { status?: number }).status : f.status))).toEqual([500, 500]);
    expect(await requests()).toEqual([{ request: 'GET /app', authorization: 'bearer JWT' }]);

    expect(await identity(INSTALLATION)).toEqual(IDENTITY);
    expect(await identity(INSTALLATION)).toEqual(IDENTITY);
    expect(await requests()).toEqual([{ request: 'GET /app', authorization: 'bearer JWT' }, ...lookup()]);
  });
});
