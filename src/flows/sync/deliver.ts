// Delivers a system-to-Git change: as a bot pull request on one deterministic branch, updated in
// place, or as a direct commit. A constant number of requests whatever the number of files.
import type { ExportPlan } from '../../engine/export.js';
import { commitMessage, pullRequestBody, pullRequestTitle, type ChangeContext, type ChangeRecord } from '../../render/bot-pr.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';

export interface Delivery {
  repo: RepoRef;
  /** The branch Git-to-system follows; the change lands there (directly, or when the PR merges). */
  base: string;
  mode: 'pull-request' | 'commit';
  plan: ExportPlan;
  actors?: string[];
  /** What found the change: the system's report of it (by default), or the scheduled drift check. */
  foundBy?: ChangeContext['foundBy'];
  /** The last change the system recorded of each spec, by specKey: who made it, and through what. */
  records?: ReadonlyMap<string, ChangeRecord>;
}

export type DeliveryResult =
  | { outcome: 'nothing-to-do' }
  | { outcome: 'committed'; sha: string }
  | { outcome: 'pull-request'; number: number; created: boolean; branch: string; sha: string }
  | { outcome: 'skipped'; reason: string };

/** The author address envsync wrote on its commits before it left the author to GitHub. */
const EARLIER_BOT_EMAIL = 'envsync[bot]@users.noreply.github.com';

/** The bot's branch for a base branch: the same every time, so that one PR is updated in place. */
export const syncBranch = (base: string) => `envsync/system-sync/${base}`;

export async function deliver(port: GitHubPort, delivery: Delivery): Promise<DeliveryResult> {
  const { repo, base, plan } = delivery;
  if (plan.files.length === 0) return { outcome: 'nothing-to-do' };
  const head = await port.getBranch(repo, base);
  if (!head) throw new Error(`branch ${base} does not exist in ${repo.owner}/${repo.repo}: check the sync branch in .github/envsync.yml`);
  const files = plan.files.map(({ path, content }) => ({ path, content }));
  // The title, the commit message and the description name the change the same way.
  const context: ChangeContext = { actors: delivery.actors ?? [], ...(delivery.foundBy ? { foundBy: delivery.foundBy } : {}), ...(delivery.records ? { records: delivery.records } : {}) };

  if (delivery.mode === 'commit') {
    const sha = await port.commitFiles(repo, { parent: head.sha, baseTree: head.treeSha, files, message: commitMessage(plan, context) });
    await port.setBranch(repo, base, sha, { create: false, force: false });
    return { outcome: 'committed', sha };
  }

  const branch = syncBranch(base);
  const pr = await port.findPullRequest(repo, branch);
  if (pr && pr.state === 'closed' && !pr.merged) {
    return { outcome: 'skipped', reason: `bot pull request #${pr.number} was closed without merging; envsync does not reopen it: delete the branch ${branch} to let it open a new one` };
  }
  const existing = await port.getBranch(repo, branch);
  if (existing && existing.sha !== head.sha) {
    // Ours are those by the account this port commits as (GitHub writes that author when none is
    // sent), and those of versions before that, which named the bot without its account id: a bot
    // branch opened before an upgrade must stay the bot's.
    const bot = await port.commitIdentity();
    const ours = new Set([bot.email, EARLIER_BOT_EMAIL]);
    const others = (await port.commitsBetween(repo, head.sha, existing.sha)).filter((c) => !ours.has(c.author.email));
    if (others.length > 0) {
      const who = [...new Set(others.map((c) => c.author.name))].join(', ');
      return { outcome: 'skipped', reason: `branch ${branch} has commits by ${who}; envsync never overwrites them: merge or close pull request${pr ? ` #${pr.number}` : ''} first` };
    }
  }
  // The bot's branch always holds one commit on top of the base: rebuilt, then moved (forced, as
  // only the bot's own commits are on it, checked above).
  const sha = await port.commitFiles(repo, { parent: head.sha, baseTree: head.treeSha, files, message: commitMessage(plan, context) });
  await port.setBranch(repo, branch, sha, { create: !existing, force: true });
  const title = pullRequestTitle(plan);
  const body = pullRequestBody(plan, context);
  if (pr && pr.state === 'open') {
    await port.updatePullRequest(repo, pr.number, { title, body });
    return { outcome: 'pull-request', number: pr.number, created: false, branch, sha };
  }
  const number = await port.createPullRequest(repo, { head: branch, base, title, body });
  return { outcome: 'pull-request', number, created: true, branch, sha };
}
