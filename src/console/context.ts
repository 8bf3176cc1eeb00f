// What every console page and action is given: the system, GitHub as the app sees it, and who asks.
import type { GitHubPort } from '../github/port.js';
import type { SystemService } from '../system/service.js';
import { atLeast, type AccessCache, type ConsoleAccess, type ProjectAccess } from './access.js';
import type { Viewer } from './views/layout.js';

export interface ConsoleDeps {
  service: SystemService;
  /** GitHub as the app's installation on a followed repository sees it (permissions, the bot pull request, a revert's read of Git). */
  portOf: (repo: string) => Promise<GitHubPort>;
  /** Brings the system's changes of a repository to Git now (the bot pull request), on the worker. */
  requestSync: (repo: string, actor: string) => Promise<void>;
  /** GitHub's web root, for links. */
  webRoot: string;
}

export interface Context extends ConsoleDeps {
  viewer: Viewer;
  access: AccessCache;
}

/** A page's answer that is not a page: the console's own error, with the status it answers. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The viewer's access to a project, refused below `need`: not found when they may not even read it
 * (a project they may not see does not exist for them), forbidden when they may read but not change.
 */
export async function requireProject(ctx: Context, project: string, need: ConsoleAccess): Promise<ProjectAccess> {
  const found = await ctx.access.project(ctx.viewer.login, project);
  if (!atLeast(found.access, 'read')) throw new ConsoleError(404, `no project ${project} that you may see`);
  if (!atLeast(found.access, need)) throw new ConsoleError(403, `you may read project ${project} but not change it: ask for write access to ${found.owner!.repo} on GitHub`);
  return found;
}
