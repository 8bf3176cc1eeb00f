// Where a repository's system changes stand on GitHub: the bot's pull request that carries them, on
// its one branch (deliver.ts). A merged one is history: the next change opens a new pull request,
// so only an open one is the current one; one closed without merging blocks delivery until its
// branch is deleted (deliver.ts says so and skips).
import { syncSettingsFor } from '../../config/config.js';
import { configAt } from '../config-repository.js';
import { repoRefOf, type GitHubPort } from '../../github/port.js';
import type { ConfigRepository } from '../../system/records.js';
import { syncBranch } from './deliver.js';
import { syncTarget } from './system-sync.js';

export type BotPullRequestState =
  | { state: 'open'; number: number; url: string }
  | { state: 'blocked'; number: number; url: string; branch: string }
  /** None open: not opened yet (changes are gathered a moment), or the repository takes them as commits. */
  | { state: 'none'; delivery: 'pull-request' | 'commit' };

/** The bot pull request that carries `project`'s system changes to Git, as `followed` (its owner) delivers them. */
export async function botPullRequest(port: GitHubPort, followed: ConfigRepository, project: string): Promise<BotPullRequestState> {
  const repo = repoRefOf(followed.repo);
  const defaultBranch = followed.defaultBranch ?? 'main';
  const { config } = await configAt(port, repo, defaultBranch);
  const target = syncTarget(config, repo, defaultBranch);
  const branch = syncBranch(target.branch);
  const pr = await port.findPullRequest(target.repo, branch);
  const url = (number: number) => port.webUrl(`/${target.repo.owner}/${target.repo.repo}/pull/${number}`);
  if (pr?.state === 'open') return { state: 'open', number: pr.number, url: url(pr.number) };
  if (pr && pr.state === 'closed' && !pr.merged) return { state: 'blocked', number: pr.number, url: url(pr.number), branch };
  return { state: 'none', delivery: syncSettingsFor(config, project).delivery };
}
