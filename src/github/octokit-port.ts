// The GitHub port over an Octokit client (Probot's, or @octokit/core's): each operation is one REST
// request, except commitFiles, which is two (a tree, then a commit).
import type { CheckRun, CommitAuthor, DeploymentStatus, FileWrite, GitHubPort, Permission, PullRequest, PullRequestRef, RepoRef } from './port.js';

/** What the port needs of an Octokit: its generic request function. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

interface RestPullRequest {
  number: number;
  state: 'open' | 'closed';
  head: { sha: string };
  base: { sha: string; ref: string };
  user: { login: string };
  merged_at?: string | null;
  merge_commit_sha?: string | null;
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

export class OctokitPort implements GitHubPort {
  constructor(private readonly octokit: OctokitLike) {}

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

  async createDeployment(repo: RepoRef, deployment: { ref: string; environment: string; description: string; payload: Record<string, string> }) {
    // No required contexts and no auto-merge: the checks ran on the pull request, and a deployment
    // must never merge the default branch into the commit it deploys.
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/deployments', { ...repo, ...deployment, auto_merge: false, required_contexts: [] });
    return (data as { id: number }).id;
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

  async createDeploymentStatus(repo: RepoRef, deploymentId: number, status: DeploymentStatus) {
    await this.octokit.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: deploymentId,
      state: status.state,
      description: status.description.slice(0, 140), // GitHub's limit for a status description
      ...(status.logUrl ? { log_url: status.logUrl } : {}),
    });
  }

  async createCheckRun(repo: RepoRef, run: CheckRun) {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/check-runs', { ...repo, ...checkBody(run) });
    return (data as { id: number }).id;
  }

  async updateCheckRun(repo: RepoRef, id: number, run: Partial<CheckRun>) {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { ...repo, check_run_id: id, ...checkBody(run) });
  }

  async listCheckRuns(repo: RepoRef, sha: string) {
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...repo, ref: sha, per_page: 100, filter: 'latest' });
    return (data as { check_runs: { id: number; name: string; status: string; conclusion: string | null }[] }).check_runs.map(({ id, name, status, conclusion }) => ({ id, name, status, conclusion }));
  }

  async findComment(repo: RepoRef, number: number, marker: string) {
    // The sticky comment is written early in a pull request's life: the first 100 comments hold it.
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: number, per_page: 100 });
    const found = (data as { id: number; body?: string; performed_via_github_app?: unknown; user?: { type?: string } }[]).find(
      (c) => (c.body ?? '').includes(marker) && c.user?.type === 'Bot',
    );
    return found && { id: found.id, body: found.body ?? '' };
  }

  async createComment(repo: RepoRef, number: number, body: string) {
    const { data } = await this.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...repo, issue_number: number, body });
    return (data as { id: number }).id;
  }

  async updateComment(repo: RepoRef, id: number, body: string) {
    await this.octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { ...repo, comment_id: id, body });
  }

  async addReaction(repo: RepoRef, commentId: number, content: '+1' | 'eyes' | 'confused') {
    await this.octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', { ...repo, comment_id: commentId, content });
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

  async getFile(repo: RepoRef, path: string, ref: string) {
    try {
      const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...repo, path, ref, headers: { accept: 'application/vnd.github.raw+json' } });
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
    const { data } = await this.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${base}...${head}` });
    const commits = (data as { commits: { sha: string; commit: { author: CommitAuthor } }[] }).commits;
    return commits.map((c) => ({ sha: c.sha, author: { name: c.commit.author.name, email: c.commit.author.email } }));
  }

  async commitFiles(repo: RepoRef, change: { parent: string; baseTree: string; files: readonly FileWrite[]; message: string; author: CommitAuthor }) {
    const tree = change.files.map((f) =>
      f.content === null ? { path: f.path, mode: '100644', type: 'blob', sha: null } : { path: f.path, mode: '100644', type: 'blob', content: f.content },
    );
    const created = await this.octokit.request('POST /repos/{owner}/{repo}/git/trees', { ...repo, base_tree: change.baseTree, tree });
    const commit = await this.octokit.request('POST /repos/{owner}/{repo}/git/commits', {
      ...repo,
      message: change.message,
      tree: (created.data as { sha: string }).sha,
      parents: [change.parent],
      author: change.author,
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
