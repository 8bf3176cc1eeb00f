// The GitHub port over an Octokit client (Probot's, or @octokit/core's): each operation is one REST
// request, except commitFiles (a tree, then a commit) and the "ensure" operations, which read first
// and then write only what differs.
import type {
  Annotation,
  ChangedFile,
  FileComparison,
  RevisionEntry, CheckOutput, CheckRun, CommitAuthor, Comparison, DeploymentStatus, FileWrite, GitHubPort, ListedCheckRun, Permission, PullRequest, PullRequestRef, Reaction, RepoRef, WorkflowRunState } from './port.js';
import { STATUS_DESCRIPTION_LIMIT } from './port.js';

/** What the port needs of an Octokit: its generic request function. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown; headers?: Record<string, string | number | undefined> }>;
}

export interface PortOptions {
  /** The app's id: check runs and comments of other apps are not ours to update. */
  appId?: number;
  /** Told of every request: its route and status, and the rate limit left (metrics). */
  observe?: (request: { route: string; status: number; rateLimitRemaining?: number }) => void;
  /**
   * Awaited before every request that writes (any method but GET and HEAD); what it throws stops
   * the write. The worker passes its job's fence, so that a job taken back from a stalled worker
   * is not written twice.
   */
  beforeWrite?: () => Promise<void>;
  /** The web root links point at: https://github.com unless GitHub Enterprise Server (see webRootOf). */
  webRoot?: string;
  /** Who this port's commits are by, when it acts as an app (see the app's botIdentity); else the token's user. */
  identity?: () => Promise<CommitAuthor>;
}

/** The web root of the GitHub that Probot's GHE_HOST and GHE_PROTOCOL name, github.com without them. */
export const webRootOf = (env: NodeJS.ProcessEnv): string => (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}` : 'https://github.com');

/** The REST API's root, as Probot makes it of the same settings. */
export const apiRootOf = (env: NodeJS.ProcessEnv): string => (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3` : 'https://api.github.com');

/** The address GitHub gives the commits of an account that keeps its own private: `ID+LOGIN@users.noreply.github.com`. */
export const noreplyAuthor = (login: string, id: number): CommitAuthor => ({ name: login, email: `${id}+${login}@users.noreply.github.com` });

/** GitHub takes at most 50 annotations a request. */
/** GitHub lists at most this many files of a comparison ("Compare two commits"). */
const COMPARE_FILE_LIMIT = 300;
const ANNOTATIONS_PER_REQUEST = 50;

interface RestPullRequest {
  number: number;
  state: 'open' | 'closed';
  head: { sha: string };
  base: { sha: string; ref: string };
  user: { login: string };
  merged_at?: string | null;
  merge_commit_sha?: string | null;
}

interface RestCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  app?: { id: number } | null;
  output?: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
}

const pullRequestOf = (pr: RestPullRequest): PullRequest => ({
  number: pr.number,
  state: pr.state,
  headSha: pr.head.sha,
  baseSha: pr.base.sha,
  baseRef: pr.base.ref,
  author: pr.user.login,
  ...(pr.merged_at && pr.merge_commit_sha ? { mergeCommitSha: pr.merge_commit_sha } : {}),
});

const isNotFound = (e: unknown) => (e as { status?: number }).status === 404;

/** A check run in the REST API's words; only the fields given. */
function checkBody(run: Partial<CheckRun>): Record<string, unknown> {
  return {
    ...(run.name !== undefined ? { name: run.name } : {}),
    ...(run.headSha !== undefined ? { head_sha: run.headSha } : {}),
    ...(run.status !== undefined ? { status: run.status } : {}),
    ...(run.conclusion !== undefined ? { conclusion: run.conclusion } : {}),
    ...(run.output !== undefined ? { output: run.output } : {}),
  };
}

/** Whether a listed check run already says what `run` says (annotations aside). */
function sameCheck(found: ListedCheckRun, run: CheckRun): boolean {
  return (
    found.status === run.status &&
    (found.conclusion ?? undefined) === run.conclusion &&
    found.output.title === run.output.title &&
    found.output.summary === run.output.summary &&
    (found.output.text ?? undefined) === run.output.text
  );
}

function batches(annotations: readonly Annotation[]): Annotation[][] {
  const out: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) out.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return out;
}

/** An Octokit whose writes wait for `beforeWrite` first. */
function fenced(octokit: OctokitLike, beforeWrite: NonNullable<PortOptions['beforeWrite']>): OctokitLike {
  return {
    request: async (route, parameters) => {
      if (!/^(GET|HEAD) /.test(route)) await beforeWrite();
      return octokit.request(route, parameters);
    },
  };
}

/** An Octokit whose every request is told to `observe`. */
function observed(octokit: OctokitLike, observe: NonNullable<PortOptions['observe']>): OctokitLike {
  return {
    request: async (route, parameters) => {
      try {
        const response = await octokit.request(route, parameters);
        const remaining = Number(response.headers?.['x-ratelimit-remaining']);
        observe({ route, status: response.status, ...(Number.isFinite(remaining) ? { rateLimitRemaining: remaining } : {}) });
        return response;
      } catch (e) {
        observe({ route, status: (e as { status?: number }).status ?? 0 });
        throw e;
      }
    },
  };
}

export class OctokitPort implements GitHubPort {
  private readonly octokit: OctokitLike;
  private readonly appId: number | undefined;
  private readonly identity: PortOptions['identity'];
  private readonly webRoot: string;

  constructor(octokit: OctokitLike, options: PortOptions = {}) {
    this.identity = options.identity;
    this.webRoot = (options.webRoot ?? 'https://github.com').replace(/\/+$/, '');
    const watched = options.observe ? observed(octokit, options.observe) : octokit;
    this.octokit = options.beforeWrite ? fenced(watched, options.beforeWrite) : watched;
    this.appId = options.appId;
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequest> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: number });
    return pullRequestOf(data as RestPullRequest);
  }

  async pullRequestsOfCommit(repo: RepoRef, sha: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls', { ...repo, commit_sha: sha });
    return (data as RestPullRequest[]).map(pullRequestOf);
  }

  async dispatchWorkflow(repo: RepoRef, workflow: string, ref: string, inputs: Record<string, string>) {
    await this.octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', { ...repo, workflow_id: workflow, ref, inputs });
  }

  async findWorkflowRun(repo: RepoRef, workflow: string, titleSuffix: string, since: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', { ...repo, workflow_id: workflow, event: 'workflow_dispatch', created: `>=${since}`, per_page: 100 });
    const found = (data as { workflow_runs: RestWorkflowRun[] }).workflow_runs.find((r) => (r.display_title ?? '').endsWith(titleSuffix));
    return found && workflowRunState(found);
  }

  async getWorkflowRun(repo: RepoRef, id: number) {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', { ...repo, run_id: id });
      return workflowRunState(data as RestWorkflowRun);
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  }

  async cancelWorkflowRun(repo: RepoRef, id: number) {
    try {
      await this.octokit.request('POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel', { ...repo, run_id: id });
    } catch (e) {
      // 409: it has finished already, which is as good.
      if ((e as { status?: number }).status !== 409) throw e;
    }
  }

  async ensureDeployment(repo: RepoRef, deployment: { ref: string; environment: string; description: string; payload: { runId: string } & Record<string, string> }) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/deployments', { ...repo, sha: deployment.ref, environment: deployment.environment, per_page: 100 });
    const payloadOf = (d: { payload: unknown }) => (typeof d.payload === 'string' ? (JSON.parse(d.payload || '{}') as Record<string, unknown>) : ((d.payload ?? {}) as Record<string, unknown>));
    const found = (data as { id: number; payload: unknown }[]).find((d) => payloadOf(d).runId === deployment.payload.runId);
    if (found) return found.id;
    // No required contexts and no auto-merge: the checks ran on the pull request, and a deployment
    // must never merge the default branch into the commit it deploys.
    const created = await this.octokit.request('POST /repos/{owner}/{repo}/deployments', { ...repo, ...deployment, auto_merge: false, required_contexts: [] });
    return (created.data as { id: number }).id;
  }

  async ensureDeploymentStatus(repo: RepoRef, deploymentId: number, status: DeploymentStatus) {
    const description = status.description.slice(0, STATUS_DESCRIPTION_LIMIT);
    // GitHub lists a deployment's statuses newest first.
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', { ...repo, deployment_id: deploymentId, per_page: 1 });
    const latest = (data as { state: string; description: string | null }[])[0];
    if (latest && latest.state === status.state && (latest.description ?? '') === description) return;
    await this.octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: deploymentId,
      state: status.state,
      description,
      ...(status.logUrl ? { log_url: status.logUrl } : {}),
    });
  }

  async listRunArtifacts(repo: RepoRef, workflowRunId: number) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', { ...repo, run_id: workflowRunId, per_page: 100 });
    return (data as { artifacts: { id: number; name: string; expired: boolean }[] }).artifacts.map(({ id, name, expired }) => ({ id, name, expired }));
  }

  async downloadArtifact(repo: RepoRef, artifactId: number) {
    // GitHub answers with a redirect to blob storage, which the request follows.
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', { ...repo, artifact_id: artifactId, archive_format: 'zip' });
    return new Uint8Array(data as ArrayBuffer);
  }

  async ensureCheckRuns(repo: RepoRef, headSha: string, runs: readonly CheckRun[]) {
    const existing = new Map((await this.listCheckRuns(repo, headSha)).map((c) => [c.name, c]));
    const ids = new Map<string, number>();
    for (const run of runs) {
      const annotations = run.output.annotations ?? [];
      const output = (part: Annotation[]): CheckOutput => ({
        title: run.output.title,
        summary: run.output.summary,
        ...(run.output.text !== undefined ? { text: run.output.text } : {}),
        ...(run.output.annotations !== undefined ? { annotations: part } : {}),
      });
      const first = annotations.slice(0, ANNOTATIONS_PER_REQUEST);
      const found = existing.get(run.name);
      let id: number;
      let sent: number;
      if (!found) {
        const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...repo, ...checkBody({ ...run, headSha, output: output(first) }) });
        [id, sent] = [(data as { id: number }).id, first.length];
      } else if (sameCheck(found, run)) {
        // Resumed where an earlier attempt stopped: GitHub keeps the annotations it was sent.
        [id, sent] = [found.id, Math.min(found.output.annotationsCount, annotations.length)];
      } else {
        const { name: _name, headSha: _head, ...change } = run;
        await this.octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: found.id, ...checkBody({ ...change, output: output(first) }) });
        [id, sent] = [found.id, first.length];
      }
      for (const part of batches(annotations.slice(sent))) {
        await this.octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: id, output: output(part) });
      }
      ids.set(run.name, id);
    }
    return ids;
  }

  async updateCheckRun(repo: RepoRef, id: number, run: Partial<CheckRun>) {
    // A run stays on its commit: "Update a check run" takes no head_sha.
    const { headSha: _head, ...change } = run;
    await this.octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: id, ...checkBody(change) });
  }

  async listCheckRuns(repo: RepoRef, sha: string): Promise<ListedCheckRun[]> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      ...repo,
      ref: sha,
      per_page: 100,
      filter: 'latest',
      ...(this.appId !== undefined ? { app_id: this.appId } : {}),
    });
    return (data as { check_runs: RestCheckRun[] }).check_runs
      .filter((c) => this.appId === undefined || !c.app || c.app.id === this.appId)
      .map((c) => ({
        id: c.id,
        name: c.name,
        status: c.status,
        conclusion: c.conclusion,
        output: { title: c.output?.title ?? null, summary: c.output?.summary ?? null, text: c.output?.text ?? null, annotationsCount: c.output?.annotations_count ?? 0 },
      }));
  }

  async ensureComment(repo: RepoRef, number: number, marker: string, bodyOf: string | ((previous: string | undefined) => string), options: { since?: string } = {}) {
    const existing = await this.findComment(repo, number, marker, options.since);
    return this.ensured(existing, typeof bodyOf === 'string' ? bodyOf : bodyOf(existing?.body), {
      create: (body) => this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: number, body }),
      update: (id, body) => this.octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: id, body }),
    });
  }

  async ensureCommitComment(repo: RepoRef, sha: string, marker: string, body: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{commit_sha}/comments', { ...repo, commit_sha: sha, per_page: 100 });
    return this.ensured(this.ours(data as RestComment[], marker), body, {
      create: (text) => this.octokit.request('POST /repos/{owner}/{repo}/commits/{commit_sha}/comments', { ...repo, commit_sha: sha, body: text }),
      update: (id, text) => this.octokit.request('PATCH /repos/{owner}/{repo}/comments/{comment_id}', { ...repo, comment_id: id, body: text }),
    });
  }

  /** This app's comment among `comments` that holds `marker`: by a bot, and by this app when GitHub says which. */
  private ours(comments: readonly RestComment[], marker: string): { id: number; body: string } | undefined {
    const found = comments.find((c) => (c.body ?? '').includes(marker) && c.user?.type === 'Bot' && (this.appId === undefined || !c.performed_via_github_app || c.performed_via_github_app.id === this.appId));
    return found && { id: found.id, body: found.body ?? '' };
  }

  /** A comment made to say `body`: posted when there is none, edited when it says something else. */
  private async ensured(existing: { id: number; body: string } | undefined, body: string, write: { create: (body: string) => Promise<{ data: unknown }>; update: (id: number, body: string) => Promise<unknown> }) {
    if (!existing) return { id: ((await write.create(body)).data as { id: number }).id, outcome: 'created' as const };
    if (existing.body === body) return { id: existing.id, outcome: 'unchanged' as const };
    await write.update(existing.id, body);
    return { id: existing.id, outcome: 'updated' as const };
  }

  async findComment(repo: RepoRef, number: number, marker: string, since?: string) {
    // The sticky comment is written early in a pull request's life, and a reply just after its
    // command (`since`): the first 100 comments hold either.
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: number, per_page: 100, ...(since ? { since } : {}) });
    return this.ours(data as RestComment[], marker);
  }

  async addReaction(repo: RepoRef, commentId: number, content: Reaction) {
    await this.octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', { ...repo, comment_id: commentId, content });
  }

  /** GitHub's comparison of two commits: how they relate, and the commits of `head` that `base` lacks. */
  private async compare(repo: RepoRef, base: string, head: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${base}...${head}` });
    return data as { status: Comparison['status']; commits: { sha: string; parents: { sha: string }[]; commit: { author: CommitAuthor } }[] };
  }

  async compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison> {
    const { status, commits } = await this.compare(repo, base, head);
    return { status, commits: commits.map((c) => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) })) };
  }

  async changedFiles(repo: RepoRef, base: string, head: string): Promise<FileComparison> {
    // One commit a page: the file list (of the whole comparison) comes with the first page anyway.
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${base}...${head}`, per_page: 1 });
    const { status, merge_base_commit, files } = data as {
      status: Comparison['status'];
      merge_base_commit: { sha: string };
      files?: { filename: string; status: ChangedFile['status']; previous_filename?: string }[];
    };
    // GitHub lists at most 300 files of a comparison, without saying whether there were more.
    const complete = files !== undefined && files.length < COMPARE_FILE_LIMIT;
    return {
      status,
      mergeBase: merge_base_commit.sha,
      files: complete ? files.map((f) => ({ path: f.filename, status: f.status, ...(f.previous_filename ? { previousPath: f.previous_filename } : {}) })) : undefined,
    };
  }

  async getEntry(repo: RepoRef, path: string, ref: string, maxBytes: number): Promise<RevisionEntry | undefined> {
    let data: unknown;
    try {
      ({ data } = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...repo, path, ref }));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    if (Array.isArray(data)) return undefined;
    const entry = data as { type: string; path: string; size: number; sha: string; encoding?: string; content?: string; target?: string };
    if (entry.type === 'symlink') return { type: 'link', target: entry.target ?? '' };
    // GitHub answers a link to a file of the repository with that file: the path tells.
    if (entry.path !== path) return { type: 'link', target: undefined };
    if (entry.type !== 'file') return undefined;
    if (entry.size > maxBytes) return { type: 'file', size: entry.size, blob: entry.sha, content: undefined };
    // Files over 1 MB come without their content: their blob, by id, has it (base64, so the bytes are
    // exactly the file's, as the tarball gives them).
    const encoded = entry.encoding === 'base64' ? entry.content : ((await this.octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { ...repo, file_sha: entry.sha })).data as { content: string }).content;
    const content = Buffer.from(encoded ?? '', 'base64');
    return { type: 'file', size: entry.size, blob: entry.sha, content };
  }

  async permissionOf(repo: RepoRef, user: string): Promise<Permission> {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', { ...repo, username: user });
      // role_name says maintain and triage, which `permission` folds into write and read.
      const { permission, role_name } = data as { permission: Permission; role_name?: string };
      return (['admin', 'maintain', 'write', 'triage', 'read'] as const).find((p) => p === role_name) ?? permission;
    } catch (e) {
      if (isNotFound(e)) return 'none';
      throw e;
    }
  }

  async isTeamMember(org: string, slug: string, user: string) {
    try {
      const { data } = await this.octokit.request('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', { org, team_slug: slug, username: user });
      return (data as { state: string }).state === 'active';
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async getFile(repo: RepoRef, path: string, ref?: string) {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...repo, path, ...(ref ? { ref } : {}), headers: { accept: 'application/vnd.github.raw+json' } });
      return typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async getTarball(repo: RepoRef, ref: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/tarball/{ref}', { ...repo, ref });
    return new Uint8Array(data as ArrayBuffer);
  }

  async getBranch(repo: RepoRef, branch: string) {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/branches/{branch}', { ...repo, branch });
      const commit = (data as { commit: { sha: string; commit: { tree: { sha: string } } } }).commit;
      return { sha: commit.sha, treeSha: commit.commit.tree.sha };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async commitsBetween(repo: RepoRef, base: string, head: string) {
    const { commits } = await this.compare(repo, base, head);
    return commits.map((c) => ({ sha: c.sha, author: { name: c.commit.author.name, email: c.commit.author.email } }));
  }

  webUrl(path: string): string {
    return `${this.webRoot}/${path.replace(/^\/+/, '')}`;
  }

  async commitIdentity(): Promise<CommitAuthor> {
    if (this.identity) return this.identity();
    try {
      const { data } = await this.octokit.request('GET /user');
      const user = data as { login: string; id: number };
      return noreplyAuthor(user.login, user.id);
    } catch (e) {
      // An installation token (Actions' GITHUB_TOKEN) has no user: GitHub commits as github-actions[bot].
      if ((e as { status?: number }).status !== 403) throw e;
      return noreplyAuthor('github-actions[bot]', 41898282);
    }
  }

  async commitFiles(repo: RepoRef, change: { parent: string; baseTree: string; files: readonly FileWrite[]; message: string }) {
    const tree = change.files.map((f) =>
      f.content === null ? { path: f.path, mode: '100644', type: 'blob', sha: null } : { path: f.path, mode: '100644', type: 'blob', content: f.content },
    );
    const created = await this.octokit.request('POST /repos/{owner}/{repo}/git/trees', { ...repo, base_tree: change.baseTree, tree });
    const commit = await this.octokit.request('POST /repos/{owner}/{repo}/git/commits', {
      ...repo,
      message: change.message,
      tree: (created.data as { sha: string }).sha,
      parents: [change.parent],
    });
    return (commit.data as { sha: string }).sha;
  }

  async setBranch(repo: RepoRef, branch: string, sha: string, how: { create: boolean; force: boolean }) {
    if (how.create) await this.octokit.request('POST /repos/{owner}/{repo}/git/refs', { ...repo, ref: `refs/heads/${branch}`, sha });
    else await this.octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...repo, ref: `heads/${branch}`, sha, force: how.force });
  }

  async findPullRequest(repo: RepoRef, branch: string): Promise<PullRequestRef | undefined> {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/pulls', { ...repo, head: `${repo.owner}:${branch}`, state: 'all', per_page: 1 });
    const pr = (data as { number: number; state: 'open' | 'closed'; merged_at: string | null }[])[0];
    return pr && { number: pr.number, state: pr.state, merged: pr.merged_at !== null };
  }

  async createPullRequest(repo: RepoRef, pr: { head: string; base: string; title: string; body: string }) {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/pulls', { ...repo, ...pr });
    return (data as { number: number }).number;
  }

  async updatePullRequest(repo: RepoRef, number: number, pr: { title: string; body: string }) {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...repo, pull_number: number, ...pr });
  }
}

interface RestWorkflowRun {
  id: number;
  status?: string | null;
  conclusion?: string | null;
  display_title?: string;
  html_url?: string;
  head_sha?: string;
}

const workflowRunState = (r: RestWorkflowRun): WorkflowRunState => ({ id: r.id, status: r.status ?? 'queued', conclusion: r.conclusion ?? null, displayTitle: r.display_title ?? '', htmlUrl: r.html_url ?? '', ...(r.head_sha ? { headSha: r.head_sha } : {}) });

interface RestComment {
  id: number;
  body?: string;
  performed_via_github_app?: { id: number } | null;
  user?: { type?: string };
}
