// Changes made outside Git, brought back to Git as soon as they are made (the scheduled drift check
// catches what bypassed the app, such as `envsync system` run against the store by hand).
import { configAt } from '../config-repository.js';
import type { DeliveryResult } from './deliver.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { syncSystemToGit, syncTarget } from './system-sync.js';
import type { SystemService } from '../../system/service.js';

/** Writes the system's changes to the sync target as `.github/envsync.yml` says (bot PR or commit). */
export async function exportSystemChanges(port: GitHubPort, service: SystemService, repo: RepoRef, defaultBranch: string, actors: string[], owned?: string[]): Promise<DeliveryResult[]> {
  const { config } = await configAt(port, repo, defaultBranch);
  return syncSystemToGit({ port, service, config, target: syncTarget(config, repo, defaultBranch), actors, ...(owned ? { owned } : {}) });
}
