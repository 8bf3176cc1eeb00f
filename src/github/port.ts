// The one door to GitHub. Flows call these operations; only the Octokit implementation builds REST
// requests, and tests substitute the HTTP layer (nock), the server (demo/fake-github.ts) or the port.
import type { CheckOutput } from '../render/checks.js';

export type { Annotation, CheckOutput } from '../render/checks.js';

/** OWNER/NAME. */
export const nameOf = (repo: RepoRef) => `${repo.owner}/${repo.repo}`;

/** OWNER/NAME as a RepoRef. */
export const repoRefOf = (name: string): RepoRef => {
  const [owner, repo] = name.split('/') as [string, string];
  return { owner, repo };
};

/** GitHub's limit for a deployment status description: longer ones are cut, as GitHub would refuse them. */
export const STATUS_DESCRIPTION_LIMIT = 140;

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

/** A workflow run as GitHub reports it: what a run whose report never came is settled from. */
export interface WorkflowRunState {
  id: number;
  status: string;
  conclusion: string | null;
  displayTitle: string;
  /** The commit GitHub ran it for (a dispatch's: the branch's tip then), as its runners' OIDC tokens say (`sha`). */
  headSha?: string;
  htmlUrl: string;
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

/** What a check run looked like when listed: enough to tell whether it says what it should. */
export interface ListedCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
}

/** How two commits relate: `ahead` when head descends from base (a fast-forward). */
export interface Comparison {
  status: 'ahead' | 'behind' | 'identical' | 'diverged';
  /** The commits reachable from head but not from base, oldest first (at most 250), with their parents. */
  commits: { sha: string; parents: string[] }[];
}

export type Reaction = '+1' | 'eyes' | 'confused';

/** A file a comparison lists: its path, and the blob (content hash) it has in the head. */
export interface ChangedFile {
  path: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  /** The path it had in the base, for a renamed file. */
  previousPath?: string;
}

/** The files by which `head` differs from the merge base of `base` and `head`. */
export interface FileComparison {
  status: Comparison['status'];
  mergeBase: string;
  /** Undefined when GitHub lists too many files for the list to be complete. */
  files: ChangedFile[] | undefined;
}

/** One path of a revision as Git stores it: a file, or a symbolic link, which is never followed. */
export type RevisionEntry =
  | { type: 'file'; size: number; blob: string; content: Uint8Array | undefined }
  /** `target` as the link holds it; undefined when GitHub resolved it to a file of the repository. */
  | { type: 'link'; target: string | undefined };

/**
 * The one door to GitHub. Operations say intent; those named "ensure" read before they write and
 * write only what differs, so that a job repeated after a crash or a redelivery does nothing twice.
 */
export interface GitHubPort {
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequest>;
  /**
   * Makes this app's check runs of `headSha` say what `runs` say, with one read for all of them: a
   * missing one is created, one that differs is updated, an equal one is left alone. Annotations
   * (any number) go 50 a request, and those GitHub already has are not sent again.
   */
  ensureCheckRuns(repo: RepoRef, headSha: string, runs: readonly CheckRun[]): Promise<Map<string, number>>;
  /** Updates a check run: a new status or output. */
  updateCheckRun(repo: RepoRef, id: number, run: Partial<CheckRun>): Promise<void>;
  /** This app's check runs of a commit, the latest of each name. */
  listCheckRuns(repo: RepoRef, sha: string): Promise<ListedCheckRun[]>;
  /**
   * Makes this app's comment holding `marker` on an issue or pull request read `body`: created when
   * there is none, edited when it differs. `body` may be made from the comment's current body. `since`
   * (ISO-8601) narrows the search to comments updated since then (a reply is never older than its command).
   */
  ensureComment(repo: RepoRef, number: number, marker: string, body: string | ((previous: string | undefined) => string), options?: { since?: string }): Promise<{ id: number; outcome: 'created' | 'updated' | 'unchanged' }>;
  /** Like ensureComment, on a commit: where a run with no pull request (a manual one) is summarized. */
  ensureCommitComment(repo: RepoRef, sha: string, marker: string, body: string): Promise<{ id: number; outcome: 'created' | 'updated' | 'unchanged' }>;
  /** The body of this app's comment holding `marker`, if any. */
  findComment(repo: RepoRef, number: number, marker: string): Promise<{ id: number; body: string } | undefined>;
  /** A reaction of the app to a comment; GitHub keeps one of each kind per user, so it is idempotent. */
  addReaction(repo: RepoRef, commentId: number, content: Reaction): Promise<void>;
  permissionOf(repo: RepoRef, user: string): Promise<Permission>;
  /** Whether `user` is an active member of the team `org/slug`. */
  isTeamMember(org: string, slug: string, user: string): Promise<boolean>;
  /** A file's text at a ref, or undefined when there is no such file. */
  getFile(repo: RepoRef, path: string, ref?: string): Promise<string | undefined>;
  /** A whole revision as a gzipped tarball, in one request whatever the number of files. */
  getTarball(repo: RepoRef, ref: string): Promise<Uint8Array>;
  /** The branch's head commit and its tree, or undefined when there is no such branch. */
  getBranch(repo: RepoRef, branch: string): Promise<{ sha: string; treeSha: string } | undefined>;
  /** How `head` relates to `base`. */
  compareCommits(repo: RepoRef, base: string, head: string): Promise<Comparison>;
  /** The files `head` changed since its merge base with `base`: a revision read from another one's files. */
  changedFiles(repo: RepoRef, base: string, head: string): Promise<FileComparison>;
  /**
   * One path at a ref: a file with its content (undefined past `maxBytes`), a link (never followed),
   * or undefined when it is neither (absent, a folder, a submodule).
   */
  getEntry(repo: RepoRef, path: string, ref: string, maxBytes: number): Promise<RevisionEntry | undefined>;
  /** Authors of the commits reachable from `head` but not from `base`. */
  commitsBetween(repo: RepoRef, base: string, head: string): Promise<{ sha: string; author: CommitAuthor }[]>;
  /** One tree and one commit holding `files` on top of `parent`, whatever the number of files. */
  /**
   * A commit of these files on `parent`, authored and committed by whoever the port acts as (no
   * author is sent: GitHub then signs an app's commits, and they show as Verified).
   */
  commitFiles(repo: RepoRef, change: { parent: string; baseTree: string; files: readonly FileWrite[]; message: string }): Promise<string>;
  /** The web address of `path` (`owner/repo/actions/...`) on this GitHub: github.com, or a GitHub Enterprise Server. */
  webUrl(path: string): string;
  /** Who commits made through this port are by: an app's bot account (`ID+SLUG[bot]@users.noreply.github.com`), or the token's user. */
  commitIdentity(): Promise<CommitAuthor>;
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
  /**
   * The workflow run of `workflow` started by a dispatch since `since` whose run name ends with
   * `titleSuffix`: whether a dispatch whose answer was lost did start a run.
   */
  findWorkflowRun(repo: RepoRef, workflow: string, titleSuffix: string, since: string): Promise<WorkflowRunState | undefined>;
  /** One workflow run as GitHub has it now; undefined when GitHub knows it no more. */
  getWorkflowRun(repo: RepoRef, id: number): Promise<WorkflowRunState | undefined>;
  /** Cancels a workflow run (one that duplicates another). */
  cancelWorkflowRun(repo: RepoRef, id: number): Promise<void>;
  /**
   * The deployment of `ref` to `environment` whose payload names `payload.runId`: found, or created.
   * Returns its id.
   */
  ensureDeployment(repo: RepoRef, deployment: { ref: string; environment: string; description: string; payload: { runId: string } & Record<string, string> }): Promise<number>;
  /** Adds a status to a deployment unless its latest status already says the same. */
  ensureDeploymentStatus(repo: RepoRef, deploymentId: number, status: DeploymentStatus): Promise<void>;
  /** The artifacts a workflow run uploaded. */
  listRunArtifacts(repo: RepoRef, workflowRunId: number): Promise<{ id: number; name: string; expired: boolean }[]>;
  /** An artifact's zip archive. */
  downloadArtifact(repo: RepoRef, artifactId: number): Promise<Uint8Array>;
}
