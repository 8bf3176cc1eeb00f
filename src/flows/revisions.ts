// Revisions of config repositories as the app reads and validates them, kept between events so that
// the cost of an event follows its change, not the repository's size. A pull request's head is read
// from a revision read before (the applied one, the base, the previous head): GitHub's comparison
// names the changed files and only those are fetched; the tarball is read only when there is no such
// revision or the change is too large to fetch file by file. Validation goes the same way (see
// validate-change.ts): files loaded before are not parsed again, and the rules across specs are
// rerun for what the change can affect.
import { CONFIG_PATH } from '../config/config.js';
import type { ValidatedRevision } from '../engine/validate-change.js';
import type { ChangedFile, GitHubPort, RepoRef } from '../github/port.js';
import { readRevision, type RevisionContents } from '../github/tarball.js';
import { isSpecFileName, layoutRoot } from '../specs/layout.js';
import { gitLinkTarget, layoutFolders } from '../specs/links.js';
import { gitBlobId, LoadCache } from '../specs/load-cache.js';
import { assembleLoad, type FileLoad } from '../specs/load.js';
import { DEFAULT_MAX_FILE_BYTES } from '../specs/parse.js';
import { byPath, type SourceFile } from '../specs/source.js';
import { loadFiles, validateInSlices } from './validate-off-thread.js';

/** A revision's files under one layout root, with the id of each file's content. */
export interface Revision extends RevisionContents {
  repo: string;
  sha: string;
  root: string;
  /** path → git blob id, for files read with their content. */
  blobs: ReadonlyMap<string, string>;
}

export interface RevisionOptions {
  /** Estimated memory for loaded files (ENVSYNC_SPEC_CACHE_MB). */
  cacheBytes?: number;
  /** Revisions kept per repository. */
  perRepository?: number;
  /** Above this many changed files, one tarball costs less than fetching them one by one. */
  maxFetches?: number;
}

/** The cache of one app: created once, given to the flows that read revisions. */
export class Revisions {
  private readonly loads: LoadCache;
  private readonly recent = new Map<string, Revision[]>();
  private readonly validated = new WeakMap<Revision, Promise<ValidatedRevision>>();
  /** Each validated revision's loads by path: the next revision keeps those of its unchanged files. */
  private readonly fileLoads = new WeakMap<Revision, ReadonlyMap<string, FileLoad>>();
  private readonly reading = new Map<string, Promise<Revision>>();
  /** The whole read of a repository (and root) that has nothing read yet, while it runs. */
  private readonly coldReads = new Map<string, Promise<Revision>>();
  private readonly perRepository: number;
  private readonly maxFetches: number;
  /** How reads went: whole tarballs, revisions read from changes, and the files those fetched. */
  readonly counts = { tarballs: 0, changes: 0, fetched: 0 };

  constructor(options: RevisionOptions = {}) {
    this.loads = new LoadCache(options.cacheBytes ?? cacheBytesFrom(process.env));
    this.perRepository = options.perRepository ?? 4;
    this.maxFetches = options.maxFetches ?? 40;
  }

  /**
   * The files of `sha` under `root`. `near` names revisions likely close to it (the applied one,
   * the pull request's base): one of them read before is where the comparison starts.
   */
  read(port: GitHubPort, repo: RepoRef, sha: string, root: string, near: readonly (string | null | undefined)[] = []): Promise<Revision> {
    const repoName = `${repo.owner}/${repo.repo}`;
    const normalized = layoutRoot(root);
    const known = this.find(repoName, sha, normalized);
    if (known) return Promise.resolve(known);
    const key = `${repoName}\u0000${sha}\u0000${normalized}`;
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.readNew(port, repo, repoName, sha, normalized, near).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    return pending;
  }

  /** The validation of a revision read by `read`: from the closest revision validated before, when there is one. */
  validate(revision: Revision): Promise<ValidatedRevision> {
    let validation = this.validated.get(revision);
    if (!validation) {
      validation = this.validateNew(revision);
      this.validated.set(revision, validation);
      // A failed validation (a thread out of memory) is not kept: the next event tries again.
      validation.catch(() => this.validated.delete(revision));
    }
    return validation;
  }

  private find(repo: string, sha: string, root: string): Revision | undefined {
    return this.recent.get(repo)?.find((r) => r.sha === sha && r.root === root);
  }

  private remember(revision: Revision): Revision {
    const list = (this.recent.get(revision.repo) ?? []).filter((r) => r !== revision);
    this.recent.set(revision.repo, [revision, ...list].slice(0, this.perRepository));
    return revision;
  }

  private async readNew(port: GitHubPort, repo: RepoRef, repoName: string, sha: string, root: string, near: readonly (string | null | undefined)[]): Promise<Revision> {
    const candidatesOf = () => this.recent.get(repoName)?.filter((r) => r.root === root) ?? [];
    let candidates = candidatesOf();
    // Fifty pull requests checked at once on a server that has read nothing: one reads the whole
    // tarball, the others wait for it and read only their changes from it (fifty tarballs of a
    // 30,000-spec repository at once would hold gigabytes).
    const coldKey = `${repoName}\u0000${root}`;
    const cold = this.coldReads.get(coldKey);
    if (candidates.length === 0 && cold) {
      await cold.catch(() => undefined);
      candidates = candidatesOf();
    }
    if (candidates.length === 0) {
      const whole = this.readWhole(port, repo, repoName, sha, root);
      this.coldReads.set(coldKey, whole);
      return whole.finally(() => this.coldReads.delete(coldKey));
    }
    const start = near.map((s) => candidates.find((r) => r.sha === s)).find((r) => r !== undefined) ?? candidates[0]!;
    // The revision started from stays among the kept ones: pull requests keep starting from it.
    this.remember(start);
    // A comparison GitHub cannot make (histories without a common ancestor after a rewrite, a commit
    // gone) is no reason to fail: the tarball says what the revision holds.
    const changed = await this.fromChanges(port, repo, start, sha).catch(() => undefined);
    if (changed) return this.remember(changed);
    return this.readWhole(port, repo, repoName, sha, root);
  }

  private async readWhole(port: GitHubPort, repo: RepoRef, repoName: string, sha: string, root: string): Promise<Revision> {
    const contents = await readRevision(await port.getTarball(repo, sha), { root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
    const blobs = new Map(contents.files.flatMap((f) => (f.content ? [[f.path, gitBlobId(f.content)] as const] : [])));
    this.counts.tarballs++;
    return this.remember({ ...contents, repo: repoName, sha, root, blobs });
  }

  /**
   * `sha` from `start` and the files GitHub says differ; undefined when that is not possible. A
   * descendant takes the files changed since `start`; an ancestor gets back, as they were, the files
   * `start` changed since it; a diverged one starts from the merge base, itself read from `start`.
   */
  private async fromChanges(port: GitHubPort, repo: RepoRef, start: Revision, sha: string, depth = 0): Promise<Revision | undefined> {
    const comparison = await port.changedFiles(repo, start.sha, sha);
    if (comparison.status === 'ahead' || comparison.status === 'identical') return this.withChanges(port, repo, start, sha, comparison.files, 'since');
    if (comparison.status === 'behind') return this.withChanges(port, repo, start, sha, (await port.changedFiles(repo, sha, start.sha)).files, 'back');
    let from = this.find(start.repo, comparison.mergeBase, start.root);
    if (!from && depth === 0) from = await this.fromChanges(port, repo, start, comparison.mergeBase, depth + 1).then((r) => r && this.remember(r));
    return from && this.withChanges(port, repo, from, sha, comparison.files, 'since');
  }

  /** `from` with the files of `listed` as they are at `sha`: changed `since` from, or changed by `from` since `sha` (`back`). */
  private async withChanges(port: GitHubPort, repo: RepoRef, from: Revision, sha: string, listed: readonly ChangedFile[] | undefined, direction: 'since' | 'back'): Promise<Revision | undefined> {
    if (!listed || !from.hasProjects) return undefined;
    const projects = from.root === '' ? 'projects/' : `${from.root}/projects/`;
    // A folder on the way to the specs counts too: it may be, or become, a link.
    const folders = new Set(layoutFolders(from.root));
    const inLayout = (path: string) => path.startsWith(projects) || folders.has(path);
    const isConfig = (f: ChangedFile) => f.path === CONFIG_PATH || f.previousPath === CONFIG_PATH;
    const changes = listed.filter((f) => inLayout(f.path) || (f.previousPath !== undefined && inLayout(f.previousPath)) || isConfig(f));
    // Going forward, a removed file is gone and the old name of a renamed one too; going back, each
    // path is read at `sha`, where it may or may not be.
    const paths = direction === 'since' ? changes.filter((f) => f.status !== 'removed').map((f) => f.path) : changes.flatMap((f) => [f.path, ...(f.previousPath ? [f.previousPath] : [])]);
    const fetch = [...new Set(paths.filter(inLayout))];
    if (fetch.length > this.maxFetches) return undefined;

    const files = new Map(from.files.map((f) => [f.path, f]));
    const blobs = new Map(from.blobs);
    const drop = (path: string) => {
      files.delete(path);
      blobs.delete(path);
    };
    for (const change of changes) {
      // A copy keeps its original; a rename does not.
      if (change.previousPath !== undefined && change.status === 'renamed') drop(change.previousPath);
      if (change.status === 'removed') drop(change.path);
    }
    const entries = await mapLimit(fetch, 8, (path) => this.entryOf(port, repo, path, sha));
    for (const { file, blob } of entries) {
      drop(file.path);
      if (file.size < 0) continue;
      files.set(file.path, file);
      if (blob) blobs.set(file.path, blob);
    }
    // Emptied of every file, the revision may have lost its projects/ folder too: the tarball says.
    if (files.size === 0) return undefined;
    const config = changes.some(isConfig) ? await this.configAt(port, repo, sha) : from.config;
    this.counts.changes++;
    this.counts.fetched += fetch.length;
    const sorted = [...files.values()].sort(byPath);
    return { repo: from.repo, sha, root: from.root, config, hasProjects: true, files: sorted, blobs };
  }

  /** `.github/envsync.yml` at `sha` as the tarball reader reads it: a regular file's text, never a link's. */
  private async configAt(port: GitHubPort, repo: RepoRef, sha: string): Promise<string | undefined> {
    const entry = await port.getEntry(repo, CONFIG_PATH, sha, DEFAULT_MAX_FILE_BYTES);
    return entry?.type === 'file' && entry.content !== undefined ? new TextDecoder().decode(entry.content) : undefined;
  }

  /** One changed file as the tarball reader would give it; `size` -1 when the path holds no file any more. */
  private async entryOf(port: GitHubPort, repo: RepoRef, path: string, sha: string): Promise<{ file: SourceFile; blob?: string }> {
    const entry = await port.getEntry(repo, path, sha, DEFAULT_MAX_FILE_BYTES);
    if (!entry) return { file: { path, size: -1 } };
    // A link is never followed: GitHub's answer to one that leads to a file of the repository is that file.
    if (entry.type === 'link') return { file: { path, size: 0, skipped: 'symbolic link, not followed', link: entry.target === undefined ? 'inside' : gitLinkTarget(path, entry.target) } };
    if (!isSpecFileName(path) || entry.content === undefined) return { file: { path, size: entry.size } };
    return { file: { path, size: entry.size, content: entry.content }, blob: entry.blob };
  }

  private async validateNew(revision: Revision): Promise<ValidatedRevision> {
    const base = await this.closestValidated(revision);
    const baseLoads = base && this.fileLoads.get(base.revision);
    const keys = revision.files.map((file) => {
      const blob = revision.blobs.get(file.path);
      return blob === undefined ? undefined : LoadCache.key(revision.root, file.path, blob);
    });
    // A file the base has with the same bytes keeps the base's load; else one loaded before, by content.
    const loads: (FileLoad | undefined)[] = revision.files.map((file, i) => {
      const key = keys[i];
      if (key === undefined) return undefined;
      const same = base !== undefined && base.revision.blobs.get(file.path) === revision.blobs.get(file.path);
      return (same ? baseLoads?.get(file.path) : undefined) ?? this.loads.get(key);
    });
    const missing = revision.files.filter((_, i) => loads[i] === undefined);
    const loaded = await loadFiles(missing, { root: revision.root });
    let next = 0;
    revision.files.forEach((file, i) => {
      if (loads[i] !== undefined) return;
      const load = loaded[next++]!;
      loads[i] = load;
      if (keys[i] !== undefined) this.loads.set(keys[i], load, file.size);
    });
    this.fileLoads.set(revision, new Map(revision.files.map((file, i) => [file.path, loads[i]!])));
    const assembled = assembleLoad(revision.files, loads as FileLoad[]);
    return validateInSlices(assembled, base && { base: base.validation, changed: changedPaths(base.revision, revision) });
  }

  /** The most recent other revision of the repository, under the same root, already validated. */
  private async closestValidated(revision: Revision): Promise<{ revision: Revision; validation: ValidatedRevision } | undefined> {
    for (const other of this.recent.get(revision.repo) ?? []) {
      if (other === revision || other.root !== revision.root) continue;
      const validation = this.validated.get(other);
      if (!validation) continue;
      try {
        return { revision: other, validation: await validation };
      } catch {
        continue;
      }
    }
    return undefined;
  }
}

/** Paths whose content differs between two revisions: changed, added or removed (a file without a known blob counts as changed). */
function changedPaths(a: Revision, b: Revision): Set<string> {
  const changed = new Set<string>();
  const onlyInA = new Map(a.files.map((f) => [f.path, f]));
  for (const file of b.files) {
    const blob = b.blobs.get(file.path);
    if (blob === undefined || a.blobs.get(file.path) !== blob || onlyInA.get(file.path)?.link !== file.link) changed.add(file.path);
    onlyInA.delete(file.path);
  }
  for (const path of onlyInA.keys()) changed.add(path);
  return changed;
}

/** `fn` over `items`, at most `limit` at once, answers in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return out;
}

/** The loaded-file cache's budget: ENVSYNC_SPEC_CACHE_MB, 384 MB unless set (about 100,000 specs of the generated kind). */
export function cacheBytesFrom(env: NodeJS.ProcessEnv): number {
  const mb = Number(env.ENVSYNC_SPEC_CACHE_MB);
  return (Number.isFinite(mb) && mb >= 0 && env.ENVSYNC_SPEC_CACHE_MB !== '' ? mb : 384) * 2 ** 20;
}
