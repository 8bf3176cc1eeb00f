// A plan as Markdown: one screen of summary for the pull-request comment, then collapsible diffs and
// activity graphs. Deterministic (same plan, same bytes) and within GitHub's size limits.
import type { Change, Plan, Reason, Run } from '../engine/plan/types.js';
import type { FieldChange } from '../engine/plan/diff.js';
import { CHECK_TEXT_LIMIT, COMMENT_LIMIT, clip, code, escapeHtml, fitBlocks, plural } from './fit.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from './mermaid.js';

/** Marks the app's sticky comment, so that it is found and updated in place. */
export const PLAN_MARKER = '<!-- envsync:plan -->';
const SUMMARY_ROWS = 50;
const RUNS_HEADER = '| environment | run | why | approvals |\n| --- | --- | --- | --- |\n';

const short = (revision: string) => (/^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision);
const specName = (s: { kind: string; project: string; name: string; version?: string }) =>
  `${s.kind} ${code(`${s.project}/${s.name}`)}${s.version !== undefined ? ` ${escapeHtml(s.version)}` : ''}`;

const REASON_TEXT: Record<Reason['type'], string> = {
  'environment-created': 'new environment',
  'environment-updated': 'environment changed',
  'environment-deleted': 'environment deleted',
  'template-changed': '',
  'resource-template-changed': '',
  'static-resource-changed': '',
  'context-changed': '',
  'driver-changed': '',
  'dependency-runs': 'runs first (a dependency)',
};

const ACTION_TEXT = { create: 'created', update: 'changed', delete: 'deleted' } as const;

function reasonText(r: Reason): string {
  if (r.type.startsWith('environment-')) return REASON_TEXT[r.type];
  if (r.type === 'dependency-runs') return `${specName(r)} ${REASON_TEXT[r.type]}`;
  return `${specName(r)} ${ACTION_TEXT[r.action ?? 'update']}`;
}

function headline(plan: Plan): string {
  const s = plan.summary;
  const changed = s.create + s.update + s.delete;
  const parts = [
    `**${plural(changed, 'spec')} changed** (${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged)`,
    `**${plural(s.deploys + s.destroys, 'environment run')}** (${s.deploys} deploy, ${s.destroys} destroy)`,
    `**${plural(s.approvals, 'approval')} needed**`,
  ];
  if (s.errors > 0) parts.push(`**${plural(s.errors, 'error')}**`);
  if (s.warnings > 0) parts.push(plural(s.warnings, 'warning'));
  return `${PLAN_MARKER}\n### envsync plan: ${code(short(plan.base))} → ${code(short(plan.head))}\n\n${parts.join(' · ')}\n`;
}

function runRow(run: Run): string {
  const action = run.action === 'destroy' ? '**destroy**' : 'deploy';
  const approvals = run.approvals.map(code).join('<br>') || '—';
  return `| ${code(`${run.project}/${run.environment}`)} | ${action} | ${run.reasons.map(reasonText).join('<br>')} | ${approvals} |\n`;
}

function runsTable(plan: Plan): { text: string; omitted: number } {
  if (plan.runs.length === 0) return { text: '\nNo environment will run.\n', omitted: 0 };
  const header = `\n${RUNS_HEADER}`;
  const shown = plan.runs.slice(0, SUMMARY_ROWS).map(runRow).join('');
  const omitted = plan.runs.length - Math.min(plan.runs.length, SUMMARY_ROWS);
  return { text: header + shown + (omitted > 0 ? `\n…and ${plural(omitted, 'more environment')}, listed in the \`envsync/plan\` check run.\n` : ''), omitted };
}

const FINDINGS_SHOWN = 30;

function findingsList(plan: Plan): string {
  if (plan.findings.length === 0) return '';
  const more = plan.findings.length - FINDINGS_SHOWN;
  const items = plan.findings.slice(0, FINDINGS_SHOWN).map((f) => `- ${f.severity === 'error' ? '❌' : '⚠️'} ${code(`${f.file}:${f.line}:${f.column}`)} ${f.code}: ${escapeHtml(f.message)}`);
  if (more > 0) items.push(`- …and ${plural(more, 'more finding')}: run \`envsync plan\` to see them all`);
  return `\n#### Findings\n\n${items.join('\n')}\n`;
}

function cell(field: FieldChange, side: 'before' | 'after'): string {
  if (field.sensitive) return '<i>(sensitive)</i>';
  if (!(side in field)) return '—';
  return code(clip(JSON.stringify(field[side]) ?? 'null'));
}

function changeBlock(change: Change): string {
  const bump = change.versionBump
    ? ` (new version beside ${change.versionBump.from.map(escapeHtml).join(', ')}; compared with ${escapeHtml(change.versionBump.comparedWith)})`
    : '';
  const summary = `${code(change.action)} ${specName(change)}${bump}: ${plural(change.fields.length, 'field')}`;
  const rows = change.fields.map((f) => `| ${code(f.path)} | ${cell(f, 'before')} | ${cell(f, 'after')} |`).join('\n');
  const sensitive = change.fields.some((f) => f.sensitive) ? '\n\n<i>(sensitive)</i>: a secret value changed; it is never shown.' : '';
  return `\n<details><summary>${summary}</summary>\n\n${code(change.file)}\n\n| field | before | after |\n| --- | --- | --- |\n${rows}${sensitive}\n\n</details>\n`;
}

function graphBlock(run: Run): string {
  const title = `${code(`${run.project}/${run.environment}`)} ${run.action}: ${plural(run.activities.length, 'activity', 'activities')}`;
  const body =
    run.activities.length <= MERMAID_MAX_ACTIVITIES
      ? `\`\`\`mermaid\n${renderMermaid(run.activities)}\n\`\`\``
      : `${run.activities.length} activities are too many to draw; in order:\n\n${run.activities.map((a) => `- ${code(a.id)} ${a.type}${a.dependsOn.length ? ` after ${a.dependsOn.map(code).join(', ')}` : ''}`).join('\n')}`;
  return `\n<details><summary>${title}</summary>\n\n${body}\n\n</details>\n`;
}

export interface RenderedPlan {
  /** The sticky pull-request comment. */
  comment: string;
  /** The `envsync/plan` check run's summary and text. */
  checkSummary: string;
  checkText: string;
}

export function renderPlan(plan: Plan, limits = { comment: COMMENT_LIMIT, check: CHECK_TEXT_LIMIT }): RenderedPlan {
  const table = runsTable(plan);
  const summary = headline(plan) + table.text + findingsList(plan);
  const details = [
    ...plan.changes.map(changeBlock),
    ...plan.runs.map(graphBlock),
  ];
  // A heading travels with the first block of its group, so that omitted counts are detail blocks only.
  const withHeading = (heading: string, blocks: string[]) => blocks.map((b, i) => (i === 0 ? `\n#### ${heading}\n${b}` : b));
  const sections = (blocks: string[]) => [
    ...withHeading('Changes', blocks.slice(0, plan.changes.length)),
    ...withHeading('Activity graphs', blocks.slice(plan.changes.length)),
  ];
  const comment = fitBlocks(
    summary,
    sections(details),
    limits.comment,
    (n) => `> [!NOTE]\n> ${plural(n, 'section')} of detail did not fit in this comment: the \`envsync/plan\` check run has them.`,
  );
  // When the summary could not list every run, the check run does, first.
  const allRuns = table.omitted > 0 ? withHeading('All environment runs', [RUNS_HEADER, ...plan.runs.map(runRow)]) : [];
  const check = fitBlocks(
    '',
    [...allRuns, ...sections(details)],
    limits.check,
    (n) => `> [!NOTE]\n> ${plural(n, 'more section')} of detail did not fit in a check run (GitHub allows ${limits.check} characters): run \`envsync plan --base ${plan.base} --head ${plan.head}\` for the whole plan.`,
  );
  const checkSummary = summary.length <= limits.check ? summary : headline(plan);
  return { comment: comment.text, checkSummary, checkText: check.text };
}

/** The plan as the CLI prints it: the summary and every detail, with no size limit. */
export function renderPlanMarkdown(plan: Plan): string {
  const table = runsTable(plan);
  const allRows = table.omitted > 0 ? `\n${RUNS_HEADER}${plan.runs.map(runRow).join('')}` : table.text;
  const details = [
    ...(plan.changes.length ? ['\n#### Changes\n', ...plan.changes.map(changeBlock)] : []),
    ...(plan.runs.length ? ['\n#### Activity graphs\n', ...plan.runs.map(graphBlock)] : []),
  ];
  return headline(plan) + allRows + findingsList(plan) + details.join('');
}
