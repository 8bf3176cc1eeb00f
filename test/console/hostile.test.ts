// A hostile reading of the console: each test states the secure or correct behaviour, so that a
// failing one is a bug. XSS through everything a spec, a run or a cookie can carry; open redirects;
// CSRF and method confusion; forged sessions; who may see and change what through every route;
// secrets in pages; body limits; error pages; the change, destroy and access-cache logic.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessCache } from '../../src/console/access.js';
import { destroyStepOf } from '../../src/console/destroy-step.js';
import { createConsoleHandler } from '../../src/console/handler.js';
import { sealSession, sealSignIn, SESSION_COOKIE, SIGN_IN_COOKIE } from '../../src/console/session.js';
import { safeBack } from '../../src/console/sign-in.js';
import { environmentDocument, type VariableField } from '../../src/engine/variable-form.js';
import type { Permission } from '../../src/github/port.js';
import type { ConfigRepository, Records, RunRecord } from '../../src/system/records.js';
import { exampleFiles } from '../golden/scenarios.js';
import { dom, texts, type Element } from '../helpers/html-dom.js';
import { REVISION, RUNNER, SETTINGS, startConsole, type ConsoleFixture } from './console-fixture.js';

// ---------------------------------------------------------------------------------------------
// Fixture: the example repository, plus a template with secrets and multi-line values, and the
// repository's own credential names (`sensitive.names` of .github/envsync.yml: `*_conn`).

const PROBE_TEMPLATE = {
  apiVersion: 'eaas.envmgmt.io/v1',
  kind: 'EnvironmentTemplate',
  metadata: { name: 'probe-stack', project: 'payments' },
  spec: {
    version: 'v1',
    resources: [{ kind: 'resourcetemplate', name: 'network', type: 'dynamic', resourceOptions: { version: 'v1' } }],
    variables: [
      { name: 'owner_team', valueType: 'text', options: { required: true, override: { type: 'allowed' } } },
      // A credential by its name, required, with the template's own value.
      { name: 'api_token', value: 'template-default-token', valueType: 'text', options: { required: true, override: { type: 'allowed' } } },
      { name: 'database_url', valueType: 'text', options: { override: { type: 'allowed' } } },
      // The template's own value carries a password (sealed in Git as a declared secret is).
      { name: 'cache_url', value: 'redis://default:template-pass-42@cache:6379', valueType: 'text', options: { override: { type: 'allowed' } } },
      { name: 'signing_material', valueType: 'json', options: { sensitive: true, override: { type: 'allowed' } } },
      // A credential by the repository's own sensitive.names.
      { name: 'tenant_conn', valueType: 'text', options: { override: { type: 'allowed' } } },
      { name: 'settings', valueType: 'hcl', options: { override: { type: 'allowed' } } },
      { name: 'notes', valueType: 'text', options: { override: { type: 'allowed' } } },
    ],
  },
};

const SECRETS = {
  token: 'stored-api-token-5f1e',
  url: 'postgres://admin:hunter2-db-pass@db.internal:5432/app',
  json: '{"key":"stored-json-secret-9a7c"}',
  conn: 'Server=db;User Id=app;Password=conn-secret-77b1',
};

const environmentDoc = (name: string, variables: { name: string; value: string }[], description?: string) => ({
  apiVersion: 'eaas.envmgmt.io/v1',
  kind: 'Environment',
  metadata: { name, project: 'payments', ...(description ? { description } : {}) },
  spec: { template: { name: 'probe-stack', version: 'v1' }, variables },
});

async function startProbeConsole(): Promise<ConsoleFixture> {
  const c = await startConsole();
  c.permissions.set('alice', 'write');
  c.permissions.set('carol', 'admin');
  c.permissions.set('bob', 'read');
  // As a push of a repository with `sensitive: { names: ['*_conn'] }` records it.
  await c.service.applyRevision(exampleFiles(), REVISION, { trigger: 'manual', actor: 'test' }, { repo: 'acme/config', projects: ['*'], runner: { ...RUNNER, sensitiveNames: ['*_conn'] }, sensitiveNames: ['*_conn'] });
  await c.service.put(PROBE_TEMPLATE, { trigger: 'internal', actor: 'test' });
  return c;
}

const put = (c: ConsoleFixture, doc: Record<string, unknown>, actor = 'test') => c.service.put(doc, { trigger: 'internal', actor });
const stored = async (c: ConsoleFixture, name: string) => (await c.service.find({ kind: 'Environment', project: 'payments', name }))!;
const variablesOf = (spec: unknown) => Object.fromEntries(((spec as { spec: { variables?: { name: string; value: unknown }[] } }).spec.variables ?? []).map((v) => [v.name, v.value]));

/**
 * What a browser sends for a form as the page holds it: each enabled named control's value (a text
 * input's value with its newlines stripped, a textarea's without the newline that opens it), every
 * line break as CR LF (application/x-www-form-urlencoded). jsdom applies the first two.
 */
function browserSubmission(form: Element): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const control of form.querySelectorAll('input[name], select[name], textarea[name]')) {
    if (control.hasAttribute('disabled')) continue;
    fields[control.getAttribute('name')!] = (control.value ?? '').replace(/\r\n|\r|\n/g, '\r\n');
  }
  return fields;
}

/** A raw request, path sent as it is (fetch would normalize `..`). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<{ status: number; text: string; headers: IncomingMessage['headers'] }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let c: ConsoleFixture;
beforeAll(async () => {
  c = await startProbeConsole();
});
afterAll(async () => {
  expect(c.errors).toEqual([]);
  await c.close();
});

// ---------------------------------------------------------------------------------------------

describe('XSS: everything a spec, a run or a cookie carries is escaped', () => {
  const MARKUP = `"'><img src=x onerror=alert(1)><script>alert(2)</script>`;
  /** No element the markup would have made, and no event handler attribute on any element. */
  const noMarkup = (text: string) => {
    expect(text).not.toContain('<img src=x');
    expect(text).not.toContain('<script>alert');
    const doc = dom(text) as unknown as { querySelectorAll(s: string): Iterable<{ getAttributeNames(): string[] }> & ArrayLike<unknown> };
    expect(doc.querySelectorAll('img, script:not([src])')).toHaveLength(0);
    expect([...doc.querySelectorAll('*')].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith('on')))).toEqual([]);
  };

  it('escapes an environment description and variable values in the page and in the change form\'s attributes', async () => {
    await put(c, environmentDoc('xss-env', [{ name: 'owner_team', value: MARKUP }, { name: 'notes', value: MARKUP }, { name: 'settings', value: `</textarea>${MARKUP}` }], MARKUP));
    const page = await c.get('/console/projects/payments/environments/xss-env', 'alice');
    expect(page.status).toBe(200);
    noMarkup(page.text);
    const doc = dom(page.text);
    expect(texts(doc, 'dl.facts dd')).toContain(MARKUP);
    expect(doc.querySelector('#var-owner_team')!.getAttribute('value')).toBe(MARKUP);
    expect(doc.querySelector('#var-settings')!.value).toBe(`</textarea>${MARKUP}`);
    // The overview and the sync events list it too.
    noMarkup((await c.get('/console', 'alice')).text);
    noMarkup((await c.get('/console/events', 'alice')).text);
  });

  it('escapes an actor name on the audit trail and the runs list', async () => {
    await put(c, environmentDoc('xss-actor', [{ name: 'owner_team', value: 'x' }]), MARKUP);
    const events = await c.get('/console/events', 'alice');
    noMarkup(events.text);
    expect(texts(dom(events.text), 'section[aria-labelledby=events-heading] tbody td')).toContain(MARKUP);
  });

  it('escapes a run\'s activity ids, types, reasons and log tails, on its page and in the ?part=state fragment', async () => {
    const id = 'manual-xss-run';
    await c.store.createRun({
      id,
      project: 'payments',
      environment: 'dev',
      action: 'deploy',
      revision: REVISION,
      status: 'in_progress',
      trigger: 'manual',
      actor: MARKUP,
      activities: [
        { id: `a${MARKUP}`, type: `t${MARKUP}`, status: `failure${MARKUP}`, dependsOn: [], reason: MARKUP, logTail: [MARKUP, '</pre><script>alert(3)</script>'] },
        { id: 'b', type: 'container', status: 'queued', dependsOn: [`a${MARKUP}`] },
      ],
      outputs: {},
    });
    await c.store.updateRun(id, { reason: MARKUP });
    for (const path of [`/console/runs/${id}`, `/console/runs/${id}?part=state`, '/console/runs', '/console/projects/payments/environments/dev', '/console']) {
      const answer = await c.get(path, 'bob');
      expect(answer.status, path).toBe(200);
      noMarkup(answer.text);
      expect(answer.text).not.toContain('<script>alert(3)');
    }
    const fragment = await c.get(`/console/runs/${id}?part=state`, 'bob');
    expect(fragment.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(dom(fragment.text).querySelector('pre')!.textContent).toBe(`${MARKUP}\n</pre><script>alert(3)</script>`);
  });

  it('escapes a notice cookie carrying markup', async () => {
    const { cookie } = await c.session('alice');
    const answer = await fetch(`${c.base}/console`, { headers: { cookie: `${cookie}; envsync_notice=${encodeURIComponent(MARKUP)}` } });
    const text = await answer.text();
    noMarkup(text);
    expect(texts(dom(text), '.notice')).toEqual([MARKUP]);
  });

  it('answers a page, not a server error, for a notice cookie that is not valid percent-encoding', async () => {
    const { cookie } = await c.session('alice');
    const before = c.errors.length;
    const answer = await fetch(`${c.base}/console`, { headers: { cookie: `${cookie}; envsync_notice=%E0%A4%A` } });
    expect(answer.status).toBe(200);
    expect(c.errors.length).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------

describe('open redirects', () => {
  const ORIGIN = 'https://console.example';
  const candidates = [
    'https://evil.example/console',
    '//evil.example/console',
    '/\\evil.example',
    '/console\\@evil.example',
    '/console/\\evil.example',
    '/console//evil.example',
    '/console/../..//evil.example',
    '/console/%2e%2e/%2fevil.example',
    '/console\r\nSet-Cookie: x=1',
    '/consoleevil',
    'javascript:alert(1)//console',
    '\t/console//evil.example',
    ' /console',
    '/console?\n//evil.example',
  ];

  it.each(candidates)('keeps a sign-in\'s way back on this console: %j', (back) => {
    const kept = safeBack(back);
    // Resolved as a browser resolves a Location header: this origin, whatever the path.
    expect(new URL(kept, ORIGIN).origin).toBe(ORIGIN);
    expect(kept.startsWith('/console')).toBe(true);
    expect(kept).not.toMatch(/[\r\n]/);
  });

  describe('through the whole OAuth flow (a fake GitHub)', () => {
    let github: Server;
    let consoleServer: Server;
    let base: string;
    const errors: unknown[] = [];

    beforeAll(async () => {
      github = createServer((req, res) => {
        if (req.method === 'POST' && req.url?.startsWith('/login/oauth/access_token')) {
          let body = '';
          req.on('data', (chunk) => (body += chunk));
          req.on('end', () => {
            res.writeHead(200, { 'content-type': 'application/json' });
            if (body.includes('refused-code')) res.end(JSON.stringify({ error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: 'https://docs' }));
            else res.end(JSON.stringify({ access_token: 'ghu_test', token_type: 'bearer', scope: '' }));
          });
          return;
        }
        if (req.url === '/api/v3/user') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ login: 'alice', id: 42 }));
          return;
        }
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
      const githubRoot = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
      const handler = createConsoleHandler({
        service: c.service,
        settings: SETTINGS,
        apiRoot: `${githubRoot}/api/v3`,
        webRoot: githubRoot,
        portOf: async () => c.port,
        requestSync: async () => {},
        log: { error: (e) => errors.push(e), info: () => {} },
      });
      consoleServer = createServer((req: IncomingMessage, res: ServerResponse) => void handler(req, res).then((handled) => handled || res.writeHead(404).end()));
      await new Promise<void>((resolve) => consoleServer.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(consoleServer.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      consoleServer.closeAllConnections();
      github.closeAllConnections();
      await new Promise((resolve) => consoleServer.close(resolve));
      await new Promise((resolve) => github.close(resolve));
    });

    /** Signs in through the console's sign-in and callback with `back`: the callback's answer. */
    async function signIn(back: string, code = 'good-code') {
      const start = await fetch(`${base}/console/sign-in?back=${encodeURIComponent(back)}`, { redirect: 'manual' });
      expect(start.status).toBe(303);
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const held = /envsync_sign_in=([^;]+)/.exec(start.headers.get('set-cookie')!)![1]!;
      return fetch(`${base}/console/sign-in/callback?code=${code}&state=${state}`, { redirect: 'manual', headers: { cookie: `${SIGN_IN_COOKIE}=${held}` } });
    }

    it('sends the user back to the console page they asked for, and only to the console', async () => {
      const back = await signIn('/console/runs?x=1');
      expect(back.status).toBe(303);
      expect(back.headers.get('location')).toBe('/console/runs?x=1');
      expect(back.headers.get('set-cookie')).toMatch(/envsync_session=[\w.-]+; Path=\/console; HttpOnly; SameSite=Lax/);
      for (const evil of ['//evil.example', 'https://evil.example/', '/console\\@evil.example']) {
        const answer = await signIn(evil);
        expect(answer.headers.get('location')).toBe('/console');
      }
    });

    it('signs a user in whatever characters the page they asked for carries, rather than failing after GitHub said yes', async () => {
      const before = errors.length;
      const answer = await signIn('/console/runs?note=\u4e2d\u6587');
      expect(answer.status).toBe(303);
      expect(answer.headers.get('set-cookie')).toMatch(/envsync_session=/);
      expect(errors.length).toBe(before);
    });

    it('clears the sign-in cookie (its state) once a sign-in succeeded', async () => {
      const start = await fetch(`${base}/console/sign-in`, { redirect: 'manual' });
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const held = /envsync_sign_in=([^;]+)/.exec(start.headers.get('set-cookie')!)![1]!;
      const first = await fetch(`${base}/console/sign-in/callback?code=good-code&state=${state}`, { redirect: 'manual', headers: { cookie: `${SIGN_IN_COOKIE}=${held}` } });
      expect(first.status).toBe(303);
      // The answer clears the sign-in cookie: a browser sends it no more.
      expect(first.headers.get('set-cookie')).toMatch(/envsync_sign_in=; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=0/);
    });

    it('says GitHub refused a code without showing anything of the app\'s client secret', async () => {
      const answer = await signIn('/console', 'refused-code');
      expect(answer.status).toBe(400);
      const text = await answer.text();
      expect(text).not.toContain(SETTINGS.clientSecret);
      expect(text).not.toContain('ghu_');
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('CSRF and method confusion', () => {
  it('refuses a change with the right form token from an opaque origin (Origin: null)', async () => {
    const before = (await stored(c, 'dev')).generation;
    const answer = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '4' }, { origin: 'null' });
    expect(answer.status).toBe(403);
    expect((await stored(c, 'dev')).generation).toBe(before);
  });

  it('refuses a change carrying another user\'s form token', async () => {
    const before = (await stored(c, 'dev')).generation;
    const answer = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '4' }, { csrf: (await c.session('carol')).csrf });
    expect(answer.status).toBe(403);
    expect((await stored(c, 'dev')).generation).toBe(before);
  });

  it('takes a change from its own page when ENVSYNC_PUBLIC_URL spells the same origin another way', async () => {
    const handler = createConsoleHandler({
      service: c.service,
      settings: { ...SETTINGS, publicUrl: 'https://Console.Example:443' },
      apiRoot: 'http://github.invalid/api/v3',
      webRoot: 'http://github.invalid',
      portOf: async () => c.port,
      requestSync: async () => {},
      log: { error: () => {}, info: () => {} },
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const session = await c.session('alice');
      const { csrf } = session;
      // Over HTTPS the session's cookie carries the __Host- prefix.
      const cookie = `__Host-${session.cookie}`;
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // What a browser on https://console.example sends: its origin, serialized.
      const answer = await fetch(`${base}/console/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://console.example', 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` });
      expect(answer.status).toBe(303);
      const evil = await fetch(`${base}/console/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf}` });
      expect(evil.status).toBe(403);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('takes no form token from the query string', async () => {
    const { cookie, csrf } = await c.session('alice');
    const answer = await fetch(`${c.base}/console/projects/payments/environments/dev?_csrf=${csrf}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'var.replicas=4' });
    expect(answer.status).toBe(403);
  });

  it('signs out only on a POST with the form token', async () => {
    const { cookie } = await c.session('alice');
    const viaGet = await c.get('/console/sign-out', 'alice');
    expect(viaGet.headers.get('set-cookie') ?? '').not.toContain(`${SESSION_COOKIE}=;`);
    const forged = await c.post('/console/sign-out', 'alice', {}, { csrf: 'guessed' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain(`${SESSION_COOKIE}=;`);
    const real = await fetch(`${c.base}/console/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${(await c.session('alice')).csrf}` });
    expect(real.status).toBe(303);
    expect(real.headers.get('set-cookie')).toMatch(/^envsync_session=; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=0/);
  });

  it('does nothing for a GET, HEAD or PUT to a route that changes something', async () => {
    const runsBefore = (await c.store.listRuns({ limit: 500 })).length;
    const generation = (await stored(c, 'dev')).generation;
    const { cookie, csrf } = await c.session('alice');
    for (const [method, path] of [
      ['GET', '/console/projects/payments/environments/staging/runs'],
      ['HEAD', '/console/projects/payments/environments/staging/runs'],
      ['PUT', '/console/projects/payments/environments/staging/runs'],
      ['PUT', '/console/projects/payments/environments/dev'],
      ['DELETE', '/console/projects/payments/environments/dev'],
      ['GET', '/console/drift/adopt'],
    ] as const) {
      const answer = await fetch(`${c.base}${path}`, { method, redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, ...(method === 'GET' || method === 'HEAD' ? {} : { body: `_csrf=${csrf}&var.replicas=4&action=deploy` }) });
      expect(answer.status, `${method} ${path}`).toBe(405);
    }
    expect((await c.store.listRuns({ limit: 500 })).length).toBe(runsBefore);
    expect((await stored(c, 'dev')).generation).toBe(generation);
    expect(c.syncs).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('forged sessions', () => {
  const withCookie = async (token: string) => (await fetch(`${c.base}/console`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } })).text();
  const signedIn = (text: string) => dom(text).querySelector('header .user') !== null;
  const KEY = SETTINGS.sessionKey;

  it('takes no unsigned token (alg none)', async () => {
    const token = new UnsecuredJWT({ login: 'carol', uid: 1, csrf: 'x' }).setIssuer('envsync').setAudience('envsync-console-session').setIssuedAt().setExpirationTime('1h').encode();
    expect(signedIn(await withCookie(token))).toBe(false);
  });

  it('takes no sign-in cookie for a session, nor a token of another audience or issuer signed with the right key', async () => {
    const signIn = await sealSignIn({ state: 's', back: '/console' }, KEY);
    expect(signedIn(await withCookie(signIn))).toBe(false);
    const claims = { login: 'carol', uid: 1, csrf: 'x', state: 's', back: '/console' };
    const other = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('envsync').setAudience('envsync-console-sign-in').setIssuedAt().setExpirationTime('1h').sign(KEY);
    expect(signedIn(await withCookie(other))).toBe(false);
    const issuer = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('someone-else').setAudience('envsync-console-session').setIssuedAt().setExpirationTime('1h').sign(KEY);
    expect(signedIn(await withCookie(issuer))).toBe(false);
    const noAudience = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('envsync').setIssuedAt().setExpirationTime('1h').sign(KEY);
    expect(signedIn(await withCookie(noAudience))).toBe(false);
    // And a session is no sign-in: the callback refuses it as the sign-in cookie.
    const session = await sealSession({ login: 'carol', id: 1, csrf: 's' }, KEY);
    const callback = await fetch(`${c.base}/console/sign-in/callback?code=abc&state=s`, { redirect: 'manual', headers: { cookie: `${SIGN_IN_COOKIE}=${session}` } });
    expect(callback.status).toBe(400);
  });

  it('takes no expired session, nor one with claims of the wrong types', async () => {
    const expired = await new SignJWT({ login: 'carol', uid: 1, csrf: 'x' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('envsync').setAudience('envsync-console-session').setIssuedAt(1_000).setExpirationTime(2_000).sign(KEY);
    expect(signedIn(await withCookie(expired))).toBe(false);
    const typed = await new SignJWT({ login: ['carol'], uid: '1', csrf: 'x' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('envsync').setAudience('envsync-console-session').setIssuedAt().setExpirationTime('1h').sign(KEY);
    expect(signedIn(await withCookie(typed))).toBe(false);
  });

  it('reads only the first session cookie sent: a valid one behind it signs no one in', async () => {
    const good = (await c.session('bob')).cookie;
    const answer = await fetch(`${c.base}/console`, { headers: { cookie: `${SESSION_COOKIE}=garbage; ${good}` } });
    expect(signedIn(await answer.text())).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('authorization through every route', () => {
  let runId: string;
  beforeAll(async () => {
    // A waiting manual run of payments/staging (as Git holds it), started by alice.
    const started = await c.post('/console/projects/payments/environments/staging/runs', 'alice', { action: 'deploy' });
    expect(started.status).toBe(303);
    runId = decodeURIComponent(started.headers.get('location')!.split('/').pop()!);
  });

  it('shows someone without access nothing of a project through any page: not even that it exists', async () => {
    const paths = [
      '/console',
      '/console/runs',
      `/console/runs/${runId}`,
      `/console/runs/${runId}?part=state`,
      '/console/events',
      '/console/projects/payments/launch',
      '/console/projects/payments/launch?template=web-stack@v1',
      '/console/projects/payments/environments/dev',
      '/console/projects/payments/environments/dev/destroy',
      '/console/projects/pay%6dents/environments/dev',
      '/console/repositories/acme/config/bot-pull-request',
      '/console/repositories/acme/config/bot-pull-request?format=json',
    ];
    for (const path of paths) {
      const answer = await c.get(path, 'mallory');
      expect([200, 404], path).toContain(answer.status);
      const main = texts(dom(answer.text), 'main').join(' ');
      expect(main, path).not.toMatch(/staging|web-stack|Launch|Destroy/);
      if (!path.includes('acme/config')) expect(main, path).not.toContain('acme/config');
      if (!path.includes('payments') && !path.includes('pay%6d')) expect(main, path).not.toContain('payments');
      // A run's id shows only where the address named it (in "no run … that you may see").
      if (!path.includes(runId)) expect(answer.text, path).not.toContain(runId.slice(-12));
    }
    // The same answer for a followed repository as for one that is not.
    const followed = await c.get('/console/repositories/acme/config/bot-pull-request', 'mallory');
    const unknown = await c.get('/console/repositories/acme/unknown/bot-pull-request', 'mallory');
    expect(followed.status).toBe(unknown.status);
    expect(texts(dom(followed.text), '[role=alert]')[0]!.replace('config', 'X')).toBe(texts(dom(unknown.text), '[role=alert]')[0]!.replace('unknown', 'X'));
  });

  it('does not tell someone without access, who names a run, which project the run is of', async () => {
    const answer = await c.post(`/console/runs/${encodeURIComponent(runId)}/approvals`, 'mallory', {});
    expect(answer.status).toBe(404);
    expect(answer.text).not.toContain('payments');
    // As the run's own page answers them.
    const own = await c.get(`/console/runs/${encodeURIComponent(runId)}`, 'mallory');
    expect(texts(dom(answer.text), '[role=alert]')).toEqual(texts(dom(own.text), '[role=alert]'));
  });

  it('lets no one without access change anything through any route', async () => {
    const generation = (await stored(c, 'dev')).generation;
    const runs = (await c.store.listRuns({ limit: 500 })).length;
    const posts: [string, Record<string, string>][] = [
      ['/console/projects/payments/launch', { template: 'web-stack@v1', name: 'mal', 'var.owner_team': 'x' }],
      ['/console/projects/payments/environments/dev', { 'var.replicas': '4' }],
      ['/console/projects/payments/environments/staging/runs', { action: 'destroy' }],
      ['/console/projects/payments/environments/dev/destroy', { step: 'run', confirm: 'dev' }],
      [`/console/runs/${encodeURIComponent(runId)}/approvals`, {}],
      ['/console/drift/adopt', { kind: 'Environment', project: 'payments', name: 'dev' }],
      ['/console/drift/revert', { kind: 'Environment', project: 'payments', name: 'dev' }],
    ];
    for (const [path, fields] of posts) {
      const answer = await c.post(path, 'mallory', fields);
      expect(answer.status, path).toBe(404);
    }
    expect((await stored(c, 'dev')).generation).toBe(generation);
    expect((await c.store.listRuns({ limit: 500 })).length).toBe(runs);
    expect(await c.service.find({ kind: 'Environment', project: 'payments', name: 'mal' })).toBeUndefined();
    expect(c.syncs).toEqual([]);
  });

  it('lets a reader change nothing through any route, approve nothing, and reach no destroy or launch page', async () => {
    const generation = (await stored(c, 'dev')).generation;
    const runs = (await c.store.listRuns({ limit: 500 })).length;
    for (const path of ['/console/projects/payments/launch', '/console/projects/payments/environments/dev/destroy']) {
      expect((await c.get(path, 'bob')).status, path).toBe(403);
    }
    const posts: [string, Record<string, string>][] = [
      ['/console/projects/payments/launch', { template: 'web-stack@v1', name: 'bobs', 'var.owner_team': 'x' }],
      ['/console/projects/payments/environments/dev', { 'var.replicas': '4' }],
      ['/console/projects/payments/environments/staging/runs', { action: 'deploy' }],
      ['/console/projects/payments/environments/dev/destroy', { step: 'delete', confirm: 'dev' }],
      [`/console/runs/${encodeURIComponent(runId)}/approvals`, {}],
      ['/console/drift/adopt', { kind: 'Environment', project: 'payments', name: 'dev' }],
      ['/console/drift/revert', { kind: 'Environment', project: 'payments', name: 'dev' }],
    ];
    for (const [path, fields] of posts) {
      const answer = await c.post(path, 'bob', fields);
      expect(answer.status, path).toBe(403);
    }
    expect((await stored(c, 'dev')).generation).toBe(generation);
    expect((await c.store.listRuns({ limit: 500 })).length).toBe(runs);
    expect((await c.store.listApprovals('acme/config', 0)).filter((a) => a.user === 'bob')).toEqual([]);
    expect(c.syncs).toEqual([]);
  });

  it('lets the starter of a run not approve it, through the route as through the page', async () => {
    const answer = await c.post(`/console/runs/${encodeURIComponent(runId)}/approvals`, 'alice', {});
    expect(answer.status).toBe(403);
    expect((await c.store.listApprovals('acme/config', 0)).filter((a) => a.user === 'alice')).toEqual([]);
  });

  it('lists a reader\'s runs even when the newest 200 runs of the system are of projects they may not see', async () => {
    const d = await startProbeConsole();
    try {
      // acme/config owns payments and platform only; "elsewhere" is no project bob may see.
      await d.store.updateRepository('acme/config', { projects: ['payments', 'platform'] });
      const base = { environment: 'dev', action: 'deploy' as const, revision: REVISION, status: 'success' as const, trigger: 'manual' as const, actor: 'x', activities: [], outputs: {} };
      await d.store.createRun({ ...base, id: 'manual-payments-visible', project: 'payments' });
      for (let i = 0; i < 200; i++) await d.store.createRun({ ...base, id: `manual-elsewhere-${i}`, project: 'elsewhere' });
      const page = await d.get('/console/runs', 'bob');
      expect(page.text).not.toContain('manual-elsewhere-');
      expect(page.text).toContain('manual-payments-visible');
    } finally {
      await d.close();
    }
  });

  it('takes a project name with glob characters for no project', async () => {
    for (const project of ['*', 'pay*', 'pay%3Fments', '%2A']) {
      const answer = await c.get(`/console/projects/${project}/environments/dev`, 'alice');
      expect(answer.status, project).toBe(404);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('secrets never reach a page', () => {
  beforeAll(async () => {
    await put(
      c,
      environmentDoc('sec', [
        { name: 'owner_team', value: 'sec-team' },
        { name: 'api_token', value: SECRETS.token },
        { name: 'database_url', value: SECRETS.url },
        { name: 'signing_material', value: SECRETS.json },
        { name: 'tenant_conn', value: SECRETS.conn },
      ]),
    );
  });

  it('shows no secret declared sensitive or named as a credential in the change form', async () => {
    const page = await c.get('/console/projects/payments/environments/sec', 'alice');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(SECRETS.token);
    expect(page.text).not.toContain('stored-json-secret');
    const doc = dom(page.text);
    expect(doc.querySelector('#var-api_token')!.getAttribute('type')).toBe('password');
    expect(doc.querySelector('#var-signing_material')!.getAttribute('type')).toBe('password');
  });

  it('shows no URL that carries a password in the change form (the system seals it in Git)', async () => {
    const page = await c.get('/console/projects/payments/environments/sec', 'alice');
    expect(page.text).not.toContain('hunter2-db-pass');
  });

  it('shows no template value that carries a password in the launch form\'s help', async () => {
    const page = await c.get('/console/projects/payments/launch?template=probe-stack@v1', 'alice');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('template-pass-42');
  });

  it('shows no value of a name the repository declares sensitive (sensitive.names) in the change form', async () => {
    const page = await c.get('/console/projects/payments/environments/sec', 'alice');
    expect(page.text).not.toContain('conn-secret-77b1');
  });

  it('shows a reader no variable value at all', async () => {
    const page = await c.get('/console/projects/payments/environments/sec', 'bob');
    for (const value of [SECRETS.token, 'hunter2', 'stored-json-secret', 'conn-secret', 'sec-team']) expect(page.text).not.toContain(value);
  });

  it('does not echo a typed secret when a launch form comes back with problems', async () => {
    const answer = await c.post('/console/projects/payments/launch', 'alice', { template: 'probe-stack@v1', name: 'BAD NAME', 'var.owner_team': '', 'var.api_token': 'typed-token-31d9', 'var.signing_material': '{"typed-json-secret-c4": ' });
    expect(answer.status).toBe(422);
    expect(answer.text).not.toContain('typed-token-31d9');
    expect(answer.text).not.toContain('typed-json-secret-c4');
    const invalidJson = await c.post('/console/projects/payments/launch', 'alice', { template: 'probe-stack@v1', name: 'fine-name', 'var.owner_team': 'x', 'var.api_token': 'typed-token-31d9', 'var.signing_material': '{"typed-json-secret-c4": ' });
    expect(invalidJson.status).toBe(422);
    expect(invalidJson.text).not.toContain('typed-token-31d9');
    expect(invalidJson.text).not.toContain('typed-json-secret-c4');
  });

  it('does not echo a typed or stored secret when a change form comes back with problems', async () => {
    const answer = await c.post('/console/projects/payments/environments/sec', 'alice', { 'var.owner_team': 'sec-team', 'var.api_token': 'new-typed-token-88', 'var.signing_material': '{"new-typed-json-77": ' });
    expect(answer.status).toBe(422);
    for (const value of ['new-typed-token-88', 'new-typed-json-77', SECRETS.token, 'stored-json-secret']) expect(answer.text).not.toContain(value);
    // Nothing stored, the secrets kept.
    expect(variablesOf((await stored(c, 'sec')).spec)).toMatchObject({ api_token: SECRETS.token, signing_material: SECRETS.json });
  });

  it('keeps a secret when its field is left empty, and changes it when one is typed', async () => {
    const kept = await c.post('/console/projects/payments/environments/sec', 'alice', { 'var.owner_team': 'sec-team-2', 'var.api_token': '', 'var.signing_material': '' });
    expect(kept.status).toBe(303);
    expect(variablesOf((await stored(c, 'sec')).spec)).toMatchObject({ owner_team: 'sec-team-2', api_token: SECRETS.token, signing_material: SECRETS.json });
  });

  it('changes an environment that leaves a required secret to the template\'s value', async () => {
    await put(c, environmentDoc('relies-on-default', [{ name: 'owner_team', value: 'a' }]));
    const answer = await c.post('/console/projects/payments/environments/relies-on-default', 'alice', { 'var.owner_team': 'b', 'var.api_token': '' });
    expect(texts(dom(answer.text), '.field.has-error label')).toEqual([]);
    expect(answer.status).toBe(303);
    expect(variablesOf((await stored(c, 'relies-on-default')).spec)).toEqual({ owner_team: 'b' });
  });

  it('launches without a value for a required secret the template gives a value for', async () => {
    const answer = await c.post('/console/projects/payments/launch', 'alice', { template: 'probe-stack@v1', name: 'uses-default', 'var.owner_team': 'x', 'var.api_token': '' });
    expect(texts(dom(answer.text), '.field.has-error label')).toEqual([]);
    expect(answer.status).toBe(303);
    expect(variablesOf((await stored(c, 'uses-default')).spec)).toEqual({ owner_team: 'x' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the change flow changes exactly what the user changed', () => {
  // Set, so that the required secret of the template (see above) is no problem of these forms.
  const TOKEN = { name: 'api_token', value: SECRETS.token };
  it('keeps a multi-line value of a json or hcl field as it is when another field is changed in a browser', async () => {
    const settings = 'region = "eu"\nsize   = 3';
    await put(c, environmentDoc('ml-hcl', [{ name: 'owner_team', value: 'a' }, TOKEN, { name: 'settings', value: settings }]));
    const doc = dom((await c.get('/console/projects/payments/environments/ml-hcl', 'alice')).text);
    const fields = browserSubmission(doc.querySelector('form.variables')!);
    fields['var.owner_team'] = 'b';
    const answer = await c.post('/console/projects/payments/environments/ml-hcl', 'alice', fields);
    expect(answer.status).toBe(303);
    expect(variablesOf((await stored(c, 'ml-hcl')).spec)).toEqual({ owner_team: 'b', api_token: SECRETS.token, settings });
  });

  it('keeps a json or hcl value that starts with a line break when another field is changed in a browser', async () => {
    const settings = '\nregion = "eu"';
    await put(c, environmentDoc('ml-lead', [{ name: 'owner_team', value: 'a' }, TOKEN, { name: 'settings', value: settings }]));
    const doc = dom((await c.get('/console/projects/payments/environments/ml-lead', 'alice')).text);
    const fields = browserSubmission(doc.querySelector('form.variables')!);
    fields['var.owner_team'] = 'b';
    const answer = await c.post('/console/projects/payments/environments/ml-lead', 'alice', fields);
    expect(answer.status).toBe(303);
    expect(variablesOf((await stored(c, 'ml-lead')).spec)).toEqual({ owner_team: 'b', api_token: SECRETS.token, settings });
  });

  it('keeps a multi-line text value as it is when another field is changed in a browser', async () => {
    const notes = 'first line\nsecond line';
    await put(c, environmentDoc('ml-text', [{ name: 'owner_team', value: 'a' }, TOKEN, { name: 'notes', value: notes }]));
    const doc = dom((await c.get('/console/projects/payments/environments/ml-text', 'alice')).text);
    const fields = browserSubmission(doc.querySelector('form.variables')!);
    fields['var.owner_team'] = 'b';
    const answer = await c.post('/console/projects/payments/environments/ml-text', 'alice', fields);
    expect(answer.status).toBe(303);
    expect(variablesOf((await stored(c, 'ml-text')).spec)).toEqual({ owner_team: 'b', api_token: SECRETS.token, notes });
  });

  it('does not undo a change someone else saved after the form was loaded (lost update)', async () => {
    await put(c, environmentDoc('race', [{ name: 'owner_team', value: 'a' }, TOKEN, { name: 'notes', value: 'one' }]));
    // Alice loads the form; Carol then saves a change of another field.
    const alices = browserSubmission(dom((await c.get('/console/projects/payments/environments/race', 'alice')).text).querySelector('form.variables')!);
    const carols = browserSubmission(dom((await c.get('/console/projects/payments/environments/race', 'carol')).text).querySelector('form.variables')!);
    carols['var.notes'] = 'carols note';
    expect((await c.post('/console/projects/payments/environments/race', 'carol', carols)).status).toBe(303);
    // Alice changes only the owner, on the form she loaded before.
    alices['var.owner_team'] = 'alices team';
    const answer = await c.post('/console/projects/payments/environments/race', 'alice', alices);
    const after = variablesOf((await stored(c, 'race')).spec);
    // Sent back with what happened and the form as stored now: nothing saved, Carol's note kept.
    expect(answer.status).toBe(409);
    expect(texts(dom(answer.text), '.error-summary li')[0]).toMatch(/^payments\/race was changed since this form was made \(by carol\): nothing was saved/);
    expect(after).toEqual({ owner_team: 'a', api_token: SECRETS.token, notes: 'carols note' });
    // Made again on the page it got back, it is saved on top of Carol's.
    const again = browserSubmission(dom(answer.text).querySelector('form.variables')!);
    expect(again['var.notes']).toBe('carols note');
    again['var.owner_team'] = 'alices team';
    expect((await c.post('/console/projects/payments/environments/race', 'alice', again)).status).toBe(303);
    expect(variablesOf((await stored(c, 'race')).spec)).toEqual({ owner_team: 'alices team', api_token: SECRETS.token, notes: 'carols note' });
  });
});

describe('environmentDocument', () => {
  const field = (name: string, extra: Partial<VariableField> = {}): VariableField => ({ name, valueType: 'text', required: false, override: 'allowed', sensitive: false, set: false, hasTemplateValue: extra.default !== undefined, ...extra });
  const existing = () => ({
    apiVersion: 'eaas.envmgmt.io/v1',
    kind: 'Environment',
    metadata: { name: 'e', project: 'p' },
    spec: { template: { name: 't', version: 'v1' }, agents: [{ name: 'a' }], variables: [{ name: 'a', value: '1' }, { name: 'b', value: '2', options: { keep: true } }, { name: 'pw', value: 'old-secret' }, { name: 'unlisted', value: 'x' }] },
  });
  const input = { project: 'p', name: 'e', template: { name: 't', version: 'v1' } };

  it('changes only the entry whose value changed, keeping every other key and entry', () => {
    const fields = [field('a'), field('b'), field('pw', { sensitive: true, set: true }), field('c', { default: 'd' })];
    const doc = environmentDocument(input, fields, { a: '1', b: '3', pw: '', c: 'd' }, existing());
    const expected = existing();
    expected.spec.variables[1]!.value = '3';
    expect(doc).toEqual(expected);
  });

  it('leaves a form\'s unchanged document exactly as it was', () => {
    const fields = [field('a'), field('b'), field('pw', { sensitive: true, set: true })];
    expect(environmentDocument(input, fields, { a: '1', b: '2', pw: '' }, existing())).toEqual(existing());
    expect(environmentDocument(input, fields, {}, existing())).toEqual(existing());
  });

  it('takes a line break as the browser sends it (CR LF) for the same value', () => {
    const doc = existing();
    doc.spec.variables[0]!.value = 'x = 1\ny = 2';
    const fields = [field('a', { valueType: 'hcl' })];
    expect(environmentDocument(input, fields, { a: 'x = 1\r\ny = 2' }, structuredClone(doc))).toEqual(doc);
  });

  it('takes a variable named like an Object.prototype member for what the form sent, and leaves it alone when it sent none', () => {
    const fields = [field('constructor'), field('toString'), field('__proto__'), field('a')];
    expect(environmentDocument(input, fields, { a: '1' }, existing())).toEqual(existing());
    // The values as actions.ts collects them from a form: assigned one by one onto an object without a prototype.
    const values = Object.create(null) as Record<string, string>;
    for (const [name, value] of [['a', '5'], ['__proto__', 'typed']] as const) values[name] = value;
    const fresh = environmentDocument(input, fields, values);
    expect(fresh.spec).toEqual({ template: input.template, variables: [{ name: '__proto__', value: 'typed' }, { name: 'a', value: '5' }] });
  });
});

// ---------------------------------------------------------------------------------------------

describe('destroying', () => {
  const run = (action: RunRecord['action'], status: RunRecord['status']) => ({ action, status }) as RunRecord;

  it.each([
    [[], 'delete'],
    [[run('deploy', 'success')], 'run'],
    [[run('deploy', 'failure')], 'run'],
    [[run('deploy', 'in_progress')], 'wait'],
    [[run('deploy', 'waiting'), run('deploy', 'success')], 'wait'],
    [[run('destroy', 'queued'), run('deploy', 'success')], 'wait'],
    [[run('destroy', 'success'), run('deploy', 'success')], 'delete'],
    [[run('destroy', 'failure'), run('deploy', 'success')], 'run'],
    [[run('destroy', 'cancelled'), run('deploy', 'success')], 'run'],
    [[run('destroy', 'not_run'), run('deploy', 'success')], 'run'],
    [[run('deploy', 'success'), run('destroy', 'success')], 'run'],
  ] as const)('runs %j: %s next', (runs, step) => {
    expect(destroyStepOf(runs as unknown as RunRecord[])).toBe(step);
  });

  it('never deletes the spec while a deploy run waits for its approval (once approved, it would build what nothing can destroy)', () => {
    expect(destroyStepOf([run('deploy', 'waiting'), run('destroy', 'success'), run('deploy', 'success')])).not.toBe('delete');
    expect(destroyStepOf([run('deploy', 'waiting')])).not.toBe('delete');
  });

  it('refuses, over HTTP, to delete an environment whose deploy run waits for approval', async () => {
    const d = await startProbeConsole();
    try {
      const started = await d.post('/console/projects/payments/environments/staging/runs', 'alice', { action: 'deploy' });
      expect(started.status).toBe(303);
      const page = dom((await d.get('/console/projects/payments/environments/staging/destroy', 'alice')).text);
      expect(page.querySelectorAll('main form')).toHaveLength(0);
      expect(texts(page, 'main p')[0]).toBe('A run of payments/staging is waiting or going. Destroy it once that run has finished: the environment\'s page shows its runs.');
      const answer = await d.post('/console/projects/payments/environments/staging/destroy', 'alice', { step: 'delete', confirm: 'staging' });
      expect(answer.status).toBe(409);
      expect(await d.service.find({ kind: 'Environment', project: 'payments', name: 'staging' })).toBeDefined();
    } finally {
      await d.close();
    }
  });

  it('refuses a wrong confirmation and a stale step, deleting nothing', async () => {
    const answer = await c.post('/console/projects/payments/environments/dev/destroy', 'alice', { step: 'delete', confirm: ' DEV ' });
    expect(answer.status).toBe(400);
    // An environment never run: its step is the deletion, and a page that offered a destroy run is stale.
    await put(c, environmentDoc('never-run', [{ name: 'owner_team', value: 'x' }]));
    const stale = await c.post('/console/projects/payments/environments/never-run/destroy', 'alice', { step: 'run', confirm: 'never-run' });
    expect(stale.status).toBe(409);
    expect(texts(dom(stale.text), '[role=alert]')).toEqual(['payments/never-run has nothing running: reload its Destroy page to delete its spec']);
    expect(await stored(c, 'never-run')).toBeDefined();
    expect(await stored(c, 'dev')).toBeDefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('the access cache', () => {
  const repository = (repo: string, projects: string[] | null): ConfigRepository => ({ repo, installationId: 1, defaultBranch: 'main', projects, runner: null, appliedRevision: null, followedAt: '' });
  const records = (repositories: ConfigRepository[]) => ({ listRepositories: async () => repositories }) as unknown as Records;

  it('asks GitHub once a minute per user and repository, case-insensitively, and takes a permission taken away after that minute', async () => {
    let now = 0;
    const asked: string[] = [];
    const permissions = new Map<string, Permission>([['alice', 'write']]);
    const cache = new AccessCache(records([repository('acme/config', ['payments'])]), async (repo, login) => (asked.push(`${repo} ${login}`), permissions.get(login.toLowerCase()) ?? 'none'), 60_000, () => now);
    expect((await cache.project('alice', 'payments')).access).toBe('write');
    expect((await cache.project('ALICE', 'payments')).access).toBe('write');
    expect(asked).toHaveLength(1);
    permissions.set('alice', 'read');
    now = 59_999;
    expect((await cache.project('alice', 'payments')).access).toBe('write');
    now = 60_000;
    expect((await cache.project('alice', 'payments')).access).toBe('read');
    expect(asked).toHaveLength(2);
  });

  it('keeps no failed lookup, and gives no project no repository owns to anyone', async () => {
    let fail = true;
    const cache = new AccessCache(records([repository('acme/config', ['payments']), repository('acme/new', null)]), async () => {
      if (fail) throw new Error('GitHub down');
      return 'admin';
    });
    await expect(cache.project('alice', 'payments')).rejects.toThrow('GitHub down');
    fail = false;
    expect((await cache.project('alice', 'payments')).access).toBe('admin');
    expect(await cache.project('alice', 'unowned')).toEqual({ access: 'none' });
  });

  it('keeps one user\'s permission from answering for another', async () => {
    const cache = new AccessCache(records([repository('acme/config', ['payments'])]), async (_repo, login) => (login === 'alice' ? 'admin' : 'none'));
    expect((await cache.project('alice', 'payments')).access).toBe('admin');
    expect((await cache.project('mallory', 'payments')).access).toBe('none');
    // A login crafted to collide with alice's key.
    expect((await cache.project('alice\u0000acme/config', 'payments')).access).toBe('none');
  });
});

// ---------------------------------------------------------------------------------------------

describe('limits and error pages', () => {
  it('refuses a form over the limit without storing anything', async () => {
    const generation = (await stored(c, 'dev')).generation;
    const answer = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '4', pad: 'x'.repeat(300 * 1024) });
    expect(answer.status).toBe(413);
    expect((await stored(c, 'dev')).generation).toBe(generation);
  });

  it('answers an unknown asset name, even one like an Object.prototype member, as no asset: no server error', async () => {
    const before = c.errors.length;
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await c.get(`/console/assets/${name}`);
      expect(answer.status, name).not.toBe(500);
    }
    expect(c.errors.length).toBe(before);
  });

  it('shows nothing of the server\'s internals on an error page', async () => {
    const errors: unknown[] = [];
    const handler = createConsoleHandler({
      service: c.service,
      settings: SETTINGS,
      apiRoot: 'http://github.invalid/api/v3',
      webRoot: 'http://github.invalid',
      portOf: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=internal-secret');
      },
      requestSync: async () => {},
      log: { error: (e) => errors.push(e), info: () => {} },
    });
    const server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const answer = await fetch(`${base}/console`, { headers: { cookie: (await c.session('alice')).cookie } });
      expect(answer.status).toBe(500);
      const text = await answer.text();
      expect(text).not.toContain('internal-secret');
      expect(text).not.toContain('ECONNREFUSED');
      expect(text).not.toMatch(/at \S+ \(.*:\d+:\d+\)/);
      expect(errors).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('keeps the webhook body limit for a path that only looks like the console\'s (/console/../)', async () => {
    const { startServer } = await import('../../src/app/server.js');
    const { Probot } = await import('probot');
    const { default: pino } = await import('pino');
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const probot = new Probot({ appId: 1, privateKey, secret: 'webhook-secret', log: pino({ level: 'silent' }) as never });
    const running = await startServer(probot, () => {}, { port: 0, host: '127.0.0.1', webhookPath: '/api/github/webhooks', bodyLimitBytes: 1024 });
    try {
      const body = JSON.stringify({ pad: 'x'.repeat(64 * 1024) });
      const headers = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': 'sha256=00', 'x-github-delivery': 'd1', 'content-length': String(Buffer.byteLength(body)) };
      const direct = await rawRequest(running.url, 'POST', '/api/github/webhooks', headers, body);
      expect(direct.status).toBe(413);
      const disguised = await rawRequest(running.url, 'POST', '/console/../api/github/webhooks', headers, body);
      expect(disguised.status).toBe(413);
    } finally {
      await running.close();
    }
  });
});
