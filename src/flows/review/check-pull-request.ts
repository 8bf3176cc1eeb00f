// A pull request against the config repository: validate the head, plan the merge, show both as
// checks and one sticky comment, and open one check per approval gate the change needs. A constant
// number of GitHub requests whatever the size of the repository (plus one per 50 annotations).
import { CONFIG_PATH, parseRepositoryConfig } from '../../config/config.js';
import { DELETION_GATE, deletionsBetween, describeDeletions, type MassDeletion } from '../../engine/deletion.js';
import { desiredState } from '../../engine/desired.js';
import { planChange } from '../../engine/plan/plan.js';
import type { Plan } from '../../engine/plan/types.js';
import { approvalSubject, decisionsByGate, gatesOf } from '../../engine/approvals.js';
import type { GitHubPort, RepoRef } from '../../github/port.js';
import { layoutRoot } from '../../specs/layout.js';
import { approvalCheckName, approvalOutput, deletionOutput, planOutput, PLAN_CHECK, VALIDATE_CHECK, validateOutput } from '../../render/checks.js';
import { summarize } from '../../render/findings.js';
import { PLAN_MARKER, renderPlan, type PlanContext } from '../../render/plan-markdown.js';
import { assignWaves, labelsIn, waveGate } from '../../engine/plan/waves.js';
import { compareFindings } from '../../specs/findings.js';
import { configFindings, scopeOf } from '../config-repository.js';
import { Revisions } from '../revisions.js';
import type { SystemService } from '../../system/service.js';
import type { Records } from '../../system/records.js';
import { CHECK_TEXT_LIMIT, COMMENT_LIMIT, plural } from '../../render/fit.js';

export interface PullRequestEvent {
  number: number;
  /** The head the event is about; absent for a re-check of whatever the head is now (/plan). */
  pull_request?: { head: { sha: string } };
  repository: { name: string; owner: { login: string } };
}

export type CheckOutcome = { checked: { errors: number; runs: number; gates: string[] } } | { skipped: string };

const headMarker = (sha: string) => `<!-- envsync:head ${sha} -->`;

export async function checkPullRequest(port: GitHubPort, service: SystemService, records: Records, event: PullRequestEvent, revisions = new Revisions()): Promise<CheckOutcome> {
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const repoName = `${repo.owner}/${repo.repo}`;
  const followed = await records.getRepository(repoName);
  if (!followed) return { skipped: `${repoName} is not a followed config repository` };
  const pr = await port.getPullRequest(repo, event.number);
  // Events arrive late or out of order: only the pull request's current head is worth checking.
  const wanted = event.pull_request?.head.sha ?? pr.headSha;
  if (pr.headSha !== wanted) return { skipped: `head ${wanted} is no longer the pull request's head (${pr.headSha})` };
  if (pr.state !== 'open') return { skipped: 'the pull request is closed' };

  // A repository whose base and default branches hold no configuration is no config repository, and
  // gets no check. (Who may approve is read from the base when a command comes: see commands.ts.)
  const baseText = await port.getFile(repo, CONFIG_PATH, pr.baseSha);
  if (baseText === undefined) return { skipped: `no ${CONFIG_PATH} on the base branch ${pr.baseRef}` };
  if (followed.defaultBranch !== null && pr.baseRef !== followed.defaultBranch && (await port.getFile(repo, CONFIG_PATH, followed.defaultBranch)) === undefined) {
    return { skipped: `no ${CONFIG_PATH} on the default branch ${followed.defaultBranch}` };
  }
  // What the merge would apply follows the head's layout and ownership: a pull request that moves
  // `root` or claims other projects is planned as its merge would apply it. The head is read from a
  // revision read before where there is one (see revisions.ts): the applied one, or the base.
  const near = [followed.appliedRevision, pr.baseSha];
  const baseRoot = parseRepositoryConfig(baseText).config.root;
  let contents = await revisions.read(port, repo, pr.headSha, baseRoot, near);
  const headConfig = parseRepositoryConfig(contents.config ?? baseText);
  const layout = headConfig.config;
  // A head that moves the root is read again under its own root.
  if (layoutRoot(layout.root) !== layoutRoot(baseRoot)) contents = await revisions.read(port, repo, pr.headSha, layout.root, near);
  const { findings: specFindings, loaded: head } = await revisions.validate(contents);
  const scope = await scopeOf(records, repoName, layout);
  const findings = [
    ...(contents.config !== undefined ? headConfig.findings : []),
    ...configFindings({ config: layout, configText: contents.config ?? baseText, scope, hasProjects: contents.hasProjects, loaded: head }),
    ...specFindings,
  ].sort(compareFindings);

  // Against the system's live state, as the merge will apply it.
  const system = await service.snapshot();
  const plan = planChange({ base: { revision: 'system', loaded: system }, head: { revision: pr.headSha, loaded: desiredState(system, head, scope.speaksFor, layout.sensitive?.names) }, sensitiveNames: layout.sensitive?.names ?? [] });
  const deletions = deletionsBetween(system, head, scope.speaksFor, layout.deletion.maxShare);

  const summary = summarize(findings, head.fileCount, head.specs.length);
  // The environments' gates, and the deletion gate when the change deletes in bulk.
  const gates = gatesOf(plan);
  // A rollout's gated waves are approved on this pull request too (best once merged, when the wave before succeeded).
  const waves = assignWaves(plan.runs, layout.rollout.waves, labelsIn(head));
  if (waves.length > 1) for (const wave of waves.filter((w) => w.gate)) gates.set(waveGate(wave.name), wave.runs.map((r) => `${r.project}/${r.environment}`));
  if (deletions.length > 0) gates.set(DELETION_GATE, []);
  const context = { ...(waves.length > 1 ? { waves } : {}), ...(deletions.length > 0 ? { deletionGate: DELETION_GATE } : {}) };
  const approvals = await records.listApprovals(repoName, pr.number);
  const decisions = decisionsByGate(approvals.filter((a) => a.sha === approvalSubject(pr)));
  const gateCheck = ([gate, environments]: [string, string[]]) => {
    const d = decisions.get(gate);
    const state = d?.decision === 'approve' ? { approvedBy: d.user } : d?.decision === 'reject' ? { rejectedBy: d.user } : {};
    return {
      name: approvalCheckName(gate),
      headSha: pr.headSha,
      ...(d ? { status: 'completed' as const, conclusion: d.decision === 'approve' ? ('success' as const) : ('failure' as const) } : { status: 'queued' as const }),
      output: gate === DELETION_GATE ? deletionOutput(deletions, state) : approvalOutput(gate, environments, state),
    };
  };
  // Ensured, not created: a check repeated after a crash, a redelivery or a /plan writes only what
  // changed, so a pull request never shows a check twice.
  await port.ensureCheckRuns(repo, pr.headSha, [
    { name: VALIDATE_CHECK, headSha: pr.headSha, status: 'completed', conclusion: summary.errors > 0 ? 'failure' : 'success', output: validateOutput(findings, summary, layout.root) },
    { name: PLAN_CHECK, headSha: pr.headSha, status: 'completed', conclusion: plan.summary.errors > 0 ? 'failure' : 'success', output: planOutput(plan, context) },
    ...[...gates].map(gateCheck),
  ]);

  await port.ensureComment(repo, pr.number, PLAN_MARKER, (previous) => {
    // Approvals given on the head the comment was about, if any: only then does it say they no longer count.
    const previousHead = /<!-- envsync:head ([0-9a-f]+) -->/.exec(previous ?? '')?.[1];
    const voided = previousHead !== undefined && previousHead !== pr.headSha && approvals.some((a) => a.sha.startsWith(`${previousHead}:`) && a.decision === 'approve');
    return commentBody(plan, summary.errors, { context, deletions, headSha: pr.headSha, previousHead: voided ? previousHead : undefined });
  });
  return { checked: { errors: summary.errors, runs: plan.runs.length, gates: [...gates.keys()] } };
}

/** `previousHead`: an earlier head whose approvals this head's new commits void (given only when there were some). */
function commentBody(plan: Plan, errors: number, at: { context: PlanContext; deletions: readonly MassDeletion[]; headSha: string; previousHead: string | undefined }): string {
  const { context, deletions, headSha, previousHead } = at;
  const notes: string[] = [];
  if (deletions.length > 0) {
    notes.push(`> [!CAUTION]\n> This change ${describeDeletions(deletions)}. Once merged it is held, and nothing is deleted or destroyed, until \`/approve ${DELETION_GATE}\`.`);
  }
  if (previousHead) {
    notes.push(`> [!IMPORTANT]\n> New commits since \`${previousHead.slice(0, 7)}\`: approvals given before them no longer count. Approve \`${headSha.slice(0, 7)}\` again.`);
  }
  const tail = `\n${notes.join('\n\n')}\n${headMarker(headSha)}\n`;
  const rendered = renderPlan(plan, { comment: COMMENT_LIMIT - tail.length - 400, check: CHECK_TEXT_LIMIT }, context).comment;
  if (errors === 0) return rendered + tail;
  // A plan of a head that does not validate would mislead: it stays folded until the head is fixed.
  return `${PLAN_MARKER}\n### envsync: the head does not validate\n\n❌ ${plural(errors, 'error')}: see the \`envsync/validate\` check and the annotations in "Files changed". The plan may be incomplete.\n\n<details><summary>Plan of this head</summary>\n\n${rendered.replace(PLAN_MARKER, '')}\n</details>\n${tail}`;
}
