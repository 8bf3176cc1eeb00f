// What a signed-in user may do with a project: what GitHub says they may do with the config
// repository that owns it (read: look; write: change, run, approve; admin or maintain: settings too).
// A project that no followed repository owns is nobody's to see here (API tokens reach it).
import { ownerOf } from '../flows/config-repository.js';
import type { Permission } from '../github/port.js';
import type { ConfigRepository, Records } from '../system/records.js';

export type ConsoleAccess = 'none' | 'read' | 'write' | 'admin';

const RANK: Record<ConsoleAccess, number> = { none: 0, read: 1, write: 2, admin: 3 };

export const atLeast = (access: ConsoleAccess, need: ConsoleAccess) => RANK[access] >= RANK[need];

/** GitHub's permission on the repository, as the console's access. */
export function accessOfPermission(permission: Permission): ConsoleAccess {
  switch (permission) {
    case 'admin':
    case 'maintain':
      return 'admin';
    case 'write':
      return 'write';
    case 'triage':
    case 'read':
      return 'read';
    default:
      return 'none';
  }
}

export interface ProjectAccess {
  access: ConsoleAccess;
  /** The followed repository that owns the project, as the store records it, if one does. */
  owner?: ConfigRepository;
}

/** Asks GitHub (as the app's installation on the repository) for a user's permission on a repository. */
export type PermissionLookup = (repo: string, login: string) => Promise<Permission>;

/**
 * Permissions asked of GitHub are kept a minute, per user and repository: a page lists many projects
 * of few repositories, and a page answers within 100 ms only if it does not ask GitHub each time. A
 * permission taken away takes effect within that minute.
 */
export class AccessCache {
  private readonly kept = new Map<string, { at: number; access: Promise<ConsoleAccess> }>();

  constructor(
    private readonly records: Records,
    private readonly lookup: PermissionLookup,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async project(login: string, project: string): Promise<ProjectAccess> {
    return (await this.projects(login, [project])).get(project)!;
  }

  /** Several projects' access, the followed repositories read once. */
  async projects(login: string, projects: readonly string[]): Promise<Map<string, ProjectAccess>> {
    const repositories = await this.records.listRepositories();
    const owners = new Map(projects.map((p) => [p, ownerOf(repositories, p)]));
    const accessOf = async (owner: ConfigRepository | undefined): Promise<ProjectAccess> => {
      if (!owner) return { access: 'none' };
      return { access: await this.repository(login, owner.repo), owner };
    };
    return new Map(await Promise.all(projects.map(async (p) => [p, await accessOf(owners.get(p))] as const)));
  }

  repository(login: string, repo: string): Promise<ConsoleAccess> {
    const key = `${login.toLowerCase()}\u0000${repo.toLowerCase()}`;
    const held = this.kept.get(key);
    if (held && this.now() - held.at < this.ttlMs) return held.access;
    const access = this.lookup(repo, login).then(accessOfPermission);
    this.kept.set(key, { at: this.now(), access });
    // A failed lookup is not kept: the next page asks again.
    access.catch(() => {
      if (this.kept.get(key)?.access === access) this.kept.delete(key);
    });
    if (this.kept.size > 10_000) this.kept.delete(this.kept.keys().next().value!);
    return access;
  }
}
