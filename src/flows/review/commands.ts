// Commands in pull-request comments: /approve [gate ...], /reject [reason], /plan, /help. An
// approval counts from a user with write access or a listed approver, never from the pull request's
// author (unless configured) or a bot, and only for the head it was given on.
import { CONFIG_PATH, type ResolvedConfig } from '../../config/config.js';
import { configAt } from '../config-repository.js';
import { approvalSubject, approvedByNameOnly } from '../../engine/approvals.js';
import { DELETION_GATE } from '../../engine/deletion.js';
import type { GitHubPort, PullRequest, RepoRef } from '../../github/port.js';
import { approvalCheckName, approvalOutput } from '../../render/checks.js';
import { codeSpan } from '../../render/fit.js';
import type { Records } from '../../system/records.js';

export interface CommentEvent {
  issue: { number: number; pull_request?: unknown };
  comment: { id: number; body: string; user: { login: string; type: string }; created_at?: string };
  repository: { name: string; owner: { login: string } };
}

/** What a command starts beyond its own answer: other jobs, queued where they belong. */
export interface CommandEffects {
  /** Check the pull request's head again (/plan). */
  replan(): Promise<void>;
  /** Release the runs that a merge of this pull request holds for approval. */
  releaseRuns(pullRequest: number): Promise<void>;
}

/** Marks the app's answer to one command comment, so that a repeated job edits it rather than answering twice. */
const replyMarker = (commentId: number) => `<!-- envsync:reply ${commentId} -->`;

export type Command = { name: 'approve' | 'reject' | 'plan' | 'help'; args: string[] };

export type CommandOutcome =
  | { ignored: string }
  | { refused: string }
  | { approved: string[] }
  | { rejected: string[] }
  | { replanned: true }
  | { helped: true };

const COMMANDS = new Set(['approve', 'reject', 'plan', 'help']);
const APPROVAL_PREFIX = approvalCheckName('');

export const HELP = `envsync commands, in a comment of their own line:

- \`/approve\` approves every approval gate of this pull request's head; \`/approve GATE ...\` only those named
- \`/reject [reason]\` rejects them (the gates fail until someone approves)
- \`/plan\` checks and plans the head again
- \`/help\` shows this

Approvals count from users with write access or listed in \`.github/envsync.yml\` (\`approvals.users\`, \`approvals.teams\`), not from the author of the pull request, and only for the commit they were given on: a new push needs new approvals.`;

/** The first line of a comment that is a command, if any. */
export function parseCommand(body: string): Command | undefined {
  for (const line of body.split(/\r?\n/)) {
    const match = /^\s*\/([a-z]+)\b(.*)$/.exec(line);
    if (match && COMMANDS.has(match[1]!)) return { name: match[1] as Command['name'], args: match[2]!.trim().split(/\s+/).filter(Boolean) };
  }
  return undefined;
}

/** Why `user` may not approve, or undefined when they may. */
async function refusal(port: GitHubPort, repo: RepoRef, config: ResolvedConfig, pr: PullRequest, user: string): Promise<string | undefined> {
  if (user === pr.author && !config.approvals.allowAuthor) return `@${user}, the author of a pull request cannot approve it: ask a reviewer with write access or a listed approver.`;
  if (config.approvals.users.includes(user)) return undefined;
  for (const team of config.approvals.teams) {
    const [org, slug] = team.split('/') as [string, string];
    if (await port.isTeamMember(org, slug, user)) return undefined;
  }
  const permission = await port.permissionOf(repo, user);
  if (permission === 'admin' || permission === 'maintain' || permission === 'write') return undefined;
  return `@${user}, your approval does not count: it needs write access to this repository (you have ${permission}) or a place among the approvers of \`${CONFIG_PATH}\`.`;
}

export async function handleCommand(port: GitHubPort, records: Records, event: CommentEvent, effects: CommandEffects): Promise<CommandOutcome> {
  if (!event.issue.pull_request) return { ignored: 'not a pull request' };
  const command = parseCommand(event.comment.body);
  if (!command) return { ignored: 'no command' };
  // Never from a bot: that includes this app's own comments, which quote the commands.
  if (event.comment.user.type === 'Bot') return { ignored: 'comment by a bot' };
  const repo: RepoRef = { owner: event.repository.owner.login, repo: event.repository.name };
  const user = event.comment.user.login;
  const reply = (body: string) =>
    port.ensureComment(repo, event.issue.number, replyMarker(event.comment.id), `${body}\n\n${replyMarker(event.comment.id)}`, event.comment.created_at ? { since: event.comment.created_at } : {});

  if (command.name === 'help') {
    await reply(HELP);
    return { helped: true };
  }
  if (command.name === 'plan') {
    await effects.replan();
    await port.addReaction(repo, event.comment.id, 'eyes');
    return { replanned: true };
  }

  const pr = await port.getPullRequest(repo, event.issue.number);
  const { config } = await configAt(port, repo, pr.baseSha);
  const refuse = async (why: string): Promise<CommandOutcome> => {
    await reply(why);
    await port.addReaction(repo, event.comment.id, 'confused');
    return { refused: why };
  };
  const why = await refusal(port, repo, config, pr, user);
  if (why) return refuse(why);

  // The gates of the current head are its approval checks; on a merged pull request, also those its
  // merge's runs wait for (a rollout's waves, when .github/envsync.yml gained them after the head was checked).
  const checks = (await port.listCheckRuns(repo, pr.headSha)).filter((c) => c.name.startsWith(APPROVAL_PREFIX));
  const gates: { gate: string; id?: number }[] = checks.map((c) => ({ id: c.id, gate: c.name.slice(APPROVAL_PREFIX.length) }));
  if (pr.mergeCommitSha) {
    const waiting = (await records.listUnfinishedRuns(`${repo.owner}/${repo.repo}`)).filter(({ tracking }) => tracking.dispatch.approvals.some((a) => a.number === pr.number));
    for (const gate of new Set(waiting.flatMap(({ tracking }) => tracking.dispatch.gates))) if (!gates.some((g) => g.gate === gate)) gates.push({ gate });
  }
  if (gates.length === 0) return refuse(`@${user}, the head \`${pr.headSha.slice(0, 7)}\` needs no approval (or is not checked yet: comment \`/plan\`).`);
  const named = command.name === 'approve' ? command.args : [];
  const unknown = named.filter((n) => !gates.some((g) => g.gate === n || g.gate.endsWith(`/${n}`)));
  if (unknown.length > 0) return refuse(`@${user}, no gate named ${unknown.map((u) => codeSpan(u)).join(', ')}: this head's gates are ${gates.map((g) => codeSpan(g.gate)).join(', ')}.`);
  const chosen = named.length > 0 ? gates.filter((g) => named.some((n) => g.gate === n || g.gate.endsWith(`/${n}`))) : gates.filter((g) => !approvedByNameOnly(g.gate) || command.name === 'reject');

  if (chosen.length === 0) {
    const only = gates.map((g) => g.gate);
    return refuse(`@${user}, this head's gates (${only.map((g) => codeSpan(g)).join(', ')}) are approved only by name: comment \`/approve ${only[0]}\`${only.includes(DELETION_GATE) ? ` (\`${DELETION_GATE}\` deletes specs in bulk: see its check)` : ''}.`);
  }
  const decision = command.name === 'approve' ? 'approve' : 'reject';
  const reason = command.name === 'reject' ? command.args.join(' ') : '';
  for (const g of chosen) {
    // At the comment's time, not the job's: a job retried after a later command must not overrule it.
    await records.recordApproval({ repo: `${repo.owner}/${repo.repo}`, pullNumber: pr.number, sha: approvalSubject(pr), gate: g.gate, user, decision, ...(event.comment.created_at ? { at: new Date(event.comment.created_at).toISOString() } : {}) });
    if (g.id === undefined) continue;
    await port.updateCheckRun(repo, g.id, {
      status: 'completed',
      conclusion: decision === 'approve' ? 'success' : 'failure',
      output: approvalOutput(g.gate, [], decision === 'approve' ? { approvedBy: user } : { rejectedBy: user, ...(reason ? { reason } : {}) }),
    });
  }
  // A bare /approve that left gates approved only by name says so: the author must not believe they passed.
  const left = named.length === 0 ? gates.filter((g) => approvedByNameOnly(g.gate)).map((g) => g.gate) : [];
  if (decision === 'approve' && left.length > 0) {
    await reply(`@${user}, approved ${chosen.map((g) => codeSpan(g.gate)).join(', ')}; ${left.map((g) => codeSpan(g)).join(', ')} ${left.length === 1 ? 'is' : 'are'} approved only by name: comment ${left.map((g) => `\`/approve ${g}\``).join(' or ')} when ${left.includes(DELETION_GATE) ? 'the bulk deletion is meant' : 'the wave may go'}.`);
  }
  // Approving a merged pull request releases the runs its merge holds for these gates.
  if (decision === 'approve' && pr.mergeCommitSha) await effects.releaseRuns(pr.number);
  await port.addReaction(repo, event.comment.id, '+1');
  return decision === 'approve' ? { approved: chosen.map((g) => g.gate) } : { rejected: chosen.map((g) => g.gate) };
}
