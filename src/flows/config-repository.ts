// What a config repository speaks for: the projects its `.github/envsync.yml` claims (never one
// another followed repository claims), and within them the kinds that sync from Git. Shared by the
// review and merge flows, so that a pull request's plan and its merge agree on what changes.
import { CONFIG_PATH, ownedScope, parseRepositoryConfig, type ResolvedConfig } from '../config/config.js';
import { repoRefOf, type GitHubPort, type RepoRef } from '../github/port.js';
import { claims, overlappingClaims, type ClaimOverlap } from '../engine/ownership.js';
import { atStart, error, warning, type Finding, type PendingFinding } from '../specs/findings.js';
import { locateFindings } from '../specs/locate.js';
import type { LoadResult } from '../specs/load.js';
import type { ConfigRepository, Records } from '../system/records.js';

/** `.github/envsync.yml` of a repository at `ref` (default: its default branch), parsed: the defaults when there is none (`text` undefined), findings when it is wrong. */
export async function configAt(port: GitHubPort, repo: RepoRef, ref?: string): Promise<ReturnType<typeof parseRepositoryConfig> & { text: string | undefined }> {
  const text = await port.getFile(repo, CONFIG_PATH, ref);
  return { ...parseRepositoryConfig(text), text };
}

export interface RepositoryScope {
  /** Whether a revision of the repository speaks for specs of this kind and project. */
  speaksFor(kind: string, project: string): boolean;
  /** Where its claims meet another followed repository's. */
  overlaps: ClaimOverlap[];
}

/** The scope of a repository's revision under `config`, against the claims of the other followed repositories. */
export async function scopeOf(records: Records, repoName: string, config: ResolvedConfig): Promise<RepositoryScope> {
  const others = (await records.listRepositories()).filter((r) => r.repo.toLowerCase() !== repoName.toLowerCase() && r.projects !== null);
  const overlaps = overlappingClaims(config.projects, others.map((r) => ({ repo: r.repo, projects: r.projects! })));
  const theirs = others.flatMap((r) => r.projects!);
  const owned = ownedScope(config, 'git-to-system');
  // Asked for every spec of a revision and of the system (30,000 each): a project and kind are
  // matched against the globs once.
  const answers = new Map<string, boolean>();
  return {
    overlaps,
    speaksFor: (kind, project) => {
      const key = `${kind}\u0000${project}`;
      let answer = answers.get(key);
      if (answer === undefined) answers.set(key, (answer = owned(kind, project) && !claims(theirs, project)));
      return answer;
    },
  };
}

/** An overlap in words: what to do about it names both repositories. */
export const overlapMessage = (o: ClaimOverlap) =>
  `"${o.mine}" claims projects that ${o.repo} owns ("${o.theirs}" in its ${CONFIG_PATH}): a project belongs to one config repository; remove it here or there`;

/**
 * Findings of a revision's configuration: claims that overlap another repository's, a root without
 * `projects/`, and specs of projects the repository does not own (they are not applied).
 */
export function configFindings(options: {
  config: ResolvedConfig;
  configText: string | undefined;
  scope: RepositoryScope;
  /** Whether the root holds a `projects/` folder. */
  hasProjects: boolean;
  loaded: LoadResult;
}): Finding[] {
  const { config, scope } = options;
  const pending: PendingFinding[] = scope.overlaps.map((o) => error(CONFIG_PATH, 'project-claimed', overlapMessage(o), { path: ['projects', o.index], at: 'value' }));
  if (!options.hasProjects) pending.push(error(CONFIG_PATH, 'no-projects-folder', rootMessage(config.root), config.root === '.' ? atStart : { path: ['root'], at: 'value' }));
  // One warning per project that is not this repository's, at its first spec.
  const foreign = new Map<string, string>();
  for (const spec of options.loaded.specs) {
    if (!claims(config.projects, spec.project) && !foreign.has(spec.project)) foreign.set(spec.project, spec.file);
  }
  for (const [project, file] of foreign) {
    pending.push(warning(file, 'project-not-owned', `project ${project} is not among the projects of ${CONFIG_PATH} (${config.projects.join(', ')}): its specs here are not applied; add it there, or move them to the repository that owns it`, atStart));
  }
  return locateFindings(pending, (file) => (file === CONFIG_PATH ? options.configText : undefined));
}

export const rootMessage = (root: string) =>
  `the layout root "${root}" holds no projects/ folder, so this revision would hold no specs at all: fix root in ${CONFIG_PATH}, or restore projects/`;

/** A followed repository the app can reach without an event: one it has seen an event of. */
export interface ReachableRepository {
  repo: RepoRef;
  name: string;
  installation: number;
  defaultBranch: string;
  /** The projects it owns, as recorded with its last applied revision. */
  projects: string[];
}

/**
 * A repository that drift checks and system changes may reach: seen in an event, and with a revision
 * applied (so with claims checked against the other repositories'). Its claims are the recorded ones,
 * never what its default branch says now: a configuration whose push was refused claims nothing.
 */
const reachable = (r: ConfigRepository): ReachableRepository | undefined => {
  if (r.installationId === null || r.projects === null || r.appliedRevision === null) return undefined;
  return { repo: repoRefOf(r.repo), name: r.repo, installation: r.installationId, defaultBranch: r.defaultBranch ?? 'main', projects: r.projects };
};

/** The followed repositories the app can reach (those named, when names are given). */
export async function reachableRepositories(records: Records, names?: readonly string[]): Promise<ReachableRepository[]> {
  const wanted = names && new Set(names.map((n) => n.toLowerCase()));
  return (await records.listRepositories()).filter((r) => !wanted || wanted.has(r.repo.toLowerCase())).flatMap((r) => reachable(r) ?? []);
}

/** Of `repositories`, the one whose projects (as its last applied revision claimed them) include `project`. */
export const ownerOf = <R extends Pick<ConfigRepository, 'projects'>>(repositories: readonly R[], project: string): R | undefined =>
  repositories.find((r) => r.projects !== null && claims(r.projects, project));

/** The followed repository whose projects include `project`, if one has applied a revision. */
export async function owningRepository(records: Records, project: string): Promise<ConfigRepository | undefined> {
  return ownerOf(await records.listRepositories(), project);
}
