// The console, under /console on the app server: sign-in, sessions and CSRF, the pages and the
// actions. Plain Node request handling like the system API's: a handful of routes do not need a
// framework, and the server stays one process and one port.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCapped } from '../http-body.js';
import { SystemError } from '../system/service.js';
import { repoRefOf } from '../github/port.js';
import { AccessCache } from './access.js';
import { adopt, approve, change, destroy, launch, revert, run, type Outcome } from './actions.js';
import { assetOf } from './assets.js';
import { ConsoleError, type ConsoleDeps, type Context } from './context.js';
import { html, type Html } from './html.js';
import { botPullRequestPage, destroyPage, environmentView, eventsView, launchPage, overviewPage, repositoriesView, runPage, runsPage, runView, type Answer, type Page } from './pages.js';
import { cookie, cookieName, cookiesOf, openSession, openSignIn, sameSecret, sealSession, sealSignIn, newToken, SESSION_COOKIE, SESSION_HOURS, SIGN_IN_COOKIE, type Session } from './session.js';
import type { ConsoleOff, ConsoleSettings } from './settings.js';
import { authorizationUrl, safeBack, signedInUser } from './sign-in.js';
import { page, problem, type Viewer } from './views/layout.js';
import { runState } from './views/runs.js';

export interface ConsoleOptions extends ConsoleDeps {
  settings: ConsoleSettings | ConsoleOff;
  /** GitHub's REST API root, where the user's token asks who they are. */
  apiRoot: string;
  log: { error: (e: unknown, message: string) => void; info: (fields: object, message: string) => void };
}

/** Forms are small: a template's variables. */
const MAX_FORM = 256 * 1024;

/**
 * Every answer: no caching of pages that show what a user may see, no framing (clickjacking), no
 * script or style but our own files, forms posted only to ourselves.
 */
const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

type Route = [method: 'GET' | 'POST', pattern: RegExp, handle: (ctx: Context, params: string[], url: URL, form: URLSearchParams) => Promise<Page | Outcome | Answer>];


const P = '([^/]+)';
const ROUTES: Route[] = [
  ['GET', /^\/console\/?$/, (ctx) => overviewPage(ctx)],
  ['GET', new RegExp(`^/console/projects/${P}/launch$`), (ctx, [project], url) => launchPage(ctx, project!, url.searchParams.get('template'))],
  ['POST', new RegExp(`^/console/projects/${P}/launch$`), (ctx, [project], _url, form) => launch(ctx, project!, form)],
  ['GET', new RegExp(`^/console/projects/${P}/environments/${P}$`), (ctx, [project, name]) => environmentView(ctx, project!, name!)],
  ['POST', new RegExp(`^/console/projects/${P}/environments/${P}$`), (ctx, [project, name], _url, form) => change(ctx, project!, name!, form)],
  ['POST', new RegExp(`^/console/projects/${P}/environments/${P}/runs$`), (ctx, [project, name], _url, form) => run(ctx, project!, name!, form)],
  ['GET', new RegExp(`^/console/projects/${P}/environments/${P}/destroy$`), (ctx, [project, name]) => destroyPage(ctx, project!, name!)],
  ['POST', new RegExp(`^/console/projects/${P}/environments/${P}/destroy$`), (ctx, [project, name], _url, form) => destroy(ctx, project!, name!, form)],
  ['GET', /^\/console\/runs$/, (ctx) => runsPage(ctx)],
  [
    'GET',
    new RegExp(`^/console/runs/${P}$`),
    async (ctx, [id], url) => {
      // The part of the page that changes, for the page's own script to swap in while the run goes.
      if (url.searchParams.get('part') === 'state') return { status: 200, type: 'text/html; charset=utf-8', body: runState(ctx.viewer, (await runView(ctx, id!)).run).value };
      return runPage(ctx, id!);
    },
  ],
  ['POST', new RegExp(`^/console/runs/${P}/approvals$`), (ctx, [id]) => approve(ctx, id!)],
  ['GET', /^\/console\/events$/, (ctx) => eventsView(ctx)],
  ['GET', /^\/console\/repositories$/, (ctx) => repositoriesView(ctx)],
  ['POST', /^\/console\/drift\/adopt$/, (ctx, _p, _url, form) => adopt(ctx, form)],
  ['POST', /^\/console\/drift\/revert$/, (ctx, _p, _url, form) => revert(ctx, form)],
  ['GET', new RegExp(`^/console/projects/${P}/bot-pull-request$`), (ctx, [project], url) => botPullRequestPage(ctx, project!, url.searchParams.get('format') === 'json')],
];

const isPage = (value: Page | Outcome | Answer): value is Page => 'body' in value && 'title' in value;

function decodedNotice(held: string | undefined): string | undefined {
  if (!held) return undefined;
  try {
    return decodeURIComponent(held);
  } catch {
    return undefined;
  }
}

export function createConsoleHandler(options: ConsoleOptions) {
  const { settings, log } = options;
  const access = new AccessCache(options.service.records, async (repo, login) => (await options.portOf(repo)).permissionOf(repoRefOf(repo), login));
  const secure = (req: IncomingMessage) => (settings as ConsoleSettings).publicUrl?.startsWith('https:') ?? (req.headers['x-forwarded-proto'] === 'https');
  /** This server's own address as the browser reaches it: GitHub sends users back here, and changes must come from here. */
  const originOf = (req: IncomingMessage) => {
    const publicUrl = (settings as ConsoleSettings).publicUrl;
    // As a browser writes an Origin: lowercase host, no default port, no path.
    return publicUrl ? new URL(publicUrl).origin : `${secure(req) ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
  };

  const write = (res: ServerResponse, status: number, body: string, type = 'text/html; charset=utf-8', headers: Record<string, string | string[]> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...headers });
    res.end(body);
  };
  const redirect = (res: ServerResponse, location: string, cookies: string[] = []) => write(res, 303, '', 'text/plain', { location, ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  const showPage = (res: ServerResponse, status: number, title: string, body: Html, viewer?: Viewer, section?: Page['section'], notice?: string) =>
    write(res, status, page({ title, body, ...(viewer ? { viewer } : {}), ...(section ? { section } : {}), ...(notice ? { notice: html`${notice}` } : {}) }).value);

  /** A notice for the next page (what an action did): a short-lived cookie, read once. */
  const NOTICE_COOKIE = 'envsync_notice';

  async function signIn(req: IncomingMessage, res: ServerResponse, url: URL, on: ConsoleSettings): Promise<void> {
    const client = { clientId: on.clientId, clientSecret: on.clientSecret, apiRoot: options.apiRoot };
    const callback = `${(settings as ConsoleSettings).publicUrl ?? originOf(req)}/console/sign-in/callback`;
    if (url.pathname === '/console/sign-in') {
      const state = newToken();
      const held = await sealSignIn({ state, back: safeBack(url.searchParams.get('back')) }, on.sessionKey);
      return redirect(res, authorizationUrl(client, callback, state), [cookie(SIGN_IN_COOKIE, held, { maxAgeSeconds: 600, secure: secure(req) })]);
    }
    // The callback: GitHub sends the user back with a code and the state the sign-in cookie holds.
    const held = await openSignIn(cookiesOf(req.headers.cookie).get(cookieName(SIGN_IN_COOKIE, secure(req))), on.sessionKey);
    const code = url.searchParams.get('code');
    if (!held || !sameSecret(url.searchParams.get('state') ?? undefined, held.state) || !code) {
      return showPage(res, 400, 'Sign-in failed', html`<p class="problem" role="alert">This sign-in was not started here, or took more than 10 minutes, or was answered twice.</p><p><a href="/console/sign-in">Sign in with GitHub again</a></p>`);
    }
    let session: Session;
    try {
      session = await signedInUser(client, code, callback);
    } catch (e) {
      log.info({ err: (e as Error).message }, 'console sign-in refused by GitHub');
      return showPage(res, 400, 'Sign-in failed', html`<p class="problem" role="alert">GitHub did not confirm the sign-in (${(e as Error).message}).</p><p><a href="/console/sign-in">Sign in with GitHub again</a></p>`);
    }
    log.info({ user: session.login }, 'console sign-in');
    redirect(res, held.back, [
      cookie(SESSION_COOKIE, await sealSession(session, on.sessionKey), { maxAgeSeconds: SESSION_HOURS * 3600, secure: secure(req) }),
      cookie(SIGN_IN_COOKIE, '', { maxAgeSeconds: 0, secure: secure(req) }),
    ]);
  }

  /**
   * A change is taken only with the session's CSRF token in its form, and, when the browser says
   * where it comes from (Origin), only from this server's own pages.
   */
  function forged(req: IncomingMessage, session: Session, form: URLSearchParams): string | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== originOf(req)) return `a change sent from ${origin}, not from this console`;
    if (!sameSecret(form.get('_csrf') ?? undefined, session.csrf)) return 'a change without this session\'s form token (reload the page and try again)';
    return undefined;
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
    try {
      const asset = url.pathname.startsWith('/console/assets/') ? assetOf(url.pathname.slice('/console/assets/'.length)) : undefined;
      if (asset) return write(res, 200, asset.body, asset.type, { 'cache-control': 'public, max-age=300' }), true;
      if ('off' in settings) return showPage(res, 503, 'The console is off', problem(settings.off)), true;
      if ((url.pathname === '/console/sign-in' || url.pathname === '/console/sign-in/callback') && req.method === 'GET') return await signIn(req, res, url, settings), true;

      const cookies = cookiesOf(req.headers.cookie);
      const session = await openSession(cookies.get(cookieName(SESSION_COOKIE, secure(req))), settings.sessionKey);
      if (!session) {
        if (req.method !== 'GET') return showPage(res, 401, 'Signed out', problem('Your session has ended: sign in again, then send the change again.')), true;
        const back = `${url.pathname}${url.search}`;
        return showPage(res, 200, 'Sign in', html`<p>The envsync console shows the environments of the config repositories you may read on GitHub, and lets you change those you may write to.</p><p><a class="button" href="/console/sign-in?back=${encodeURIComponent(back)}">Sign in with GitHub</a></p>`), true;
      }
      const viewer: Viewer = { login: session.login, csrf: session.csrf };
      const ctx: Context = { ...options, viewer, access };

      let form = new URLSearchParams();
      if (req.method === 'POST') {
        const body = await readCapped(req, MAX_FORM);
        if (!body) return showPage(res, 413, 'Too large', problem(`A form of more than ${MAX_FORM / 1024} KB: nothing was changed.`), viewer), true;
        form = new URLSearchParams(body.toString('utf8'));
        const refused = forged(req, session, form);
        if (refused) {
          log.info({ user: session.login, path: url.pathname }, `console change refused: ${refused}`);
          return showPage(res, 403, 'Refused', problem(`Refused: ${refused}. Nothing was changed.`), viewer), true;
        }
        if (url.pathname === '/console/sign-out') return redirect(res, '/console', [cookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: secure(req) })]), true;
      }

      const matching = ROUTES.filter(([, pattern]) => pattern.test(url.pathname));
      const route = matching.find(([method]) => method === req.method);
      if (!route) return showPage(res, matching.length > 0 ? 405 : 404, 'Not found', problem(matching.length > 0 ? `use ${matching.map(([m]) => m).join(' or ')}` : 'No such page.'), viewer), true;
      let params: string[];
      try {
        params = route[1].exec(url.pathname)!.slice(1).map(decodeURIComponent);
      } catch {
        return showPage(res, 400, 'Bad address', problem('The address is not valid percent-encoding.'), viewer), true;
      }
      const answer = await route[2](ctx, params, url, form);
      const held = cookies.get(cookieName(NOTICE_COOKIE, secure(req)));
      if (isPage(answer)) {
        // Shown once; one that does not decode (not ours) is dropped all the same.
        if (held !== undefined) res.setHeader('set-cookie', cookie(NOTICE_COOKIE, '', { maxAgeSeconds: 0, secure: secure(req) }));
        showPage(res, 200, answer.title, answer.body, viewer, answer.section, decodedNotice(held));
      } else if ('redirect' in answer) {
        redirect(res, answer.redirect, answer.notice ? [cookie(NOTICE_COOKIE, encodeURIComponent(answer.notice), { maxAgeSeconds: 60, secure: secure(req) })] : []);
      } else if ('page' in answer) {
        showPage(res, answer.status, answer.page.title, answer.page.body, viewer, answer.page.section);
      } else {
        write(res, answer.status, answer.body, answer.type);
      }
      return true;
    } catch (e) {
      if (e instanceof ConsoleError || e instanceof SystemError) {
        showPage(res, e.status, e.status === 404 ? 'Not found' : e.status === 403 ? 'Not allowed' : 'Not done', problem(e.message));
      } else {
        log.error(e, 'console error');
        showPage(res, 500, 'Something went wrong', problem('Something went wrong on the server: the server log says what. Nothing you see here is lost; try again.'));
      }
      return true;
    }
  };
}
