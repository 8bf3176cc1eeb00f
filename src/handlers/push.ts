// A push to the sync branch: the system follows Git. The whole revision is applied (not only the
// pushed commits' files), so a missed webhook is caught up by the next push.
import { CONFIG_PATH, parseRepositoryConfig, syncs } from '../config/config.js';
import type { GitHubPort, RepoRef } from '../github/port.js';
import { filesFromTarball } from '../github/tarball.js';
import { DEFAULT_MAX_FILE_BYTES } from '../specs/parse.js';
import { SystemError, type CheckedRevision, type SystemService } from '../system/service.js';
import type { ApplyResult } from '../system/store.js';
import { startMergeRuns, type StartedRun } from './merge-runs.js';

export interface PushEvent {
  ref: string;
  after: string;
  deleted: boolean;
  repository: { name: string; owner: { login: string }; default_branch: string };
  sender?: { login: string } | null;
}

export type PushOutcome = { applied: ApplyResult; revision: string; runs: StartedRun[] } | { ignored: string };

export async function applyPush(port: GitHubPort, service: SystemService, event: PushEvent): Promise<PushOutcome> {
  if (!event.ref.startsWith('refs/heads/') || event.deleted) return { ignored: 'not a branch update' };
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const branch = event.ref.slice('refs/heads/'.length);
  // The configuration of the default branch decides which branch is synced: a push cannot name its
  // own branch the sync branch (that would apply it without review).
  const { config, findings } = parseRepositoryConfig(await port.getFile(repo, CONFIG_PATH, event.repository.default_branch));
  const syncBranch = config.branch ?? event.repository.default_branch;
  if (branch !== syncBranch) return { ignored: `${branch} is not the sync branch (${syncBranch})` };
  if (findings.length > 0) return { ignored: `${CONFIG_PATH} is invalid: ${findings[0]!.message}` };
  const files = await filesFromTarball(await port.getTarball(repo, event.after), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  // Checked once (a revision with errors starts nothing and is not applied); runs are started
  // before the revision is applied, against the system as it was: see startMergeRuns.
  let checked: CheckedRevision;
  try {
    checked = service.checkRevision(files, event.after, config.root);
  } catch (e) {
    // Not a failure of the app (a redelivery would fail the same way): the push is not applied, and
    // the log says where the revision is wrong.
    if (!(e instanceof SystemError)) throw e;
    const first = e.findings[0];
    const where = first ? `: ${first.file}:${first.line}:${first.column}: ${first.message}` : '';
    return { ignored: `revision ${event.after} of ${branch} does not validate (${e.findings.length} error${e.findings.length === 1 ? '' : 's'}), so nothing was applied or run${where}; fix it in a new commit on ${branch}` };
  }
  const runs = await startMergeRuns(port, service.store, {
    repo,
    branch,
    revision: event.after,
    before: await service.snapshot(),
    after: checked,
    config,
    previousRevision: await service.store.getAppliedRevision(),
  });
  const applied = await service.applyRevision(
    checked,
    event.after,
    { trigger: 'webhook', actor: event.sender?.login ?? null },
    { root: config.root, scope: (kind, project) => syncs(config, project, kind, 'git-to-system') },
  );
  return { applied, revision: event.after, runs };
}
