// The GitHub port over an Octokit client (Probot's, or @octokit/core's): each operation is one REST
// request, except commitFiles, which is two (a tree, then a commit).
import type { CommitAuthor, FileWrite, GitHubPort, PullRequestRef, RepoRef } from './port.js';

/** What the port needs of an Octokit: its generic request function. */
export interface OctokitLike {
  request(route: string, parameters?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

const isNotFound = (e: unknown) => (e as { status?: number }).status === 404;

export class OctokitPort implements GitHubPort {
  constructor(private readonly octokit: OctokitLike) {}

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
