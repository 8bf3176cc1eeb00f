// The fake GitHub's OAuth web flow, by which a person signs in to the app: answered as GitHub answers
// it (the authorize page, a one-time code back at the redirect_uri, its exchange for a ghu_ token,
// GET /user), so that what signs people in against the fake signs them in against GitHub. Then the
// same flow in a real browser, as a person goes through it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Octokit } from '@octokit/core';
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../../demo/fake-github.js';
import { launchBrowser } from '../helpers/browser.js';

const fake = new FakeGitHub('acme', 'config');
let host: string;
beforeAll(async () => {
  host = await fake.start();
});
afterAll(() => fake.stop());

const REDIRECT = 'http://127.0.0.1:9/callback';

function authorizeUrl(params: Record<string, string>): string {
  return `${fake.webRoot}/login/oauth/authorize?${new URLSearchParams(params)}`;
}

/** Signs `login` in on the authorize form, as its submit button does: the redirect it answers. */
async function authorize(login: string, state = 'st4te', redirectUri = REDIRECT): Promise<Response> {
  return fetch(`${fake.webRoot}/login/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: fake.oauthApp.clientId, redirect_uri: redirectUri, state, login }),
  });
}

/** The code of a redirect answered by authorize(). */
function codeOf(answer: Response): string {
  return new URL(answer.headers.get('location')!).searchParams.get('code')!;
}

async function exchange(params: Record<string, string>, as: 'json' | 'form' = 'json'): Promise<Record<string, string>> {
  const answer = await fetch(`${fake.webRoot}/login/oauth/access_token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: as === 'json' ? JSON.stringify(params) : new URLSearchParams(params),
  });
  expect(answer.status).toBe(200);
  return (await answer.json()) as Record<string, string>;
}

const user = (authorization?: string) => fetch(`http://${host}/api/v3/user`, { headers: authorization ? { authorization } : {} });

describe('the fake GitHub OAuth web flow', () => {
  it('answers the authorize page with a form that asks who signs in and carries the flow on', async () => {
    const answer = await fetch(authorizeUrl({ client_id: fake.oauthApp.clientId, redirect_uri: REDIRECT, state: 'a"b<c' }));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await answer.text();
    expect(page).toContain('<form method="post" action="/login/oauth/authorize">');
    expect(page).toContain(`<input type="hidden" name="client_id" value="${fake.oauthApp.clientId}">`);
    expect(page).toContain(`<input type="hidden" name="redirect_uri" value="${REDIRECT}">`);
    expect(page).toContain('<input type="hidden" name="state" value="a&#34;b&#60;c">');
    expect(page).toContain('<label for="login">Username</label>');
    expect(page).toMatch(/<input type="text" id="login" name="login"/);
    expect(page).toContain('<button type="submit">Authorize envsync</button>');
  });

  it('answers an unknown client_id or a missing redirect_uri with a 404 page saying so', async () => {
    const unknown = await fetch(authorizeUrl({ client_id: 'Iv1.someoneelse', redirect_uri: REDIRECT }));
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
    expect(await unknown.text()).toContain('No application has the client_id Iv1.someoneelse');
    const nowhere = await fetch(authorizeUrl({ client_id: fake.oauthApp.clientId }));
    expect(nowhere.status).toBe(404);
    expect(await nowhere.text()).toContain('no redirect_uri');
  });

  it('redirects a sign-in to the redirect_uri with a one-time code and the state, and refuses an empty username', async () => {
    const answer = await authorize('alice', 'xyz', 'http://127.0.0.1:9/callback?keep=1');
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:9/callback');
    expect(Object.fromEntries(location.searchParams)).toEqual({ keep: '1', code: expect.stringMatching(/^[0-9a-f]{20}$/), state: 'xyz' });
    expect(codeOf(await authorize('alice'))).not.toBe(location.searchParams.get('code'));

    const empty = await authorize('  ');
    expect([empty.status, empty.headers.get('content-type'), empty.headers.get('location')]).toEqual([400, 'text/html; charset=utf-8', null]);
    expect(await empty.text()).toContain('Enter a username');
  });

  it('exchanges a code once for a user token that GET /user answers with its login, and refuses it the second time', async () => {
    const code = codeOf(await authorize('bob'));
    const params = { client_id: fake.oauthApp.clientId, client_secret: fake.oauthApp.clientSecret, code, redirect_uri: REDIRECT };
    const granted = await exchange(params);
    expect(granted).toEqual({ access_token: expect.stringMatching(/^ghu_[0-9a-f]{36}$/), token_type: 'bearer', scope: '' });
    expect(fake.userTokens).toContain(granted.access_token);
    expect(await exchange(params)).toEqual({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: expect.stringMatching(/^https:\/\/docs\.github\.com\/.*#bad-verification-code$/) });

    for (const scheme of ['token', 'bearer']) {
      const answer = await user(`${scheme} ${granted.access_token}`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ login: 'bob', id: expect.any(Number), type: 'User', name: 'bob' });
    }
    // The same person keeps one id across sign-ins; another has another.
    const again = await exchange({ ...params, code: codeOf(await authorize('bob')) }, 'form');
    const ids = await Promise.all([granted.access_token, again.access_token!].map(async (t) => ((await (await user(`token ${t}`)).json()) as { id: number }).id));
    expect(ids[0]).toBeGreaterThanOrEqual(1000);
    expect(ids[1]).toBe(ids[0]);
    const carol = await exchange({ ...params, code: codeOf(await authorize('carol')) });
    expect(((await (await user(`token ${carol.access_token}`)).json()) as { id: number }).id).not.toBe(ids[0]);
  });

  it('refuses a wrong client secret, an unknown code or another redirect_uri, and keeps the code for the right request', async () => {
    const code = codeOf(await authorize('dave'));
    const params = { client_id: fake.oauthApp.clientId, client_secret: fake.oauthApp.clientSecret, code };
    expect(await exchange({ ...params, client_secret: 'guess' })).toMatchObject({ error: 'incorrect_client_credentials' });
    expect(await exchange({ ...params, code: 'feedfacefeedfacefeed' })).toMatchObject({ error: 'bad_verification_code' });
    expect(await exchange({ ...params, redirect_uri: 'http://127.0.0.1:9/elsewhere' })).toMatchObject({ error: 'redirect_uri_mismatch' });
    expect(await exchange(params)).toMatchObject({ access_token: expect.stringMatching(/^ghu_/) });
  });

  it('answers form-encoded, as GitHub does, when JSON is not asked for', async () => {
    const code = codeOf(await authorize('erin'));
    const answer = await fetch(`${fake.webRoot}/login/oauth/access_token`, { method: 'POST', body: new URLSearchParams({ client_id: fake.oauthApp.clientId, client_secret: fake.oauthApp.clientSecret, code }) });
    expect(answer.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(await answer.text()))).toEqual({ access_token: expect.stringMatching(/^ghu_/), token_type: 'bearer', scope: '' });
  });

  it('answers GET /user without a token, with an unknown one or with the installation token as GitHub does', async () => {
    for (const authorization of [undefined, 'token ghu_0000', 'bearer nonsense']) {
      const answer = await user(authorization);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({ message: 'Bad credentials' });
    }
    expect((await user(`token ${fake.installationToken}`)).status).toBe(403);
  });

  it('serves @octokit/oauth-methods against GHE_HOST as GitHub Enterprise Server does', async () => {
    const request = new Octokit({ baseUrl: `http://${host}/api/v3` }).request;
    const { url } = getWebFlowAuthorizationUrl({ clientType: 'github-app', clientId: fake.oauthApp.clientId, redirectUrl: REDIRECT, state: 's', request });
    expect((await fetch(url)).status).toBe(200);
    const code = codeOf(await authorize('frank', 's'));
    const { authentication } = await exchangeWebFlowCode({ clientType: 'github-app', clientId: fake.oauthApp.clientId, clientSecret: fake.oauthApp.clientSecret, code, redirectUrl: REDIRECT, request });
    expect(authentication.token).toMatch(/^ghu_/);
    await expect(exchangeWebFlowCode({ clientType: 'github-app', clientId: fake.oauthApp.clientId, clientSecret: fake.oauthApp.clientSecret, code, request })).rejects.toThrow(/bad_verification_code/);
    const { data } = await request('GET /user', { headers: { authorization: `token ${authentication.token}` } });
    expect(data).toMatchObject({ login: 'frank', type: 'User' });
  });

  it('records the flow in its requests, form bodies included', () => {
    const paths = fake.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, '')}`);
    expect(paths).toEqual(expect.arrayContaining(['GET /login/oauth/authorize', 'POST /login/oauth/authorize', 'POST /login/oauth/access_token', 'GET /user']));
    expect(fake.requests.find((r) => r.method === 'POST' && r.path === '/login/oauth/authorize')!.body).toMatch(/(^|&)login=/);
  });
});

describe('the fake GitHub OAuth web flow in a browser', () => {
  let target: Server;
  let callback: string;
  beforeAll(async () => {
    // The app's side of the flow: a page that shows the query it was sent back with.
    target = createServer((req, res) => {
      const query = new URL(req.url ?? '/', 'http://target').searchParams;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>callback</title><pre id="query">${JSON.stringify(Object.fromEntries(query)).replace(/</g, '\\u003c')}</pre>`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    callback = `http://127.0.0.1:${(target.address() as AddressInfo).port}/callback`;
  });
  afterAll(async () => {
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  });

  it('says what to do when Chromium is not where it is looked for', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    try {
      await expect(launchBrowser()).rejects.toThrow('Chromium is not installed at /nonexistent/chromium: apt-get install -y --no-install-recommends chromium (.ci/run does), or set CHROMIUM_PATH');
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
  });

  it('signs alice in: the username filled, the button clicked, the browser lands on the redirect_uri with a code and the state', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(authorizeUrl({ client_id: fake.oauthApp.clientId, redirect_uri: callback, state: 'browser-state' }));
      await page.getByLabel('Username').fill('alice');
      await page.getByRole('button', { name: 'Authorize envsync' }).click();
      await page.waitForURL((url) => url.href.startsWith(callback));
      const landed = new URL(page.url());
      expect(`${landed.origin}${landed.pathname}`).toBe(callback);
      const query = JSON.parse((await page.locator('#query').textContent())!) as Record<string, string>;
      expect(query).toEqual({ code: expect.stringMatching(/^[0-9a-f]{20}$/), state: 'browser-state' });
      expect(await exchange({ client_id: fake.oauthApp.clientId, client_secret: fake.oauthApp.clientSecret, code: query.code!, redirect_uri: callback })).toMatchObject({ access_token: expect.stringMatching(/^ghu_/) });
    } finally {
      await browser.close();
    }
  });
});
