// A local stand-in for GitHub's REST API, backed by real git repositories, for the end-to-end tests
// and `npm run demo`, which run the real app server against it (Probot is pointed here with GHE_HOST, so paths start with
// /api/v3). It serves the endpoints envsync's GitHub port uses and records every request, and the
// OAuth web flow by which a person signs in to the app (authorize page, code, token, GET /user).
import { randomBytes } from 'node:crypto';
import { noreplyAuthor } from '../src/github/octokit-port.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Annotation } from '../src/github/port.js';
import { FakeOidcIssuer } from './oidc-issuer.js';

/** The app's slug and its bot account on the fake GitHub. */
export const FAKE_APP_SLUG = 'envsync';
const FAKE_BOT_ID = 90210;
export const FAKE_BOT = noreplyAuthor(`${FAKE_APP_SLUG}[bot]`, FAKE_BOT_ID);

export interface RecordedRequest {
  method: string;
  path: string;
  body: string;
}

interface PullRecord {
  number: number;
  head: string;
  base: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  mergeCommit?: string;
  title: string;
  body: string;
}

interface CheckRecord {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: unknown;
  /** Every annotation sent for this check (GitHub takes them 50 per request and keeps them all). */
  annotations: Annotation[];
}


interface CommentRecord {
  id: number;
  /** The pull request (issue) commented on; 0 for a comment on a commit. */
  issue: number;
  /** The commit commented on, for a commit comment. */
  commit?: string;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  /** How many times the comment was edited after it was posted. */
  edits: number;
  updatedAt: string;
}

interface WorkflowRunRecord {
  id: number;
  workflow: string;
  display_title: string;
  event: 'workflow_dispatch';
  /** The dispatched branch, and its tip then: the commit GitHub runs the workflow for (GITHUB_SHA). */
  head_branch: string;
  head_sha: string;
  status: 'queued' | 'completed';
  conclusion: string | null;
  created_at: string;
}

/**
 * What the fake does with a request, decided before it is handled (tests of faults): `hang` never
 * answers and changes nothing (the request was lost); `hang-after` changes what it changes and never
 * answers (the answer was lost); a number answers that status and changes nothing.
 */
export type Fault = 'hang' | 'hang-after' | number;

/** The app's id as the fake reports it on check runs and comments. */
export const FAKE_APP_ID = 1;

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly checks: CheckRecord[] = [];
  readonly comments: CommentRecord[] = [];
  readonly reactions: { comment: number; content: string }[] = [];
  readonly pulls: PullRecord[] = [];
  readonly deployments: { id: number; environment: string; ref: string; description: string; payload: Record<string, string>; statuses: { state: string; description: string; log_url?: string }[] }[] = [];
  readonly dispatches: { workflow: string; ref: string; inputs: Record<string, string>; workflowRun: number }[] = [];
  /** Workflow runs the dispatches started (GitHub makes one per dispatch), with their run-name. */
  readonly workflowRuns: WorkflowRunRecord[] = [];
  /** Decides, per request, whether it fails, hangs or is lost (see Fault); undefined: handled normally. */
  fault?: (request: RecordedRequest) => Fault | undefined;
  /** Requests that hang, so that a test can see them and let them go. */
  readonly hanging: ServerResponse[] = [];
  /** Artifacts of workflow runs, as a runner would have uploaded them (tests add them). */
  readonly artifacts: { id: number; run: number; name: string; zip: Buffer }[] = [];
  /**
   * Whether a comparison names copies (status "copied") as GitHub does. Git finds them by comparing
   * every changed file with every file: off where a benchmark compares revisions of 30,000 files.
   */
  detectCopies = true;
  /** Permission of each user on the repository; others have none. */
  readonly permissions = new Map<string, string>();
  private readonly root = mkdtempSync(join(tmpdir(), 'fake-github-'));
  private readonly tarballs = new Map<string, Buffer>();
  private server?: Server;
  private nextId = 1;

  constructor(
    readonly owner: string,
    readonly repo: string,
  ) {
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', this.gitDir]);
  }

  get gitDir(): string {
    return join(this.root, `${this.owner}-${this.repo}.git`);
  }

  git(args: string[], input?: string, env: Record<string, string> = {}): string {
    // stderr is kept out of the terminal: a failed lookup is a 404 to the caller, not a message.
    return execFileSync('git', ['--git-dir', this.gitDir, ...args], { input, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
  }

  /** Pushes a working clone's branch here (tests prepare commits in a clone of their own). */
  pushFrom(clone: string, branch: string): string {
    execFileSync('git', ['-C', clone, 'push', '-q', '--force', this.gitDir, `HEAD:refs/heads/${branch}`]);
    return this.git(['rev-parse', `refs/heads/${branch}`]);
  }

  openPullRequest(head: string, base: string, author: string): PullRecord {
    const pr: PullRecord = { number: this.pulls.length + 1, head, base, author, state: 'open', merged: false, title: 'change', body: '' };
    this.pulls.push(pr);
    return pr;
  }

  /** Merges a pull request as GitHub's merge button does: a merge commit on the base branch. */
  merge(number: number): string {
    const pr = this.pulls.find((p) => p.number === number)!;
    const [base, head] = [this.sha(pr.base), this.sha(pr.head)];
    const env = { GIT_AUTHOR_NAME: 'GitHub', GIT_AUTHOR_EMAIL: 'noreply@github.com', GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com' };
    const commit = this.git(['commit-tree', `${head}^{tree}`, '-p', base, '-p', head, '-m', `Merge pull request #${number}`], undefined, env);
    this.git(['update-ref', `refs/heads/${pr.base}`, commit]);
    Object.assign(pr, { state: 'closed', merged: true, mergeCommit: commit });
    return commit;
  }

  /** What a pull request changes, as `git diff` shows it (the "Files changed" tab). */
  diff(number: number): string {
    const pr = this.pulls.find((p) => p.number === number)!;
    const [base, head] = pr.merged ? [`${pr.mergeCommit}^1`, `${pr.mergeCommit}^2`] : [this.sha(pr.base), this.sha(pr.head)];
    return this.git(['diff', `${base}...${head}`]) + '\n';
  }

  sha(ref: string): string {
    return this.git(['rev-parse', `refs/heads/${ref}`]);
  }

  /** GitHub Actions' OIDC issuer, at `<webRoot>/_oidc` (the app's ENVSYNC_OIDC_ISSUER). */
  readonly oidc = new FakeOidcIssuer(() => `${this.webRoot}/_oidc`);

  /** What the runner of workflow run `id` gets to ask for its job's OIDC token. */
  oidcRequestFor(id: number) {
    const run = this.workflowRuns.find((r) => r.id === id)!;
    // Dispatched with the installation's token: GitHub names the app's bot as the actor.
    return this.oidc.requestFor({ repository: `${this.owner}/${this.repo}`, workflow: run.workflow, branch: run.head_branch, sha: run.head_sha, actor: FAKE_BOT.name, runId: run.id, event: run.event });
  }

  async start(): Promise<string> {
    await this.oidc.start();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The installation access token it hands out: a credential the app must never log. */
  readonly installationToken = `ghs_canary${randomBytes(12).toString('hex')}`;

  /**
   * The GitHub App's OAuth client, by which people sign in to it (the web flow at /login/oauth). The
   * secret is a credential the app must never log or show.
   */
  readonly oauthApp = { clientId: 'Iv1.fakeenvsync', clientSecret: 'fake-oauth-secret-' + randomBytes(12).toString('hex') };
  /** The user access tokens handed out, in order: credentials, which tests look for in every output. */
  readonly userTokens: string[] = [];
  /** Codes of the web flow not yet exchanged, with what each was issued for. */
  private readonly oauthCodes = new Map<string, { clientId: string; redirectUri: string; login: string; issuedAt: number }>();
  /** The login each user token stands for. */
  private readonly userTokenLogins = new Map<string, string>();
  /** Each login's account id: anyone may sign in (no account is registered first), with one id for good. */
  private readonly userIds = new Map<string, number>();

  /** Where its web pages would be: what the app makes of GHE_HOST and GHE_PROTOCOL. */
  get webRoot(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const sibling of this.siblings) await sibling.stop();
    for (const res of this.hanging.splice(0)) res.destroy();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise((resolve) => this.server!.close(resolve));
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Other repositories of the same installation, served by this server (see addRepository). */
  private readonly siblings: FakeGitHub[] = [];

  /** Another repository of the installation, on this server, with its own git repository, requests and records. */
  addRepository(repo: string, owner = this.owner): FakeGitHub {
    const sibling = new FakeGitHub(owner, repo);
    this.siblings.push(sibling);
    return sibling;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/_oidc/')) {
      const answer = await this.oidc.answer(url.pathname.slice('/_oidc'.length), url, req.headers.authorization);
      res.writeHead(answer?.status ?? 404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(answer?.data ?? { message: 'Not Found' }));
    }
    // The web flow's bodies are forms as often as JSON, and GET /user is the signed-in person's, not a
    // repository's: both are answered here, before serve() parses a JSON body for the repository routes.
    if (url.pathname.startsWith('/login/oauth/') || url.pathname === '/api/v3/user') return this.oauth(req, res, url, body);
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const owns = (r: FakeGitHub) => path === `/repos/${r.owner}/${r.repo}` || path.startsWith(`/repos/${r.owner}/${r.repo}/`);
    await (this.siblings.find(owns) ?? this).serve(req, res, url, path, body);
  }

  /**
   * Records a request and applies the test's fault to it: `answer` to handle it, `lost` to handle it
   * and answer nothing, undefined when the fault answered it or left it hanging.
   */
  private admit(recorded: RecordedRequest, res: ServerResponse): 'answer' | 'lost' | undefined {
    this.requests.push(recorded);
    const fault = this.fault?.(recorded);
    if (fault === 'hang' || fault === 'hang-after') {
      this.hanging.push(res);
      return fault === 'hang' ? undefined : 'lost';
    }
    if (typeof fault === 'number') {
      res.writeHead(fault, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fault injected: ${fault}` }));
      return undefined;
    }
    return 'answer';
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, path: string, body: string): Promise<void> {
    const admitted = this.admit({ method: req.method ?? 'GET', path: `${path}${url.search}`, body }, res);
    if (!admitted) return;
    const lost = admitted === 'lost';
    const json = (status: number, data: unknown) => {
      if (lost) return;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    try {
      const route = this.route(req.method ?? 'GET', path, url, body ? (JSON.parse(body) as Record<string, any>) : {}, req.headers.accept ?? ''); // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!route) return json(404, { message: 'Not Found' });
      if (lost) return;
      if (route.raw) {
        res.writeHead(route.status, { 'content-type': route.contentType });
        res.end(route.raw);
      } else json(route.status, route.data);
    } catch (e) {
      json(422, { message: (e as Error).message });
    }
  }

  /**
   * GitHub's OAuth web flow for a GitHub App's user authorization, as GitHub answers it: the authorize
   * page (here a form asking who you are, for users are not registered first), the one-time code sent
   * back to the redirect_uri, its exchange for a user token (ghu_), and GET /user with that token.
   */
  private oauth(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const admitted = this.admit({ method, path: `${path}${url.search}`, body }, res);
    if (!admitted) return;
    const send = (status: number, contentType: string, text: string, headers: Record<string, string> = {}) => {
      if (admitted === 'lost') return;
      res.writeHead(status, { 'content-type': contentType, ...headers });
      res.end(text);
    };
    const html = (status: number, title: string, content: string) => send(status, 'text/html; charset=utf-8', oauthPage(title, content));

    if (path === '/user') {
      if (method !== 'GET') return send(404, 'application/json', JSON.stringify({ message: 'Not Found' }));
      const token = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const login = token === undefined ? undefined : this.userTokenLogins.get(token);
      // An installation's token is no person: GitHub refuses it here rather than calling it bad.
      if (token === this.installationToken) return send(403, 'application/json', JSON.stringify({ message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest/users/users#get-the-authenticated-user' }));
      if (login === undefined) return send(401, 'application/json', JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }));
      return send(200, 'application/json', JSON.stringify({ login, id: this.userIdOf(login), type: 'User', name: login }));
    }

    // Parameters come in the query, a form or JSON (GitHub takes all three on the token endpoint).
    const params: Record<string, string> = { ...Object.fromEntries(url.searchParams), ...formOrJson(req.headers['content-type'] ?? '', body) };
    if (path === '/login/oauth/authorize' && (method === 'GET' || method === 'POST')) {
      if (params.client_id !== this.oauthApp.clientId) return html(404, 'Not found', `<p>No application has the client_id ${escapeHtml(params.client_id ?? '(none)')}.</p>`);
      const redirect = URL.canParse(params.redirect_uri ?? '') ? new URL(params.redirect_uri!) : undefined;
      if (!redirect) return html(404, 'Not found', '<p>The request names no redirect_uri to send the authorization back to.</p>');
      // The redirect_uri goes on as given: the exchange must name it the same to be honoured.
      if (method === 'GET') return html(200, 'Authorize envsync', authorizeForm(params.client_id, params.redirect_uri!, params.state));
      const login = (params.login ?? '').trim();
      if (!login) return html(400, 'Authorize envsync', '<p role="alert">Enter a username to sign in as.</p>\n' + authorizeForm(params.client_id, params.redirect_uri!, params.state));
      // GitHub's codes are 20 hex characters, good once, for ten minutes.
      const code = randomBytes(10).toString('hex');
      this.oauthCodes.set(code, { clientId: params.client_id, redirectUri: params.redirect_uri!, login, issuedAt: Date.now() });
      this.userIdOf(login);
      redirect.searchParams.set('code', code);
      if (params.state !== undefined) redirect.searchParams.set('state', params.state);
      return send(302, 'text/html; charset=utf-8', `<a href="${escapeHtml(redirect.href)}">Continue</a>`, { location: redirect.href });
    }
    if (path === '/login/oauth/access_token' && method === 'POST') {
      // GitHub answers form-encoded unless JSON is asked for, and answers a refusal with 200 too.
      const answer = (data: Record<string, string>) =>
        (req.headers.accept ?? '').includes('application/json') ? send(200, 'application/json; charset=utf-8', JSON.stringify(data)) : send(200, 'application/x-www-form-urlencoded; charset=utf-8', new URLSearchParams(data).toString());
      const refuse = (error: string, description: string) => answer({ error, error_description: description, error_uri: `https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#${error.replaceAll('_', '-')}` });
      if (params.client_id !== this.oauthApp.clientId || params.client_secret !== this.oauthApp.clientSecret) return refuse('incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.');
      const issued = this.oauthCodes.get(params.code ?? '');
      if (!issued || issued.clientId !== params.client_id || Date.now() - issued.issuedAt > 10 * 60_000) return refuse('bad_verification_code', 'The code passed is incorrect or expired.');
      if (params.redirect_uri !== undefined && params.redirect_uri !== issued.redirectUri) return refuse('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.');
      this.oauthCodes.delete(params.code!);
      const token = `ghu_${randomBytes(18).toString('hex')}`;
      this.userTokens.push(token);
      this.userTokenLogins.set(token, issued.login);
      return answer({ access_token: token, token_type: 'bearer', scope: '' });
    }
    return html(404, 'Not found', '<p>There is no such page.</p>');
  }

  /** A login's account id, the same for good once given (ids from 1000, clear of the app's). */
  private userIdOf(login: string): number {
    let id = this.userIds.get(login);
    if (id === undefined) this.userIds.set(login, (id = 1000 + this.userIds.size));
    return id;
  }

  /** GET contents as JSON, as GitHub answers it: a link to a file of the repository is answered with that file. */
  private contentsEntry(ref: string, file: string): { status: number; data: unknown } {
    const notFound = { status: 404, data: { message: 'Not Found' } };
    let listing: string;
    try {
      listing = this.git(['ls-tree', '-l', ref, '--', file]);
    } catch {
      return notFound;
    }
    const [info, name] = listing.split('\t');
    if (!info || name !== file) return listing === '' ? notFound : { status: 200, data: [] };
    const [mode, type, sha, size] = info.split(/\s+/) as [string, string, string, string];
    if (type === 'tree') return { status: 200, data: [] };
    if (type === 'commit') return { status: 200, data: { type: 'submodule', path: file, sha, size: 0 } };
    if (mode === '120000') {
      const target = this.git(['cat-file', 'blob', sha]);
      const resolved = posix.normalize(posix.join(posix.dirname(file), target));
      const regular = !target.startsWith('/') && !resolved.startsWith('../') && /^100/.test(this.git(['ls-tree', ref, '--', resolved]).split(/\s+/)[0] ?? '');
      return regular ? this.contentsEntry(ref, resolved) : { status: 200, data: { type: 'symlink', target, path: file, sha, size: Number(size) } };
    }
    const content = execFileSync('git', ['--git-dir', this.gitDir, 'cat-file', 'blob', sha], { maxBuffer: 1 << 30 });
    // GitHub inlines the content of files of 1 MB or less; the fake cuts lower, at 1,000,000 bytes,
    // so that a file just under envsync's 1 MiB limit takes the blob path.
    const large = content.length > 1_000_000;
    return { status: 200, data: { type: 'file', path: file, sha, size: content.length, encoding: large ? 'none' : 'base64', content: large ? '' : content.toString('base64') } };
  }

  private route(method: string, path: string, url: URL, body: Record<string, any>, accept: string): { status: number; data?: unknown; raw?: Buffer | string; contentType?: string } | undefined { // eslint-disable-line @typescript-eslint/no-explicit-any
    const repoPath = `/repos/${this.owner}/${this.repo}`;
    const m = (pattern: RegExp) => pattern.exec(path);
    let match: RegExpExecArray | null;
    if (method === 'POST' && (match = m(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      return { status: 201, data: { token: this.installationToken, expires_at: '2099-01-01T00:00:00Z' } };
    }
    // The app and its bot account, as GitHub answers them (the slug is the app's name in its URL).
    if (method === 'GET' && path === '/app') return { status: 200, data: { id: 1, slug: FAKE_APP_SLUG, name: 'envsync' } };
    if (method === 'GET' && path === `/users/${encodeURIComponent(FAKE_BOT.name)}`) return { status: 200, data: { login: FAKE_BOT.name, id: FAKE_BOT_ID, type: 'Bot' } };
    if (!path.startsWith(repoPath) && !path.startsWith('/orgs/')) return undefined;
    const rest = path.slice(repoPath.length);
    // The app's installation on the repository, as the app itself (its JWT) asks for it.
    if (method === 'GET' && rest === '/installation') return { status: 200, data: { id: 1, app_id: FAKE_APP_ID, account: { login: this.owner } } };
    if (method === 'GET' && (match = m(/^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/))) return undefined;
    if (method === 'GET' && (match = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pr = this.pulls.find((p) => p.number === Number(match![1]));
      if (!pr) return undefined;
      return { status: 200, data: this.pullData(pr) };
    }
    if (method === 'GET' && (match = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(rest))) {
      return { status: 200, data: this.pulls.filter((p) => p.mergeCommit === match![1] || this.sha(p.head) === match![1]).map((p) => this.pullData(p)) };
    }
    if (method === 'POST' && (match = /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(rest))) {
      const workflow = decodeURIComponent(match[1]!);
      const run: WorkflowRunRecord = { id: this.nextId++, workflow, display_title: this.runName(workflow, body.ref, body.inputs), event: 'workflow_dispatch', head_branch: body.ref, head_sha: this.sha(body.ref), status: 'queued', conclusion: null, created_at: new Date().toISOString() };
      this.workflowRuns.push(run);
      this.dispatches.push({ workflow, ref: body.ref, inputs: body.inputs, workflowRun: run.id });
      return { status: 204, raw: '' };
    }
    if (method === 'GET' && (match = /^\/actions\/workflows\/([^/]+)\/runs$/.exec(rest))) {
      const workflow = decodeURIComponent(match[1]!);
      const since = /^>=(.+)$/.exec(url.searchParams.get('created') ?? '')?.[1];
      const runs = this.workflowRuns.filter((r) => r.workflow === workflow && (!since || r.created_at >= new Date(since).toISOString())).reverse();
      return { status: 200, data: { total_count: runs.length, workflow_runs: runs } };
    }
    if (method === 'GET' && (match = /^\/actions\/runs\/(\d+)$/.exec(rest))) {
      const run = this.workflowRuns.find((r) => r.id === Number(match![1]));
      if (!run) return { status: 404, data: { message: 'Not Found' } };
      return { status: 200, data: { ...run, html_url: `https://github.example/${this.owner}/${this.repo}/actions/runs/${run.id}` } };
    }
    if (method === 'POST' && (match = /^\/actions\/runs\/(\d+)\/cancel$/.exec(rest))) {
      const run = this.workflowRuns.find((r) => r.id === Number(match![1]));
      if (!run) return undefined;
      if (run.status === 'completed') return { status: 409, data: { message: 'Cannot cancel a workflow run that is completed.' } };
      Object.assign(run, { status: 'completed', conclusion: 'cancelled' });
      return { status: 202, data: {} };
    }
    if (method === 'GET' && rest === '/deployments') {
      const [sha, environment] = [url.searchParams.get('sha'), url.searchParams.get('environment')];
      const found = this.deployments.filter((d) => (!sha || d.ref === sha) && (!environment || d.environment === environment)).reverse();
      return { status: 200, data: found.map((d) => ({ id: d.id, ref: d.ref, environment: d.environment, payload: d.payload })) };
    }
    if (method === 'GET' && (match = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
      const deployment = this.deployments.find((d) => d.id === Number(match![1]));
      if (!deployment) return undefined;
      return { status: 200, data: [...deployment.statuses].reverse().slice(0, Number(url.searchParams.get('per_page') ?? 30)) };
    }
    if (method === 'POST' && rest === '/deployments') {
      const deployment = { id: this.nextId++, environment: body.environment, ref: body.ref, description: body.description ?? '', payload: body.payload, statuses: [] };
      this.deployments.push(deployment);
      return { status: 201, data: { id: deployment.id } };
    }
    if (method === 'POST' && (match = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
      const deployment = this.deployments.find((d) => d.id === Number(match![1]));
      if (!deployment) return undefined;
      deployment.statuses.push({ state: body.state, description: body.description, ...(body.log_url ? { log_url: body.log_url } : {}) });
      return { status: 201, data: {} };
    }
    if (method === 'GET' && (match = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest))) {
      const artifacts = this.artifacts.filter((a) => a.run === Number(match![1])).map((a) => ({ id: a.id, name: a.name, expired: false }));
      return { status: 200, data: { total_count: artifacts.length, artifacts } };
    }
    if (method === 'GET' && (match = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(rest))) {
      const artifact = this.artifacts.find((a) => a.id === Number(match![1]));
      return artifact ? { status: 200, raw: artifact.zip, contentType: 'application/zip' } : undefined;
    }
    if (method === 'GET' && rest === '/pulls') {
      const head = url.searchParams.get('head')?.split(':')[1];
      const found = this.pulls.filter((p) => !head || p.head === head).reverse().slice(0, Number(url.searchParams.get('per_page') ?? 30));
      return { status: 200, data: found.map((p) => ({ number: p.number, state: p.state, merged_at: p.merged ? '2026-01-01T00:00:00Z' : null })) };
    }
    if (method === 'POST' && rest === '/pulls') {
      const pr = this.openPullRequest(body.head, body.base, 'envsync[bot]');
      Object.assign(pr, { title: body.title, body: body.body });
      return { status: 201, data: { number: pr.number } };
    }
    if (method === 'PATCH' && (match = /^\/pulls\/(\d+)$/.exec(rest))) {
      Object.assign(this.pulls.find((p) => p.number === Number(match![1]))!, { title: body.title, body: body.body });
      return { status: 200, data: {} };
    }
    if (method === 'GET' && (match = /^\/contents\/(.+)$/.exec(rest))) {
      const [ref, file] = [url.searchParams.get('ref') ?? 'HEAD', decodeURIComponent(match[1]!)];
      if (!accept.includes('raw')) return this.contentsEntry(ref, file);
      try {
        return { status: 200, raw: this.git(['show', `${ref}:${file}`]) + '\n', contentType: 'application/vnd.github.raw+json; charset=utf-8' };
      } catch {
        return { status: 404, data: { message: 'Not Found' } };
      }
    }
    if (method === 'GET' && (match = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      try {
        const content = execFileSync('git', ['--git-dir', this.gitDir, 'cat-file', 'blob', match[1]!], { maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
        return { status: 200, data: { sha: match[1], size: content.length, encoding: 'base64', content: content.toString('base64') } };
      } catch {
        return { status: 404, data: { message: 'Not Found' } };
      }
    }
    if (method === 'GET' && (match = /^\/tarball\/(.+)$/.exec(rest))) {
      const ref = decodeURIComponent(match[1]!);
      const sha = this.git(['rev-parse', ref]);
      // A commit's tarball never changes: made once (the git archive of a large repository takes a
      // while, and blocks this server, which is the test's own process).
      let tarball = this.tarballs.get(sha);
      if (!tarball) {
        tarball = execFileSync('git', ['--git-dir', this.gitDir, 'archive', '--format=tar.gz', `--prefix=${this.owner}-${this.repo}-${sha.slice(0, 7)}/`, sha], { maxBuffer: 1 << 30 });
        this.tarballs.set(sha, tarball);
      }
      return { status: 200, raw: tarball, contentType: 'application/x-gzip' };
    }
    if (method === 'GET' && (match = /^\/branches\/(.+)$/.exec(rest))) {
      try {
        const branch = decodeURIComponent(match[1]!);
        return { status: 200, data: { commit: { sha: this.sha(branch), commit: { tree: { sha: this.git(['rev-parse', `refs/heads/${branch}^{tree}`]) } } } } };
      } catch {
        return { status: 404, data: { message: 'Branch not found' } };
      }
    }
    if (method === 'GET' && (match = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const [base, head] = [match[1]!, match[2]!];
      const log = this.git(['log', '--reverse', '--format=%H%x00%an%x00%ae%x00%P', `${base}..${head}`]);
      const behind = this.git(['rev-list', '--count', `${head}..${base}`]);
      const commits = log ? log.split('\n').map((l) => { const [sha, name, email, parents] = l.split('\0'); return { sha, commit: { author: { name, email } }, parents: (parents ?? '').split(' ').filter(Boolean).map((p) => ({ sha: p })) }; }) : [];
      const status = commits.length === 0 ? (behind === '0' ? 'identical' : 'behind') : behind === '0' ? 'ahead' : 'diverged';
      // As GitHub: the files from the merge base to head (three dots), at most 300 of them.
      const mergeBase = this.git(['merge-base', base, head]);
      const files = this.git(['diff', '--name-status', '-M', ...(this.detectCopies ? ['-C', '--find-copies-harder'] : []), '-z', mergeBase, head]).split('\0').filter(Boolean);
      const listed: { filename: string; status: string; previous_filename?: string }[] = [];
      const STATUS: Record<string, string> = { A: 'added', D: 'removed', M: 'modified', T: 'changed', R: 'renamed', C: 'copied' };
      for (let i = 0; i < files.length; ) {
        const code = files[i++]!;
        if (code[0] === 'R' || code[0] === 'C') {
          listed.push({ filename: files[i + 1]!, status: STATUS[code[0]]!, previous_filename: files[i]! });
          i += 2;
        } else listed.push({ filename: files[i++]!, status: STATUS[code[0]!] ?? 'modified' });
      }
      return { status: 200, data: { status, ahead_by: commits.length, behind_by: Number(behind), merge_base_commit: { sha: mergeBase }, commits, files: listed.slice(0, 300) } };
    }
    if (method === 'POST' && rest === '/check-runs') {
      const check: CheckRecord = { id: this.nextId++, name: body.name, head_sha: body.head_sha, status: body.status ?? 'queued', conclusion: body.conclusion ?? null, output: body.output, annotations: [...(body.output?.annotations ?? [])] };
      this.checks.push(check);
      return { status: 201, data: { id: check.id } };
    }
    if (method === 'PATCH' && (match = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const check = this.checks.find((c) => c.id === Number(match![1]));
      if (!check) return undefined;
      Object.assign(check, { ...(body.status ? { status: body.status } : {}), ...(body.conclusion ? { conclusion: body.conclusion } : {}), ...(body.output ? { output: body.output } : {}) });
      check.annotations.push(...(body.output?.annotations ?? []));
      return { status: 200, data: {} };
    }
    if (method === 'GET' && (match = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const latest = new Map<string, CheckRecord>();
      for (const c of this.checks.filter((c) => c.head_sha === match![1])) latest.set(c.name, c);
      const runs = [...latest.values()].map((c) => {
        const output = (c.output ?? {}) as { title?: string; summary?: string; text?: string };
        return { id: c.id, name: c.name, head_sha: c.head_sha, status: c.status, conclusion: c.conclusion, app: { id: FAKE_APP_ID }, output: { title: output.title ?? null, summary: output.summary ?? null, text: output.text ?? null, annotations_count: c.annotations.length } };
      });
      return { status: 200, data: { total_count: runs.length, check_runs: runs } };
    }
    if (method === 'GET' && (match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const since = url.searchParams.get('since');
      const found = this.comments.filter((c) => c.issue === Number(match![1]) && (!since || c.updatedAt >= new Date(since).toISOString()));
      return { status: 200, data: found.map((c) => ({ id: c.id, body: c.body, user: c.user, updated_at: c.updatedAt, performed_via_github_app: c.user.type === 'Bot' ? { id: FAKE_APP_ID } : null })) };
    }
    if (method === 'POST' && (match = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const comment: CommentRecord = { id: this.nextId++, issue: Number(match[1]), body: body.body, user: { login: 'envsync[bot]', type: 'Bot' }, edits: 0, updatedAt: new Date().toISOString() };
      this.comments.push(comment);
      return { status: 201, data: { id: comment.id } };
    }
    if (method === 'PATCH' && (match = /^\/issues\/comments\/(\d+)$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(match![1]))!;
      comment.body = body.body;
      comment.edits++;
      comment.updatedAt = new Date().toISOString();
      return { status: 200, data: {} };
    }
    if (method === 'GET' && (match = /^\/commits\/([0-9a-f]{40})\/comments$/.exec(rest))) {
      const found = this.comments.filter((c) => c.commit === match![1]);
      return { status: 200, data: found.map((c) => ({ id: c.id, body: c.body, user: c.user, commit_id: c.commit, performed_via_github_app: c.user.type === 'Bot' ? { id: FAKE_APP_ID } : null })) };
    }
    if (method === 'POST' && (match = /^\/commits\/([0-9a-f]{40})\/comments$/.exec(rest))) {
      const comment: CommentRecord = { id: this.nextId++, issue: 0, commit: match[1]!, body: body.body, user: { login: 'envsync[bot]', type: 'Bot' }, edits: 0, updatedAt: new Date().toISOString() };
      this.comments.push(comment);
      return { status: 201, data: { id: comment.id } };
    }
    if (method === 'PATCH' && (match = /^\/comments\/(\d+)$/.exec(rest))) {
      const comment = this.comments.find((c) => c.id === Number(match![1]) && c.commit !== undefined);
      if (!comment) return { status: 404, data: { message: 'Not Found' } };
      comment.body = body.body;
      comment.edits++;
      comment.updatedAt = new Date().toISOString();
      return { status: 200, data: {} };
    }
    if (method === 'POST' && (match = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      // GitHub keeps one reaction of each kind per user: the same one again answers 200.
      if (this.reactions.some((r) => r.comment === Number(match![1]) && r.content === body.content)) return { status: 200, data: {} };
      this.reactions.push({ comment: Number(match[1]), content: body.content });
      return { status: 201, data: {} };
    }
    if (method === 'GET' && (match = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const permission = this.permissions.get(match[1]!) ?? 'none';
      return { status: 200, data: { permission: permission === 'maintain' ? 'write' : permission, role_name: permission } };
    }
    if (method === 'POST' && rest === '/git/trees') return { status: 201, data: { sha: this.writeTree(body.base_tree, body.tree) } };
    if (method === 'POST' && rest === '/git/commits') {
      // Without an author GitHub writes the app's bot account as author and committer (and signs).
      const author = (body.author as { name: string; email: string } | undefined) ?? FAKE_BOT;
      const env = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
      return { status: 201, data: { sha: this.git(['commit-tree', body.tree, ...body.parents.flatMap((p: string) => ['-p', p]), '-m', body.message], undefined, env) } };
    }
    if (method === 'POST' && rest === '/git/refs') {
      this.git(['update-ref', body.ref, body.sha]);
      return { status: 201, data: {} };
    }
    if (method === 'PATCH' && (match = /^\/git\/refs\/(.+)$/.exec(rest))) {
      const ref = `refs/${decodeURIComponent(match[1]!)}`;
      if (!body.force) {
        try {
          this.git(['merge-base', '--is-ancestor', ref, body.sha]);
        } catch {
          return { status: 422, data: { message: 'Update is not a fast forward' } };
        }
      }
      this.git(['update-ref', ref, body.sha]);
      return { status: 200, data: {} };
    }
    return undefined;
  }

  /** A dispatched run's title, as Actions makes it from the workflow's run-name on the dispatched ref. */
  private runName(workflow: string, ref: string, inputs: Record<string, string>): string {
    let template = `${workflow}`;
    try {
      template = /^run-name:\s*(.+)$/m.exec(this.git(['show', `refs/heads/${ref}:.github/workflows/${workflow}`]))?.[1] ?? template;
    } catch {
      // No workflow file on that branch: the example repository's runs carry envsync's own run-name.
      template = 'envsync ${{ inputs.action }} ${{ inputs.environment }} (run ${{ inputs.run-id }})';
    }
    return template.replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => inputs[name] ?? '');
  }

  private pullData(pr: PullRecord) {
    const head = pr.merged ? this.git(['rev-parse', `${pr.mergeCommit}^2`]) : this.sha(pr.head);
    return {
      number: pr.number,
      state: pr.state,
      merged_at: pr.merged ? '2026-01-01T00:00:00Z' : null,
      merge_commit_sha: pr.mergeCommit ?? null,
      head: { sha: head, ref: pr.head },
      base: { sha: this.sha(pr.base), ref: pr.base },
      user: { login: pr.author },
    };
  }

  /** The Git data API's tree creation: a base tree with files written and removed. */
  private writeTree(baseTree: string, entries: { path: string; content?: string; sha?: string | null }[]): string {
    const index = join(this.root, `index-${this.nextId++}`);
    const env = { GIT_INDEX_FILE: index };
    this.git(['read-tree', baseTree], undefined, env);
    for (const entry of entries) {
      if (entry.sha === null) this.git(['update-index', '--force-remove', entry.path], undefined, env);
      else {
        const blob = this.git(['hash-object', '-w', '--stdin'], entry.content ?? '');
        this.git(['update-index', '--add', '--cacheinfo', `100644,${blob},${entry.path}`], undefined, env);
      }
    }
    return this.git(['write-tree'], undefined, env);
  }
}

/** A form's fields or a JSON object's string members, by the request's content type. */
function formOrJson(contentType: string, body: string): Record<string, string> {
  if (!contentType.includes('json')) return Object.fromEntries(new URLSearchParams(body));
  try {
    const data: unknown = JSON.parse(body);
    return typeof data === 'object' && data !== null ? Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
  } catch {
    return {};
  }
}

/** Text or an attribute's value in HTML (the flow's parameters come from whoever made the link). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The authorize page's form: who to sign in as, with the flow's parameters carried along. */
function authorizeForm(clientId: string, redirectUri: string, state: string | undefined): string {
  const hidden = (name: string, value: string | undefined) => (value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`);
  return [
    '<p>envsync wants to know who you are on this (fake) GitHub. No password: any username signs in.</p>',
    '<form method="post" action="/login/oauth/authorize">',
    hidden('client_id', clientId) + hidden('redirect_uri', redirectUri) + hidden('state', state),
    '<p><label for="login">Username</label> <input type="text" id="login" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus></p>',
    '<p><button type="submit">Authorize envsync</button></p>',
    '</form>',
  ].join('\n');
}

/** A small page of the fake's web flow, with a title and a heading saying where one is. */
function oauthPage(title: string, content: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · fake GitHub</title></head>`,
    `<body><main><h1>${escapeHtml(title)}</h1>`,
    content,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}
