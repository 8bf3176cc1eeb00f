// The scheduled drift check: the system compared with the revision of the sync branch it applied,
// then settled as `.github/envsync.yml` says (system-wins: a bot pull request; git-wins: that
// revision re-applied).
import { configAt } from '../config-repository.js';
import { describeDeletions } from '../../engine/deletion.js';
import { reconcile } from './reconcile.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { syncSystemToGit, syncTarget } from './system-sync.js';
import { Revisions } from '../revisions.js';
import type { SystemService } from '../../system/service.js';

export interface DriftOutcome {
  drift: number;
  settled: 'in-sync' | 'git-wins' | 'system-wins';
  detail?: string;
}

export async function checkDrift(port: GitHubPort, service: SystemService, repo: RepoRef, defaultBranch: string, owned?: string[], revisions = new Revisions()): Promise<DriftOutcome> {
  const { config } = await configAt(port, repo, defaultBranch);
  const branch = config.branch ?? defaultBranch;
  const mode = config.drift.mode;
  const head = await port.getBranch(repo, branch);
  if (!head) return { drift: 0, settled: 'in-sync', detail: `branch ${branch} does not exist` };
  // The system is compared with the revision it applied, not with the branch's head: a head the
  // system has not applied yet is a push whose job is still to run, and applying it here would
  // apply it without its runs (that job would then find it applied and start none).
  const revision = (await service.records.getAppliedRevision(`${repo.owner}/${repo.repo}`)) ?? head.sha;
  // The applied revision is usually the one the push read: kept, it is neither downloaded nor parsed again.
  const read = await revisions.read(port, repo, revision, config.root, [revision]);
  const validated = await revisions.validate(read);
  const repoName = `${repo.owner}/${repo.repo}`;
  // The projects the store recorded with the applied revision: what the default branch claims now may be a refused claim.
  const outcome = await reconcile(service, { config, checkout: validated.loaded, apply: () => service.checkedRevision(validated, revision), revision, mode, ...(owned ? { owned } : {}), repo: repoName, actor: 'envsync drift check' });
  const drift = outcome.drift.length;
  if (outcome.settled === 'in-sync' || outcome.settled === 'listed') return { drift: 0, settled: 'in-sync' };
  if ('refused' in outcome) {
    const apply = `envsync system apply CHECKOUT --ref ${revision} --allow-deletion`;
    return { drift, settled: 'git-wins', detail: `${revision} of ${repoName} not re-applied: it ${describeDeletions(outcome.refused)}; if that is meant, run ${apply} in a checkout of it, else restore the specs with a pull request` };
  }
  if ('applied' in outcome) return { drift, settled: 'git-wins', detail: `${outcome.applied.created.length} created, ${outcome.applied.updated.length} updated, ${outcome.applied.deleted.length} deleted` };
  const target = syncTarget(config, repo, defaultBranch);
  const sameBranch = target.repo.owner === repo.owner && target.repo.repo === repo.repo && target.branch === branch && target.root === config.root && revision === head.sha;
  const results = await syncSystemToGit({ port, service, config, target, actors: ['envsync drift check'], foundBy: 'drift-check', ...(sameBranch ? { files: read.files } : {}), ...(owned ? { owned } : {}) });
  return { drift, settled: 'system-wins', detail: results.map((r) => r.outcome).join(', ') };
}
