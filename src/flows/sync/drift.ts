// The scheduled drift check: the system compared with the revision of the sync branch it applied,
// then settled as `.github/envsync.yml` says (system-wins: a bot pull request; git-wins: that
// revision re-applied).
import { CONFIG_PATH, parseRepositoryConfig, syncs } from '../../config/config.js';
import { claims } from '../../engine/ownership.js';
import { massDeletions } from '../../engine/deletion.js';
import { inScope } from '../../engine/desired.js';
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

export async function checkDrift(port: GitHubPort, service: SystemService, repo: RepoRef, defaultBranch: string, owned?: string[]): Promise<DriftOutcome> {
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
  // The projects the store recorded with the applied revision: what the default branch claims now may be a refused claim.
  const ownedBy = (kind: string, project: string, way: typeof direction) => claims(owned ?? config.projects, project) && syncs(config, project, kind, way);
  const drift = await service.drift(loadSpecs(files, { root: config.root }), (kind, project) => ownedBy(kind, project, direction));
  if (drift.length === 0) return { drift: 0, settled: 'in-sync' };
  if (mode === 'git-wins') {
    const scope = (kind: string, project: string) => ownedBy(kind, project, 'git-to-system');
    const deletions = massDeletions(inScope(await service.snapshot(), scope), inScope(loadSpecs(files, { root: config.root }), scope), config.deletion.maxShare);
    if (deletions.length > 0) return { drift: drift.length, settled: 'git-wins', detail: `not re-applied: it ${deletions.map((d) => d.reason).join('; ')}; settle it by hand (envsync reconcile) or with a pull request` };
    const result = await service.applyRevision(files, revision, { trigger: 'manual', actor: 'envsync drift check' }, { root: config.root, scope, repo: `${repo.owner}/${repo.repo}` });
    return { drift: drift.length, settled: 'git-wins', detail: `${result.created.length} created, ${result.updated.length} updated, ${result.deleted.length} deleted` };
  }
  const target = syncTarget(config, repo, defaultBranch);
  const sameBranch = target.repo.owner === repo.owner && target.repo.repo === repo.repo && target.branch === branch && target.root === config.root && revision === head.sha;
  const results = await syncSystemToGit({ port, service, config, target, actors: ['envsync drift check'], ...(sameBranch ? { files } : {}), ...(owned ? { owned } : {}) });
  return { drift: drift.length, settled: 'system-wins', detail: results.map((r) => r.outcome).join(', ') };
}
