// GitHub in memory, for tests of flows: the conversation (comments, reactions, permissions), checks,
// deployments and their statuses, workflow dispatches and runs, artifacts and pull requests, each
// kept as a list a test reads, and every write recorded in `calls` in the order it was made. The
// "ensure" operations behave as the Octokit port's do (read first, write what differs). Reading a
// repository's files is not held here: a flow that reads revisions is tested against the fake
// GitHub server (demo/fake-github.ts), backed by real git repositories.
import type { CheckRun, CommitAuthor, DeploymentStatus, GitHubPort, ListedCheckRun, Permission, PullRequest, Reaction, RepoRef, WorkflowRunState } from './port.js';

interface Comment {
  id: number;
  /** The pull request, or the commit, commented on. */
  on: { pullRequest: number } | { commit: string };
  body: string;
}

interface Deployment {
  id: number;
  ref: string;
  environment: string;
  description: string;
  payload: Record<string, string>;
  statuses: DeploymentStatus[];
}

const notHeld = (operation: string) => () => {
  throw new Error(`MemoryPort does not hold repository contents (${operation}): test a flow that reads revisions against demo/fake-github.ts`);
};

export class MemoryPort implements GitHubPort {
  /** Every write, in order: `OPERATION detail`. */
  readonly calls: string[] = [];
  readonly comments: Comment[] = [];
  readonly reactions: { comment: number; content: Reaction }[] = [];
  readonly checkRuns: (CheckRun & { id: number })[] = [];
  readonly deployments: Deployment[] = [];
  readonly dispatches: { workflow: string; ref: string; inputs: Record<string, string>; workflowRun: number }[] = [];
  readonly workflowRuns: WorkflowRunState[] = [];
  readonly artifacts: { id: number; run: number; name: string; zip: Uint8Array }[] = [];
  readonly pullRequests: PullRequest[] = [];
  readonly permissions = new Map<string, Permission>();
  readonly teams = new Map<string, string[]>();
  /** A failure to throw instead of making a write, chosen per call (`operation`, its detail). */
  fail?: (operation: string, detail: string) => Error | undefined;
  private nextId = 1;

  constructor(readonly identity: CommitAuthor = { name: 'envsync[bot]', email: '1+envsync[bot]@users.noreply.github.com' }) {}

  private write(operation: string, detail: string): void {
    const failure = this.fail?.(operation, detail);
    if (failure) throw failure;
    this.calls.push(`${operation} ${detail}`);
  }

  async getPullRequest(_repo: RepoRef, number: number) {
    const pr = this.pullRequests.find((p) => p.number === number);
    if (!pr) throw Object.assign(new Error(`no pull request #${number}`), { status: 404 });
    return pr;
  }

  async pullRequestsOfCommit(_repo: RepoRef, sha: string) {
    return this.pullRequests.filter((p) => p.headSha === sha || p.mergeCommitSha === sha);
  }

  async ensureCheckRuns(_repo: RepoRef, headSha: string, runs: readonly CheckRun[]) {
    const ids = new Map<string, number>();
    for (const run of runs) {
      const found = this.checkRuns.filter((c) => c.headSha === headSha && c.name === run.name).at(-1);
      if (found && JSON.stringify({ ...found, id: undefined }) === JSON.stringify({ ...run, id: undefined })) {
        ids.set(run.name, found.id);
        continue;
      }
      this.write('check', `${run.name} ${headSha} ${run.status}${run.conclusion ? ` ${run.conclusion}` : ''}`);
      const id = found?.id ?? this.nextId++;
      if (found) Object.assign(found, run);
      else this.checkRuns.push({ ...run, id });
      ids.set(run.name, id);
    }
    return ids;
  }

  async updateCheckRun(_repo: RepoRef, id: number, run: Partial<CheckRun>) {
    this.write('check', `${id} ${run.status ?? ''}`.trim());
    Object.assign(this.checkRuns.find((c) => c.id === id) ?? {}, run);
  }

  async listCheckRuns(_repo: RepoRef, sha: string): Promise<ListedCheckRun[]> {
    return this.checkRuns
      .filter((c) => c.headSha === sha)
      .map((c) => ({ id: c.id, name: c.name, status: c.status, conclusion: c.conclusion ?? null, output: { title: c.output.title, summary: c.output.summary, text: c.output.text ?? null, annotationsCount: c.output.annotations?.length ?? 0 } }));
  }

  private ensureOn(on: Comment['on'], marker: string, bodyOf: string | ((previous: string | undefined) => string)) {
    const key = JSON.stringify(on);
    const existing = this.comments.find((c) => JSON.stringify(c.on) === key && c.body.includes(marker));
    const body = typeof bodyOf === 'string' ? bodyOf : bodyOf(existing?.body);
    if (!existing) {
      this.write('comment', `${'pullRequest' in on ? `#${on.pullRequest}` : on.commit} created`);
      const comment = { id: this.nextId++, on, body };
      this.comments.push(comment);
      return { id: comment.id, outcome: 'created' as const };
    }
    if (existing.body === body) return { id: existing.id, outcome: 'unchanged' as const };
    this.write('comment', `${'pullRequest' in on ? `#${on.pullRequest}` : on.commit} updated`);
    existing.body = body;
    return { id: existing.id, outcome: 'updated' as const };
  }

  async ensureComment(_repo: RepoRef, number: number, marker: string, body: string | ((previous: string | undefined) => string)) {
    return this.ensureOn({ pullRequest: number }, marker, body);
  }

  async ensureCommitComment(_repo: RepoRef, sha: string, marker: string, body: string) {
    return this.ensureOn({ commit: sha }, marker, body);
  }

  async findComment(_repo: RepoRef, number: number, marker: string) {
    const found = this.comments.find((c) => 'pullRequest' in c.on && c.on.pullRequest === number && c.body.includes(marker));
    return found && { id: found.id, body: found.body };
  }

  async addReaction(_repo: RepoRef, commentId: number, content: Reaction) {
    if (this.reactions.some((r) => r.comment === commentId && r.content === content)) return;
    this.write('reaction', `${commentId} ${content}`);
    this.reactions.push({ comment: commentId, content });
  }

  async permissionOf(_repo: RepoRef, user: string) {
    return this.permissions.get(user) ?? 'none';
  }

  async isTeamMember(org: string, slug: string, user: string) {
    return (this.teams.get(`${org}/${slug}`) ?? []).includes(user);
  }

  webUrl(path: string) {
    return `https://github.example/${path.replace(/^\/+/, '')}`;
  }

  async commitIdentity() {
    return this.identity;
  }

  async dispatchWorkflow(_repo: RepoRef, workflow: string, ref: string, inputs: Record<string, string>) {
    this.write('dispatch', `${workflow}@${ref} ${inputs['run-id'] ?? ''}`.trim());
    const id = this.nextId++;
    this.workflowRuns.push({ id, status: 'queued', conclusion: null, displayTitle: `envsync ${inputs.action} ${inputs.environment} (run ${inputs['run-id']})`, htmlUrl: this.webUrl(`actions/runs/${id}`) });
    this.dispatches.push({ workflow, ref, inputs, workflowRun: id });
  }

  async findWorkflowRun(_repo: RepoRef, _workflow: string, titleSuffix: string) {
    return this.workflowRuns.find((r) => r.displayTitle.endsWith(titleSuffix));
  }

  async getWorkflowRun(_repo: RepoRef, id: number) {
    return this.workflowRuns.find((r) => r.id === id);
  }

  async cancelWorkflowRun(_repo: RepoRef, id: number) {
    const run = this.workflowRuns.find((r) => r.id === id);
    if (!run || run.status === 'completed') return;
    this.write('cancel', String(id));
    Object.assign(run, { status: 'completed', conclusion: 'cancelled' });
  }

  async ensureDeployment(_repo: RepoRef, deployment: { ref: string; environment: string; description: string; payload: { runId: string } & Record<string, string> }) {
    const found = this.deployments.find((d) => d.ref === deployment.ref && d.environment === deployment.environment && d.payload.runId === deployment.payload.runId);
    if (found) return found.id;
    this.write('deployment', `${deployment.environment} ${deployment.payload.runId}`);
    const id = this.nextId++;
    this.deployments.push({ id, ...deployment, statuses: [] });
    return id;
  }

  async ensureDeploymentStatus(_repo: RepoRef, deploymentId: number, status: DeploymentStatus) {
    const deployment = this.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw Object.assign(new Error(`no deployment ${deploymentId}`), { status: 404 });
    const latest = deployment.statuses.at(-1);
    if (latest && latest.state === status.state && latest.description === status.description) return;
    this.write('status', `${deployment.environment} ${status.state} ${status.description}`);
    deployment.statuses.push(status);
  }

  async listRunArtifacts(_repo: RepoRef, workflowRunId: number) {
    return this.artifacts.filter((a) => a.run === workflowRunId).map((a) => ({ id: a.id, name: a.name, expired: false }));
  }

  async downloadArtifact(_repo: RepoRef, artifactId: number) {
    const artifact = this.artifacts.find((a) => a.id === artifactId);
    if (!artifact) throw Object.assign(new Error(`no artifact ${artifactId}`), { status: 404 });
    return artifact.zip;
  }

  /** The head branch of each pull request the port opened. */
  private readonly heads = new Map<number, string>();

  async findPullRequest(_repo: RepoRef, branch: string) {
    const found = this.pullRequests.find((p) => this.heads.get(p.number) === branch);
    return found && { number: found.number, state: found.state, merged: found.mergeCommitSha !== undefined };
  }

  async createPullRequest(_repo: RepoRef, pr: { head: string; base: string; title: string; body: string }) {
    this.write('pull request', `${pr.head} -> ${pr.base}: ${pr.title}`);
    const number = this.nextId++;
    this.heads.set(number, pr.head);
    this.pullRequests.push({ number, state: 'open', headSha: '', baseSha: '', baseRef: pr.base, author: this.identity.name });
    return number;
  }

  async updatePullRequest(_repo: RepoRef, number: number, pr: { title: string; body: string }) {
    this.write('pull request', `#${number} updated: ${pr.title}`);
  }

  getFile = notHeld('getFile');
  getTarball = notHeld('getTarball');
  getBranch = notHeld('getBranch');
  compareCommits = notHeld('compareCommits');
  changedFiles = notHeld('changedFiles');
  getEntry = notHeld('getEntry');
  commitsBetween = notHeld('commitsBetween');
  commitFiles = notHeld('commitFiles');
  setBranch = notHeld('setBranch');
}
