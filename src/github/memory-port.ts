// GitHub in memory, for tests of flows and of the app's handlers: one repository's contents (commits
// as immutable file maps, and branches), its pull requests, the conversation (comments, reactions,
// permissions), checks, deployments and their statuses, workflow dispatches and runs, and artifacts,
// each kept as a list or map a test reads. Every write is recorded in `calls` and every read-only
// operation in `reads`, in the order they were made; `fail` makes any of them fail instead. The
// "ensure" operations behave as the Octokit port's do (read first, write what differs), and Git's
// writes as GitHub's do: a commit on an unknown parent, a deletion of a file that is not there, a
// branch created twice or moved back without force fail as GitHub's 422 does. A test seeds the
// repository with `commit`, `openPullRequest` and `mergePullRequest`, which are not recorded.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';
import { gitBlobId } from '../specs/load-cache.js';
import { byPath } from '../specs/source.js';
import type {
  ChangedFile,
  CheckRun,
  CommitAuthor,
  Comparison,
  DeploymentStatus,
  FileComparison,
  FileWrite,
  GitHubPort,
  ListedCheckRun,
  Permission,
  PullRequest,
  PullRequestRef,
  Reaction,
  RepoRef,
  RevisionEntry,
  WorkflowRunState,
} from './port.js';
import { STATUS_DESCRIPTION_LIMIT } from './port.js';

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

/** A file as a test writes it: text, or bytes. */
export type FileContent = string | Uint8Array;

/** A commit: never changed once made. */
export interface MemoryCommit {
  sha: string;
  /** Its parents' shas: none for a first commit, two for a merge. */
  parents: readonly string[];
  author: CommitAuthor;
  message: string;
  /** The id of its tree: the same files, the same id. */
  tree: string;
  /** Its files by path. */
  files: ReadonlyMap<string, Uint8Array>;
}

/** A pull request as the port holds it: what the port reads of it, with its head branch and text. */
export interface MemoryPullRequest extends PullRequest {
  /** The branch it comes from; its head follows that branch while it is open. */
  head?: string;
  title?: string;
  body?: string;
}

/** A pull request as GitHub answers for it: a copy, without what only the port keeps. */
const pullRequestOf = ({ head: _head, title: _title, body: _body, ...pr }: MemoryPullRequest): PullRequest => ({ ...pr });

/** GitHub lists at most this many files of a comparison: the Octokit port then says it has no list. */
const COMPARE_FILE_LIMIT = 300;

/** An error as Octokit throws GitHub's answer: the message GitHub gives, and the HTTP status. */
const gitHubError = (status: number, message: string) => Object.assign(new Error(message), { status });

const bytesOf = (content: FileContent) => (typeof content === 'string' ? new TextEncoder().encode(content) : content);

/** The id of a set of files: the same paths with the same bytes, the same id (as a git tree's). */
function treeId(files: ReadonlyMap<string, Uint8Array>): string {
  const hash = createHash('sha1');
  for (const path of [...files.keys()].sort()) hash.update(`${path}\0${gitBlobId(files.get(path)!)}\n`);
  return hash.digest('hex');
}

/** `before` with `writes` made on it (null deletes); a deletion of a file that is not there fails, as on GitHub. */
function written(before: ReadonlyMap<string, Uint8Array>, writes: Iterable<readonly [string, FileContent | null]>): Map<string, Uint8Array> {
  const files = new Map(before);
  for (const [path, content] of writes) {
    if (content !== null) files.set(path, bytesOf(content));
    else if (!files.delete(path)) throw gitHubError(422, `GitRPC::BadObjectState (${path} is not in the tree, so it cannot be deleted)`);
  }
  return files;
}

/**
 * The files by which `after` differs from `before`, by path. A removed file whose bytes an added one
 * has was renamed (git finds renames by likeness; the same bytes are the sure case).
 */
function diff(before: ReadonlyMap<string, Uint8Array>, after: ReadonlyMap<string, Uint8Array>): ChangedFile[] {
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);
  const removed = [...before.keys()].filter((path) => !after.has(path));
  const changed: ChangedFile[] = [];
  for (const [path, content] of after) {
    const was = before.get(path);
    if (was) {
      if (!same(was, content)) changed.push({ path, status: 'modified' });
      continue;
    }
    const from = removed.findIndex((old) => same(before.get(old)!, content));
    if (from < 0) changed.push({ path, status: 'added' });
    else changed.push({ path, status: 'renamed', previousPath: removed.splice(from, 1)[0]! });
  }
  changed.push(...removed.map((path) => ({ path, status: 'removed' as const })));
  return changed.sort(byPath);
}

const EPOCH = new Date(0);

/** Who the commits and pull requests a test seeds are by, unless it says. */
const SEEDER: CommitAuthor = { name: 'Codertocat', email: 'codertocat@users.noreply.github.com' };

/**
 * A gzipped tarball of `files` as GitHub serves a revision: every path under the folder `top`, each
 * folder an entry before what it holds (a path too long for a tar header goes in a pax header).
 */
export function tarballOf(top: string, files: readonly { path: string; content: Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const entry = (data: HeaderData, body?: Uint8Array) => {
    const header = new Header({ mode: 0o644, mtime: EPOCH, ...data });
    if (header.encode()) blocks.push(new Pax({ path: data.path, size: data.size, mtime: EPOCH }).encode());
    blocks.push(header.block!);
    if (body) blocks.push(body, new Uint8Array((512 - (body.length % 512)) % 512));
  };
  const folders = new Set<string>();
  const folder = (path: string) => {
    if (folders.has(path)) return;
    folders.add(path);
    entry({ path: `${path}/`, type: 'Directory', mode: 0o755 });
  };
  folder(top);
  for (const { path, content } of [...files].sort(byPath)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) folder(`${top}/${parts.slice(0, i).join('/')}`);
    entry({ path: `${top}/${path}`, type: 'File', size: content.length }, content);
  }
  // Two empty blocks end the archive.
  blocks.push(new Uint8Array(1024));
  return new Uint8Array(gzipSync(Buffer.concat(blocks)));
}

export class MemoryPort implements GitHubPort {
  /** Every write, in order: `OPERATION detail`. */
  readonly calls: string[] = [];
  /** Every read-only operation, in order: `METHOD detail` (the port's method). */
  readonly reads: string[] = [];
  readonly comments: Comment[] = [];
  readonly reactions: { comment: number; content: Reaction }[] = [];
  readonly checkRuns: (CheckRun & { id: number })[] = [];
  readonly deployments: Deployment[] = [];
  readonly dispatches: { workflow: string; ref: string; inputs: Record<string, string>; workflowRun: number }[] = [];
  readonly workflowRuns: WorkflowRunState[] = [];
  readonly artifacts: { id: number; run: number; name: string; zip: Uint8Array }[] = [];
  readonly pullRequests: MemoryPullRequest[] = [];
  readonly permissions = new Map<string, Permission>();
  readonly teams = new Map<string, string[]>();
  /** Every commit, by its sha. */
  readonly commits = new Map<string, MemoryCommit>();
  /** The branches: each one's name, and the sha of its head commit. */
  readonly branches = new Map<string, string>();
  /** Who the commits made through the port are by (`commitIdentity`), and who opens its pull requests. */
  readonly identity: CommitAuthor;
  /** The branch read when no ref is given. */
  readonly defaultBranch: string;
  /**
   * A failure to throw instead of a read or a write, chosen per call: the write's `operation` (as
   * `calls` names it) or the read's method, and its detail.
   */
  fail?: (operation: string, detail: string) => Error | undefined;
  private nextId = 1;
  /** The files of each tree, by its id: what commitFiles builds on. */
  private readonly trees = new Map<string, ReadonlyMap<string, Uint8Array>>();
  /** Tarballs made, by top folder: a commit never changes, so neither does its tarball. */
  private readonly tarballs = new Map<string, Uint8Array>();

  constructor(options: { identity?: CommitAuthor; defaultBranch?: string } = {}) {
    this.identity = options.identity ?? { name: 'envsync[bot]', email: '1+envsync[bot]@users.noreply.github.com' };
    this.defaultBranch = options.defaultBranch ?? 'main';
  }

  private write(operation: string, detail: string): void {
    const failure = this.fail?.(operation, detail);
    if (failure) throw failure;
    this.calls.push(`${operation} ${detail}`);
  }

  private read(method: string, detail: string): void {
    const failure = this.fail?.(method, detail);
    if (failure) throw failure;
    this.reads.push(`${method} ${detail}`);
  }

  // Seeding: what a test starts from. Nothing here is recorded.

  /**
   * A commit, and its sha: on `parents` (by default the head of `branch`, if it has one), holding
   * `tree` when given, else its first parent's files with `files` written over them (null deletes).
   * `branch` then points at it (created if new). `sha` names it as a test's payloads do.
   */
  commit(seed: {
    branch?: string;
    parents?: readonly string[];
    tree?: Readonly<Record<string, FileContent>>;
    files?: Readonly<Record<string, FileContent | null>>;
    message?: string;
    author?: CommitAuthor;
    sha?: string;
  }): string {
    const head = seed.branch === undefined ? undefined : this.branches.get(seed.branch);
    const parents = seed.parents ?? (head ? [head] : []);
    const start = seed.tree ? written(new Map(), Object.entries(seed.tree)) : parents[0] ? this.commitAt(parents[0]).files : new Map<string, Uint8Array>();
    const files = written(start, Object.entries(seed.files ?? {}));
    const sha = this.newCommit(parents, files, seed.message ?? 'a commit', seed.author ?? SEEDER, seed.sha);
    if (seed.branch !== undefined) this.moveBranch(seed.branch, sha);
    return sha;
  }

  /**
   * An open pull request from branch `head` into branch `base`, by `author`; returns its number (by
   * default the next one).
   */
  openPullRequest(seed: { head: string; base: string; author?: string; number?: number; title?: string; body?: string }): number {
    const number = seed.number ?? this.nextPullRequestNumber();
    this.pullRequests.push({ number, state: 'open', headSha: this.branchHead(seed.head), baseSha: this.branchHead(seed.base), baseRef: seed.base, author: seed.author ?? SEEDER.name, head: seed.head, title: seed.title ?? `#${number}`, body: seed.body ?? '' });
    return number;
  }

  /**
   * Merges an open pull request as GitHub's merge button does: a merge commit on its base branch
   * (parents: the base's head, then the pull request's), holding the base's files with the pull
   * request's changes since their merge base made over them; the pull request closed as merged.
   * Returns the merge commit's sha (`sha` names it).
   */
  mergePullRequest(number: number, options: { sha?: string; author?: CommitAuthor } = {}): string {
    const pr = this.pullRequests.find((p) => p.number === number && p.state === 'open');
    if (!pr) throw new Error(`no open pull request #${number} to merge`);
    const base = this.branchHead(pr.baseRef);
    const { mergeBase } = this.compare(base, pr.headSha);
    const changes = diff(this.commitAt(mergeBase).files, this.commitAt(pr.headSha).files);
    const head = this.commitAt(pr.headSha).files;
    const files = new Map(this.commitAt(base).files);
    for (const change of changes) {
      if (change.previousPath) files.delete(change.previousPath);
      if (change.status === 'removed') files.delete(change.path);
      else files.set(change.path, head.get(change.path)!);
    }
    const message = `Merge pull request #${number} from ${pr.head ?? pr.headSha}`;
    const sha = this.newCommit([base, pr.headSha], files, message, options.author ?? SEEDER, options.sha);
    this.moveBranch(pr.baseRef, sha);
    Object.assign(pr, { state: 'closed', mergeCommitSha: sha });
    return sha;
  }

  /** The text of each file of a ref (a branch or a commit's sha): what a test asserts a flow wrote. */
  filesAt(ref: string): Record<string, string> {
    const sha = this.resolve(ref);
    if (!sha) throw new Error(`no branch or commit ${ref}`);
    return Object.fromEntries([...this.commitAt(sha).files].map(([path, content]) => [path, new TextDecoder().decode(content)]));
  }

  private newCommit(parents: readonly string[], files: ReadonlyMap<string, Uint8Array>, message: string, author: CommitAuthor, sha?: string): string {
    for (const parent of parents) this.commitAt(parent);
    const tree = treeId(files);
    this.trees.set(tree, files);
    // Made unique by the count, as a commit's time makes git's commits.
    const id = sha ?? createHash('sha1').update(JSON.stringify([tree, parents, author, message, this.commits.size])).digest('hex');
    if (this.commits.has(id)) throw new Error(`there is a commit ${id} already`);
    this.commits.set(id, { sha: id, parents: [...parents], author, message, tree, files });
    return id;
  }

  /** Points a branch at a commit; the open pull requests from it follow. */
  private moveBranch(branch: string, sha: string): void {
    this.branches.set(branch, sha);
    for (const pr of this.pullRequests) if (pr.state === 'open' && pr.head === branch) pr.headSha = sha;
  }

  private commitAt(sha: string): MemoryCommit {
    const commit = this.commits.get(sha);
    if (!commit) throw gitHubError(404, `No commit found for SHA: ${sha}`);
    return commit;
  }

  private branchHead(branch: string): string {
    const sha = this.branches.get(branch);
    if (!sha) throw gitHubError(404, `Branch not found: ${branch}`);
    return sha;
  }

  /** A branch's head, or a commit's sha; undefined when it names neither. */
  private resolve(ref: string): string | undefined {
    return this.branches.get(ref) ?? (this.commits.has(ref) ? ref : undefined);
  }

  /** Every commit reachable from `sha`, itself included. */
  private ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const next = [sha];
    while (next.length > 0) {
      const at = next.pop()!;
      if (seen.has(at)) continue;
      seen.add(at);
      next.push(...this.commitAt(at).parents);
    }
    return seen;
  }

  /**
   * How `head` relates to `base` as GitHub's comparison says: the status, the merge base, and the
   * commits of `head` that `base` lacks, each after its parents (oldest first). A ref GitHub does not
   * know, or histories with no commit in common, are its 404.
   */
  private compare(base: string, head: string): { status: Comparison['status']; mergeBase: string; commits: MemoryCommit[] } {
    const [from, to] = [this.resolve(base), this.resolve(head)];
    if (!from || !to) throw gitHubError(404, 'Not Found');
    const [behind, ahead] = [this.ancestors(from), this.ancestors(to)];
    const common = [...ahead].filter((sha) => behind.has(sha));
    if (common.length === 0) throw gitHubError(404, `No common ancestor between ${base} and ${head}.`);
    // The best common ancestor: of those in common, the one with the most ancestors descends from no other.
    const mergeBase = common.map((sha) => ({ sha, depth: this.ancestors(sha).size })).reduce((a, b) => (b.depth > a.depth ? b : a)).sha;
    const status = from === to ? 'identical' : ahead.has(from) ? 'ahead' : behind.has(to) ? 'behind' : 'diverged';
    const commits: MemoryCommit[] = [];
    const listed = new Set<string>();
    const visit = (sha: string) => {
      if (listed.has(sha) || behind.has(sha)) return;
      listed.add(sha);
      const commit = this.commitAt(sha);
      commit.parents.forEach(visit);
      commits.push(commit);
    };
    visit(to);
    return { status, mergeBase, commits };
  }

  private nextPullRequestNumber(): number {
    return Math.max(0, ...this.pullRequests.map((p) => p.number)) + 1;
  }

  // The port.

  async getPullRequest(_repo: RepoRef, number: number): Promise<PullRequest> {
    this.read('getPullRequest', `#${number}`);
    const pr = this.pullRequests.find((p) => p.number === number);
    if (!pr) throw gitHubError(404, `no pull request #${number}`);
    return pullRequestOf(pr);
  }

  async pullRequestsOfCommit(_repo: RepoRef, sha: string) {
    this.read('pullRequestsOfCommit', sha);
    return this.pullRequests.filter((p) => p.headSha === sha || p.mergeCommitSha === sha).map(pullRequestOf);
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
    this.read('listCheckRuns', sha);
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
    this.read('findComment', `#${number} ${marker}`);
    const found = this.comments.find((c) => 'pullRequest' in c.on && c.on.pullRequest === number && c.body.includes(marker));
    return found && { id: found.id, body: found.body };
  }

  async addReaction(_repo: RepoRef, commentId: number, content: Reaction) {
    if (this.reactions.some((r) => r.comment === commentId && r.content === content)) return;
    this.write('reaction', `${commentId} ${content}`);
    this.reactions.push({ comment: commentId, content });
  }

  async permissionOf(_repo: RepoRef, user: string) {
    this.read('permissionOf', user);
    return this.permissions.get(user) ?? 'none';
  }

  async isTeamMember(org: string, slug: string, user: string) {
    this.read('isTeamMember', `${org}/${slug} ${user}`);
    return (this.teams.get(`${org}/${slug}`) ?? []).includes(user);
  }

  async getFile(_repo: RepoRef, path: string, ref?: string) {
    this.read('getFile', `${path}@${ref ?? this.defaultBranch}`);
    // GitHub answers 404 for a ref it does not know as for a path: the Octokit port reads no file either way.
    const sha = this.resolve(ref ?? this.defaultBranch);
    const content = sha === undefined ? undefined : this.commitAt(sha).files.get(path);
    return content && new TextDecoder().decode(content);
  }

  async getTarball(repo: RepoRef, ref: string) {
    this.read('getTarball', ref);
    const sha = this.resolve(ref);
    if (!sha) throw gitHubError(404, 'Not Found');
    const top = `${repo.owner}-${repo.repo}-${sha.slice(0, 7)}`;
    let tarball = this.tarballs.get(top);
    if (!tarball) this.tarballs.set(top, (tarball = tarballOf(top, [...this.commitAt(sha).files].map(([path, content]) => ({ path, content })))));
    return tarball;
  }

  async getBranch(_repo: RepoRef, branch: string) {
    this.read('getBranch', branch);
    const sha = this.branches.get(branch);
    return sha === undefined ? undefined : { sha, treeSha: this.commitAt(sha).tree };
  }

  async compareCommits(_repo: RepoRef, base: string, head: string): Promise<Comparison> {
    this.read('compareCommits', `${base}...${head}`);
    const { status, commits } = this.compare(base, head);
    return { status, commits: commits.map((c) => ({ sha: c.sha, parents: [...c.parents] })) };
  }

  async changedFiles(_repo: RepoRef, base: string, head: string): Promise<FileComparison> {
    this.read('changedFiles', `${base}...${head}`);
    const { status, mergeBase } = this.compare(base, head);
    const files = diff(this.commitAt(mergeBase).files, this.commitAt(this.resolve(head)!).files);
    return { status, mergeBase, files: files.length < COMPARE_FILE_LIMIT ? files : undefined };
  }

  async getEntry(_repo: RepoRef, path: string, ref: string, maxBytes: number): Promise<RevisionEntry | undefined> {
    this.read('getEntry', `${path}@${ref}`);
    const sha = this.resolve(ref);
    // A folder, as a path that is not there, is no entry. Links are not held here: every path is a file.
    const content = sha === undefined ? undefined : this.commitAt(sha).files.get(path);
    if (!content) return undefined;
    return { type: 'file', size: content.length, blob: gitBlobId(content), content: content.length > maxBytes ? undefined : content.slice() };
  }

  async commitsBetween(_repo: RepoRef, base: string, head: string) {
    this.read('commitsBetween', `${base}...${head}`);
    return this.compare(base, head).commits.map((c) => ({ sha: c.sha, author: { ...c.author } }));
  }

  async commitFiles(_repo: RepoRef, change: { parent: string; baseTree: string; files: readonly FileWrite[]; message: string }) {
    if (!this.commits.has(change.parent)) throw gitHubError(422, `Parent SHA does not exist or is not a commit object (${change.parent})`);
    const base = this.trees.get(change.baseTree);
    if (!base) throw gitHubError(422, `base_tree ${change.baseTree} is not a tree of this repository`);
    const files = written(base, change.files.map((f) => [f.path, f.content] as const));
    this.write('commit', `on ${change.parent}: ${change.message.split('\n')[0]}`);
    return this.newCommit([change.parent], files, change.message, this.identity);
  }

  async setBranch(_repo: RepoRef, branch: string, sha: string, how: { create: boolean; force: boolean }) {
    if (!this.commits.has(sha)) throw gitHubError(422, 'Object does not exist');
    const current = this.branches.get(branch);
    if (how.create && current !== undefined) throw gitHubError(422, 'Reference already exists');
    if (!how.create && current === undefined) throw gitHubError(422, 'Reference does not exist');
    if (!how.create && !how.force && !this.ancestors(sha).has(current!)) throw gitHubError(422, 'Update is not a fast forward');
    this.write('branch', `${branch} ${how.create ? 'created at' : how.force ? 'forced to' : 'moved to'} ${sha}`);
    this.moveBranch(branch, sha);
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

  async findWorkflowRun(_repo: RepoRef, workflow: string, titleSuffix: string) {
    // The run name ends with the suffix: `…` stands for what comes before it.
    this.read('findWorkflowRun', `${workflow} …${titleSuffix}`);
    return this.workflowRuns.find((r) => r.displayTitle.endsWith(titleSuffix));
  }

  async getWorkflowRun(_repo: RepoRef, id: number) {
    this.read('getWorkflowRun', String(id));
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

  async ensureDeploymentStatus(_repo: RepoRef, deploymentId: number, given: DeploymentStatus) {
    const deployment = this.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw gitHubError(404, `no deployment ${deploymentId}`);
    // Cut to GitHub's limit, as the Octokit port sends it.
    const status = { ...given, description: given.description.slice(0, STATUS_DESCRIPTION_LIMIT) };
    const latest = deployment.statuses.at(-1);
    if (latest && latest.state === status.state && latest.description === status.description) return;
    this.write('status', `${deployment.environment} ${status.state} ${status.description}`);
    deployment.statuses.push(status);
  }

  async listRunArtifacts(_repo: RepoRef, workflowRunId: number) {
    this.read('listRunArtifacts', String(workflowRunId));
    return this.artifacts.filter((a) => a.run === workflowRunId).map((a) => ({ id: a.id, name: a.name, expired: false }));
  }

  async downloadArtifact(_repo: RepoRef, artifactId: number) {
    this.read('downloadArtifact', String(artifactId));
    const artifact = this.artifacts.find((a) => a.id === artifactId);
    if (!artifact) throw gitHubError(404, `no artifact ${artifactId}`);
    return artifact.zip;
  }

  async findPullRequest(_repo: RepoRef, branch: string): Promise<PullRequestRef | undefined> {
    this.read('findPullRequest', branch);
    // The most recent: the highest number.
    const found = this.pullRequests.filter((p) => p.head === branch).sort((a, b) => b.number - a.number)[0];
    return found && { number: found.number, state: found.state, merged: found.mergeCommitSha !== undefined };
  }

  async createPullRequest(_repo: RepoRef, pr: { head: string; base: string; title: string; body: string }) {
    const [headSha, baseSha] = [this.branches.get(pr.head), this.branches.get(pr.base)];
    if (!headSha || !baseSha) throw gitHubError(422, `Validation Failed: no branch ${headSha ? pr.base : pr.head}`);
    if (this.pullRequests.some((p) => p.state === 'open' && p.head === pr.head && p.baseRef === pr.base)) throw gitHubError(422, `A pull request already exists for ${pr.head}.`);
    if (this.ancestors(baseSha).has(headSha)) throw gitHubError(422, `No commits between ${pr.base} and ${pr.head}`);
    this.write('pull-request', `${pr.head} -> ${pr.base}: ${pr.title}`);
    const number = this.nextPullRequestNumber();
    this.pullRequests.push({ number, state: 'open', headSha, baseSha, baseRef: pr.base, author: this.identity.name, head: pr.head, title: pr.title, body: pr.body });
    return number;
  }

  async updatePullRequest(_repo: RepoRef, number: number, pr: { title: string; body: string }) {
    const found = this.pullRequests.find((p) => p.number === number);
    if (!found) throw gitHubError(404, `no pull request #${number}`);
    this.write('pull-request', `#${number} updated: ${pr.title}`);
    Object.assign(found, { title: pr.title, body: pr.body });
  }
}
