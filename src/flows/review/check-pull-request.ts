// A pull request against the config repository: validate the head, plan the merge, show both as
// checks and one sticky comment, and open one check per approval gate the change needs. A constant
// number of GitHub requests whatever the size of the repository (plus one per 50 annotations).
import { CONFIG_PATH, parseRepositoryConfig } from '../../config/config.js';
import { validateSources } from '../../engine/validate.js';
import { planChange } from '../../engine/plan/plan.js';
import type { Plan } from '../../engine/plan/types.js';
import { approvalSubject, decisionsByGate, gatesOf } from '../../engine/approvals.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { filesFromTarball } from '../../github/tarball.js';
import { approvalCheckName, approvalOutput, planOutput, PLAN_CHECK, VALIDATE_CHECK, validateOutput } from '../../render/checks.js';
import { summarize } from '../../render/findings.js';
import { PLAN_MARKER, renderPlan } from '../../render/plan-markdown.js';
import { loadSpecs } from '../../specs/load.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../specs/parse.js';
import type { SystemService } from '../../system/service.js';
import type { Store } from '../../system/store.js';
import { CHECK_TEXT_LIMIT, COMMENT_LIMIT, plural } from '../../render/fit.js';

export const CONFIG_REPOSITORY_SETTING = 'config-repository';

export interface PullRequestEvent {
  number: number;
  /** The head the event is about; absent for a re-check of whatever the head is now (/plan). */
  pull_request?: { head: { sha: string } };
  repository: { name: string; owner: { login: string } };
}

export type CheckOutcome = { checked: { errors: number; runs: number; gates: string[] } } | { skipped: string };

const headMarker = (sha: string) => `<!-- envsync:head ${sha} -->`;

export async function checkPullRequest(port: GitHubPort, service: SystemService, store: Store, event: PullRequestEvent): Promise<CheckOutcome> {
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const pr = await port.getPullRequest(repo, event.number);
  // Events arrive late or out of order: only the pull request's current head is worth checking.
  const wanted = event.pull_request?.head.sha ?? pr.headSha;
  if (pr.headSha !== wanted) return { skipped: `head ${wanted} is no longer the pull request's head (${pr.headSha})` };
  if (pr.state !== 'open') return { skipped: 'the pull request is closed' };

  // The base branch's configuration: a pull request cannot change its own rules.
  const { config } = parseRepositoryConfig(await port.getFile(repo, CONFIG_PATH, pr.baseSha));
  const read = async (sha: string) => filesFromTarball(await port.getTarball(repo, sha), { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES });
  const { findings, loaded: head } = validateSources(await read(pr.headSha), { root: config.root });
  // Against the system's live state when the system follows this repository, else the base revision.
  const follows = (await store.getSetting(CONFIG_REPOSITORY_SETTING)) === `${repo.owner}/${repo.repo}`;
  const base = follows ? { revision: 'system', loaded: await service.snapshot() } : { revision: pr.baseSha, loaded: loadSpecs(await read(pr.baseSha), { root: config.root }) };
  const plan = planChange({ base, head: { revision: pr.headSha, loaded: head } });

  const summary = summarize(findings, head.fileCount, head.specs.length);
  const gates = gatesOf(plan);
  const decisions = decisionsByGate(await store.listApprovals(`${repo.owner}/${repo.repo}`, pr.number, approvalSubject(pr)));
  // Ensured, not created: a check repeated after a crash, a redelivery or a /plan writes only what
  // changed, so a pull request never shows a check twice.
  await port.ensureCheckRuns(repo, pr.headSha, [
    { name: VALIDATE_CHECK, headSha: pr.headSha, status: 'completed', conclusion: summary.errors > 0 ? 'failure' : 'success', output: validateOutput(findings, summary, config.root) },
    { name: PLAN_CHECK, headSha: pr.headSha, status: 'completed', conclusion: plan.summary.errors > 0 ? 'failure' : 'success', output: planOutput(plan) },
    ...[...gates].map(([gate, environments]) => {
      const d = decisions.get(gate);
      const state = d?.decision === 'approve' ? { approvedBy: d.user } : d?.decision === 'reject' ? { rejectedBy: d.user } : {};
      return {
        name: approvalCheckName(gate),
        headSha: pr.headSha,
        ...(d ? { status: 'completed' as const, conclusion: d.decision === 'approve' ? ('success' as const) : ('failure' as const) } : { status: 'queued' as const }),
        output: approvalOutput(gate, environments, state),
      };
    }),
  ]);

  await port.ensureComment(repo, pr.number, PLAN_MARKER, (previous) => commentBody(plan, summary.errors, gates, pr.headSha, previous));
  return { checked: { errors: summary.errors, runs: plan.runs.length, gates: [...gates.keys()] } };
}

function commentBody(plan: Plan, errors: number, gates: Map<string, string[]>, headSha: string, previous: string | undefined): string {
  const notes: string[] = [];
  const previousHead = /<!-- envsync:head ([0-9a-f]+) -->/.exec(previous ?? '')?.[1];
  if (previousHead && previousHead !== headSha && gates.size > 0) {
    notes.push(`> [!IMPORTANT]\n> New commits since \`${previousHead.slice(0, 7)}\`: approvals given before them no longer count. Approve \`${headSha.slice(0, 7)}\` again.`);
  }
  if (gates.size > 0) notes.push(`**Approval gates** (comment \`/approve\`, or \`/approve GATE\`): ${[...gates.keys()].map((g) => `\`${g}\``).join(', ')}`);
  const tail = `\n${notes.join('\n\n')}\n${headMarker(headSha)}\n`;
  const rendered = renderPlan(plan, { comment: COMMENT_LIMIT - tail.length - 400, check: CHECK_TEXT_LIMIT }).comment;
  if (errors === 0) return rendered + tail;
  // A plan of a head that does not validate would mislead: it stays folded until the head is fixed.
  return `${PLAN_MARKER}\n### envsync: the head does not validate\n\n❌ ${plural(errors, 'error')}: see the \`envsync/validate\` check and the annotations in "Files changed". The plan may be incomplete.\n\n<details><summary>Plan of this head</summary>\n\n${rendered.replace(PLAN_MARKER, '')}\n</details>\n${tail}`;
}
