// The one door to GitHub. Handlers and delivery code call these operations; only the Octokit
// implementation builds REST requests, and tests substitute the HTTP layer (nock) or the port.

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface FileWrite {
  path: string;
  /** New content, or null to delete the file. */
  content: string | null;
}

export interface CommitAuthor {
  name: string;
  email: string;
}

export interface PullRequestRef {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Annotation[];
}

export interface CheckRun {
  name: string;
  headSha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral' | 'action_required';
  output: CheckOutput;
}

export interface PullRequest {
  number: number;
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  baseRef: string;
  author: string;
  /** The commit the merge made on the base branch, once merged. */
  mergeCommitSha?: string;
}

export type DeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface DeploymentStatus {
  state: DeploymentState;
  description: string;
  /** Where the run's log is (the workflow run, or the workflow's runs). */
  logUrl?: string;
}

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface GitHubPort {
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequest>;
  /** Creates a check run; returns its id. */
  createCheckRun(repo: RepoRef, run: CheckRun): Promise<number>;
  /** Updates a check run: more annotations (at most 50 a request), a new status or output. */
  updateCheckRun(repo: RepoRef, id: number, run: Partial<CheckRun>): Promise<void>;
  /** The check runs of a commit, by name. */
  listCheckRuns(repo: RepoRef, sha: string): Promise<{ id: number; name: string; status: string; conclusion: string | null }[]>;
  /** The first comment of the app on an issue or pull request whose body holds `marker`. */
  findComment(repo: RepoRef, number: number, marker: string): Promise<{ id: number; body: string } | undefined>;
  createComment(repo: RepoRef, number: number, body: string): Promise<number>;
  updateComment(repo: RepoRef, id: number, body: string): Promise<void>;
  addReaction(repo: RepoRef, commentId: number, content: '+1' | 'eyes' | 'confused'): Promise<void>;
  permissionOf(repo: RepoRef, user: string): Promise<Permission>;
  /** Whether `user` is an active member of the team `org/slug`. */
  isTeamMember(org: string, slug: string, user: string): Promise<boolean>;
  /** A file's text at a ref, or undefined when there is no such file. */
  getFile(repo: RepoRef, path: string, ref: string): Promise<string | undefined>;
  /** A whole revision as a gzipped tarball, in one request whatever the number of files. */
  getTarball(repo: RepoRef, ref: string): Promise<Uint8Array>;
  /** The branch's head commit and its tree, or undefined when there is no such branch. */
  getBranch(repo: RepoRef, branch: string): Promise<{ sha: string; treeSha: string } | undefined>;
  /** Authors of the commits reachable from `head` but not from `base`. */
  commitsBetween(repo: RepoRef, base: string, head: string): Promise<{ sha: string; author: CommitAuthor }[]>;
  /** One tree and one commit holding `files` on top of `parent`, whatever the number of files. */
  commitFiles(repo: RepoRef, change: { parent: string; baseTree: string; files: readonly FileWrite[]; message: string; author: CommitAuthor }): Promise<string>;
  /** Points a branch at a commit: creates it, or moves it (forced or fast-forward only). */
  setBranch(repo: RepoRef, branch: string, sha: string, how: { create: boolean; force: boolean }): Promise<void>;
  /** The most recent pull request from `branch`, open or closed. */
  findPullRequest(repo: RepoRef, branch: string): Promise<PullRequestRef | undefined>;
  createPullRequest(repo: RepoRef, pr: { head: string; base: string; title: string; body: string }): Promise<number>;
  updatePullRequest(repo: RepoRef, number: number, pr: { title: string; body: string }): Promise<void>;
  /** The pull requests a commit belongs to (for a merge commit: the merged pull request). */
  pullRequestsOfCommit(repo: RepoRef, sha: string): Promise<PullRequest[]>;
  /** Starts a workflow_dispatch workflow on a branch with string inputs. */
  dispatchWorkflow(repo: RepoRef, workflow: string, ref: string, inputs: Record<string, string>): Promise<void>;
  /** A deployment of `ref` to `environment`; returns its id. */
  createDeployment(repo: RepoRef, deployment: { ref: string; environment: string; description: string; payload: Record<string, string> }): Promise<number>;
  createDeploymentStatus(repo: RepoRef, deploymentId: number, status: DeploymentStatus): Promise<void>;
  /** The artifacts a workflow run uploaded. */
  listRunArtifacts(repo: RepoRef, workflowRunId: number): Promise<{ id: number; name: string; expired: boolean }[]>;
  /** An artifact's zip archive. */
  downloadArtifact(repo: RepoRef, artifactId: number): Promise<Uint8Array>;
}
