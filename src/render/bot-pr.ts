// The text of a system-to-Git change: commit messages in the vendor's style
// (`Resource Environment/dev, Update`) and the bot pull request's description.
import type { ExportPlan, FileChange } from '../engine/export.js';
import { clip, COMMENT_LIMIT, fitBlocks, plural } from './fit.js';

export const BOT_PR_MARKER = '<!-- envsync:system-sync -->';

const line = (f: FileChange) => (f.resource ? `Resource ${f.resource.kind}/${f.resource.name}, ${f.resource.operation}` : `${f.path}, Create`);

/** One line per resource; several become a summary line followed by the list. */
export function commitMessage(plan: ExportPlan): string {
  const lines = plan.files.filter((f) => f.resource).map(line);
  if (lines.length === 1) return lines[0]!;
  return `System sync: ${lines.length} resources\n\n${lines.join('\n')}`;
}

export function pullRequestTitle(plan: ExportPlan): string {
  const changed = plan.files.filter((f) => f.resource);
  return changed.length === 1 ? `envsync: ${line(changed[0]!)}` : `envsync: system sync of ${changed.length} resources`;
}

/**
 * The pull request's description, within GitHub's limit of a body: a change of thousands of specs
 * lists as many rows as fit and says how many it left out (the diff has them all).
 */
export function pullRequestBody(plan: ExportPlan, context: { actors: string[] }, limit = COMMENT_LIMIT): string {
  const rows = plan.files.map((f) => `| \`${f.path}\` | ${f.resource ? `${f.resource.kind} \`${f.resource.project}/${f.resource.name}\`` : 'project folder'} | ${f.resource?.operation.toLowerCase() ?? 'create'} |\n`);
  const secrets = plan.secrets.map(
    (s) => `- \`${s.file}\` \`${s.path}\`: ${s.outcome === 'sealed' ? 'changed in the system; written as a `sealed://` reference, the system keeps the value' : 'changed in the system; left as Git has it'}\n`,
  );
  const rewritten = plan.rewritten.map((f) => `- \`${f}\` was written anew: an in-place edit could not express the change\n`);
  const by = context.actors.length ? ` (by ${clip(context.actors.join(', '), 500)})` : '';
  const head = [BOT_PR_MARKER, `These specs changed in the system outside Git${by}. Merging this pull request makes Git match the system; it starts no run.`, '', '| file | spec | change |', '| --- | --- | --- |', ''].join('\n');
  const tail = '\nenvsync updates this pull request in place when the system changes again; commits you push to its branch are never overwritten.\n';
  const blocks = [...rows, ...(secrets.length ? ['\n**Secrets** (never written in clear):\n', ...secrets] : []), ...(rewritten.length ? ['\n', ...rewritten] : [])];
  const fitted = fitBlocks(head, blocks, limit - tail.length, (n) => `${plural(n, 'more line')} not shown: the pull request's files have every change.`);
  return fitted.text + tail;
}
