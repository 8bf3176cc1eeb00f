// "Revert to Git" for one spec changed outside Git: made again as the revision the system applied
// from its repository holds it, through the same apply as a push (the console's button).
import { ownedScope } from '../../config/config.js';
import { configAt } from '../config-repository.js';
import { repoRefOf, type GitHubPort } from '../../github/port.js';
import { filesFromTarball } from '../../github/tarball.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import type { ApplyResult, ConfigRepository, ResourceKey } from '../../system/records.js';
import { SystemError, type SystemService } from '../../system/service.js';

/**
 * One spec made again as the revision the system applied from its repository holds it (deleted when
 * that revision has none), through the same apply as a push: its secrets behind sealed references
 * keep the system's values, and it is marked as from Git again.
 */
export async function revertToGit(port: GitHubPort, service: SystemService, followed: ConfigRepository, key: ResourceKey, actor: string): Promise<ApplyResult> {
  const revision = followed.appliedRevision;
  if (!revision) throw new SystemError(`${followed.repo} has no applied revision yet: there is no Git version of ${key.kind} ${key.project}/${key.name} to revert to`, 409);
  const repo = repoRefOf(followed.repo);
  const { config } = await configAt(port, repo, revision);
  const scope = ownedScope(config, 'git-to-system', followed.projects ?? undefined);
  if (!scope(key.kind, key.project)) throw new SystemError(`${key.kind} specs of project ${key.project} do not sync from Git (.github/envsync.yml of ${followed.repo}): there is nothing to revert to`, 409);
  const files = await filesFromTarball(await port.getTarball(repo, revision), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  return service.applyRevision(files, revision, { trigger: 'manual', actor }, { root: config.root, scope, only: key, ...(config.sensitive ? { sensitiveNames: config.sensitive.names } : {}) });
}
