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

export interface GitHubPort {
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
}
