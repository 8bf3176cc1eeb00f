// The scheduled drift check: the system compared with the revision of the sync branch it applied,
// then settled as `.github/envsync.yml` says (system-wins: a bot pull request; git-wins: that
// revision re-applied).
import { CONFIG_PATH, parseRepositoryConfig, syncs } from '../../config/config.js';
import { claims } from '../../engine/ownership.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { syncSystemToGit, syncTarget } from './system-sync.js';
import { filesFromTarball } from '../../github/tarball.js';
import { loadSpecs } from '../../specs/load.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import type { SystemService } from '../../system/service.js';

export interface DriftOutcome {
  drift: number;
  settled: 'in-sync' | 'git-wins' | 'system-wins';
  detail?: string;
}

export async function checkDrift(port: GitHubPort, service: SystemService, repo: RepoRef, defaultBranch: string): Promise<DriftOutcome> {
  const { config } = parseRepositoryConfig(await port.getFile(repo, CONFIG_PATH, defaultBranch));
  const branch = config.branch ?? defaultBranch;
  const mode = config.drift.mode;
  const direction = mode === 'git-wins' ? 'git-to-system' : 'system-to-git';
  const head = await port.getBranch(repo, branch);
  if (!head) return { drift: 0, settled: 'in-sync', detail: `branch ${branch} does not exist` };
  // The system is compared with the revision it applied, not with the branch's head: a head the
  // system has not applied yet is a push whose job is still to run, and applying it here would
  // apply it without its runs (that job would then find it applied and start none).
  const revision = (await service.store.getAppliedRevision(`${repo.owner}/${repo.repo}`)) ?? head.sha;
  const files = await filesFromTarball(await port.getTarball(repo, revision), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  const owned = (kind: string, project: string, way: typeof direction) => claims(config.projects, project) && syncs(config, project, kind, way);
  const drift = await service.drift(loadSpecs(files, { root: config.root }), (kind, project) => owned(kind, project, direction));
  if (drift.length === 0) return { drift: 0, settled: 'in-sync' };
  if (mode === 'git-wins') {
    const result = await service.applyRevision(files, revision, { trigger: 'manual', actor: 'envsync drift check' }, { root: config.root, scope: (kind, project) => owned(kind, project, 'git-to-system'), repo: `${repo.owner}/${repo.repo}` });
    return { drift: drift.length, settled: 'git-wins', detail: `${result.created.length} created, ${result.updated.length} updated, ${result.deleted.length} deleted` };
  }
  const target = syncTarget(config, repo, defaultBranch);
  const sameBranch = target.repo.owner === repo.owner && target.repo.repo === repo.repo && target.branch === branch && target.root === config.root && revision === head.sha;
  const results = await syncSystemToGit({ port, service, config, target, actors: ['envsync drift check'], ...(sameBranch ? { files } : {}) });
  return { drift: drift.length, settled: 'system-wins', detail: results.map((r) => r.outcome).join(', ') };
}
