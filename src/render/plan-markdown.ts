// A plan as Markdown: one screen of summary for the pull-request comment, then collapsible detail.
// Runs are shown by group (engine/plan/groups.ts): a template change a fleet of 150 environments
// uses is one row and one graph, and the counts say what a reviewer does (gates to approve, once
// each). Changed values are shown whole (up to 4,000 characters, then cut saying so), before and
// after on their own lines. Deterministic (same
// plan, same bytes) and within GitHub's size limits; what does not fit says exactly where it is.
import type { Change, Plan, Reason, Run } from '../engine/plan/types.js';
import type { FieldChange } from '../engine/plan/diff.js';
import { distinctGates, groupRuns, type RunGroup } from '../engine/plan/groups.js';
import { waveGate, type Wave } from '../engine/plan/waves.js';
import { specKey } from '../engine/plan/changes.js';
import { CHECK_TEXT_LIMIT, COMMENT_LIMIT, clip, code, escapeHtml, fenced, fieldLabel, firstAndMore, fitBlocks, plural, shortRevision } from './fit.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from './mermaid.js';

/** Marks the app's sticky comment, so that it is found and updated in place. */
export const PLAN_MARKER = '<!-- envsync:plan -->';
/** Groups listed in the summary; the check run lists them all. */
const SUMMARY_ROWS = 30;
/** Environments named in a group's row; the rest are listed in the group's detail. */
const NAMED_IN_ROW = 3;
/** Fields named in a reason ("replicas 1 → 2"); the change's detail has them all. */
const FIELDS_IN_REASON = 3;
/** A value in a change's detail: shown whole up to this, then cut saying how much is left out. */
const VALUE_LIMIT = 4_000;
const RUNS_HEADER = '| environments | run | why | gates |\n| --- | --- | --- | --- |\n';

const specName = (s: { kind: string; project: string; name: string; version?: string }) =>
  `${s.kind} ${code(`${s.project}/${s.name}`)}${s.version !== undefined ? ` ${escapeHtml(s.version)}` : ''}`;
const envName = (r: Pick<Run, 'project' | 'environment'>) => `${r.project}/${r.environment}`;

const ACTION_TEXT = { create: 'created', update: 'changed', delete: 'deleted' } as const;


const inline = (value: unknown) => code(clip(JSON.stringify(value) ?? 'null', 40));

/** `replicas "1" → "2"`, `image added`, `(sensitive) changed`. */
function fieldInReason(field: FieldChange): string {
  const label = code(fieldLabel(field.path));
  if (field.sensitive) return `${label} (sensitive) changed`;
  if (!('before' in field)) return `${label} added: ${inline(field.after)}`;
  if (!('after' in field)) return `${label} removed`;
  return `${label} ${inline(field.before)} → ${inline(field.after)}`;
}

/** What changed, by field: the first few, and how many more the change's detail shows. */
function fieldsOf(change: Change | undefined): string {
  if (!change || change.action !== 'update' || change.fields.length === 0) return '';
  const shown = change.fields.slice(0, FIELDS_IN_REASON).map(fieldInReason);
  const more = change.fields.length - shown.length;
  return `: ${shown.join(', ')}${more > 0 ? ` and ${plural(more, 'more field')}` : ''}`;
}

function reasonText(r: Reason, changes: ReadonlyMap<string, Change>): string {
  const change = changes.get(specKey(r));
  switch (r.type) {
    case 'environment-created':
      return 'new environment';
    case 'environment-deleted':
      return 'environment deleted';
    case 'environment-updated':
      return `environment changed${fieldsOf(change)}`;
    case 'dependency-runs':
      return `${specName(r)} runs first (a dependency)`;
    default:
      return `${specName(r)} ${ACTION_TEXT[r.action ?? 'update']}${fieldsOf(change)}`;
  }
}

/** The gates a reviewer approves: the environments' (once each), the gated waves', and the deletion gate. */
export const gateCount = (plan: Plan, context: PlanContext = {}) => plan.summary.approvals + (context.waves ?? []).filter((w) => w.gate).length + (context.deletionGate ? 1 : 0);

function headline(plan: Plan, groups: number, context: PlanContext): string {
  const s = plan.summary;
  const changed = s.create + s.update + s.delete;
  const runs = s.deploys + s.destroys;
  const parts = [
    `**${plural(changed, 'spec')} changed** (${s.create} created, ${s.update} updated, ${s.delete} deleted, ${s.unchanged} unchanged)`,
    `**${plural(runs, 'environment run')}**${groups < runs ? ` in ${plural(groups, 'group')}` : ''} (${s.deploys} deploy, ${s.destroys} destroy)`,
    `**${plural(gateCount(plan, context), 'gate')} to approve**`,
  ];
  if (s.errors > 0) parts.push(`**${plural(s.errors, 'error')}**`);
  if (s.warnings > 0) parts.push(plural(s.warnings, 'warning'));
  return `${PLAN_MARKER}\n### envsync plan: ${code(shortRevision(plan.base))} → ${code(shortRevision(plan.head))}\n\n${parts.join(' · ')}\n`;
}

/** `payments/dev`, or `152 in 3 projects: a, b, c and 149 more`. */
function environmentsCell(group: RunGroup): string {
  const names = group.runs.map(envName);
  if (names.length <= NAMED_IN_ROW) return names.map(code).join(', ');
  const projects = new Set(group.runs.map((r) => r.project)).size;
  return `${names.length}${projects > 1 ? ` in ${projects} projects` : ''}: ${firstAndMore(names.map(code), NAMED_IN_ROW)}`;
}

const groupRow = (changes: ReadonlyMap<string, Change>) => (group: RunGroup): string => {
  const action = group.action === 'destroy' ? '**destroy**' : 'deploy';
  const why = group.cause.map((r) => reasonText(r, changes)).join('<br>');
  return `| ${environmentsCell(group)} | ${action} | ${why} | ${group.approvals.length || '—'} |\n`;
};

function runsTable(groups: readonly RunGroup[], changes: ReadonlyMap<string, Change>): { text: string; omitted: number } {
  if (groups.length === 0) return { text: '\nNo environment will run.\n', omitted: 0 };
  const shown = groups.slice(0, SUMMARY_ROWS).map(groupRow(changes)).join('');
  const omitted = groups.length - Math.min(groups.length, SUMMARY_ROWS);
  return { text: `\n${RUNS_HEADER}${shown}${omitted > 0 ? `\n…and ${plural(omitted, 'more group')} of runs, listed in the \`envsync/plan\` check run.\n` : ''}`, omitted };
}

/** What the plan is rendered with beyond the plan itself (the pull request's checks know these). */
export interface PlanContext {
  /** The rollout's waves (`rollout.waves`), when the runs go in more than one. */
  waves?: readonly Wave[];
  /** The change deletes in bulk: the deletion gate, approved by name only. */
  deletionGate?: string;
}

/** The commands a reviewer types, each gate once, outside the table so that a gate's name never wraps. */
function gatesToApprove(plan: Plan, context: PlanContext): string {
  const waiting = (gate: string) => plan.runs.filter((r) => r.approvals.includes(gate)).length;
  const items = [
    ...distinctGates(plan.runs).map((g) => `\`/approve ${g}\` (${plural(waiting(g), 'run')} wait${waiting(g) === 1 ? 's' : ''} for it)`),
    ...(context.waves ?? []).filter((w) => w.gate).map((w) => `\`/approve ${waveGate(w.name)}\` (wave \`${w.name}\`, best given on the merged pull request once the wave before it succeeded)`),
    ...(context.deletionGate ? [`\`/approve ${context.deletionGate}\` (by name only: the change deletes in bulk)`] : []),
  ];
  return items.length === 0 ? '' : `\nTo approve: ${items.join(', ')}\n`;
}

/** The waves of a rollout, in order: what each takes, its gate, and that a failure stops those after it. */
function rolloutList(waves: readonly Wave[] | undefined): string {
  if (!waves || waves.length < 2) return '';
  const item = (wave: Wave, i: number) => {
    const projects = [...new Set(wave.runs.map((r) => r.project))];
    const named = wave.runs.length <= NAMED_IN_ROW ? wave.runs.map((r) => code(envName(r))).join(', ') : `${wave.runs.length} environments in ${projects.length > NAMED_IN_ROW ? `${projects.length} projects` : projects.map(code).join(', ')}`;
    return `${i + 1}. \`${wave.name}\`: ${named}${wave.gate ? `, after \`/approve ${waveGate(wave.name)}\`` : ''}`;
  };
  return `\n**Rollout in ${waves.length} waves**, each once the one before it succeeded (a failure stops the rest):\n\n${waves.map(item).join('\n')}\n`;
}

const FINDINGS_SHOWN = 30;

function findingsList(plan: Plan): string {
  if (plan.findings.length === 0) return '';
  const more = plan.findings.length - FINDINGS_SHOWN;
  const items = plan.findings.slice(0, FINDINGS_SHOWN).map((f) => `- ${f.severity === 'error' ? '❌' : '⚠️'} ${code(`${f.file}:${f.line}:${f.column}`)} ${f.code}: ${escapeHtml(f.message)}`);
  if (more > 0) items.push(`- …and ${plural(more, 'more finding')}: run \`envsync plan\` to see them all`);
  return `\n#### Findings\n\n${items.join('\n')}\n`;
}

/** A value on its own lines, whole up to VALUE_LIMIT characters, then cut saying so. */
function valueLines(value: unknown, sign: '-' | '+'): string[] {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value, null, 2) ?? 'null');
  const shown = text.length <= VALUE_LIMIT ? text : `${text.slice(0, VALUE_LIMIT)}\n… (${text.length - VALUE_LIMIT} more characters: envsync plan --format json has the whole value)`;
  return shown.split('\n').map((line) => `${sign} ${line}`);
}

/** A fenced block that holds `body` whatever it holds: a fence longer than any run of backticks in it. */
function changeBlock(change: Change): string {
  const bump = change.versionBump
    ? ` (new version beside ${change.versionBump.from.map(escapeHtml).join(', ')}; compared with ${escapeHtml(change.versionBump.comparedWith)})`
    : '';
  const summary = `${code(change.action)} ${specName(change)}${bump}: ${plural(change.fields.length, 'field')}`;
  const lines = change.fields.flatMap((f) => [
    `@@ ${f.path} @@`,
    ...(f.sensitive ? ['  (sensitive: a secret value changed; it is never shown)'] : [...('before' in f ? valueLines(f.before, '-') : []), ...('after' in f ? valueLines(f.after, '+') : [])]),
  ]);
  return `\n<details><summary>${summary}</summary>\n\n${code(change.file)}\n\n${fenced('diff', lines.join('\n'))}\n\n</details>\n`;
}

/** The environments of a group, all of them, when its row names only some. */
function environmentsBlock(group: RunGroup, changes: ReadonlyMap<string, Change>): string {
  const why = group.cause.map((r) => reasonText(r, changes)).join('; ');
  return `\n<details><summary>${plural(group.runs.length, 'environment')} ${group.action === 'destroy' ? 'destroyed' : 'deployed'}: ${why}</summary>\n\n${group.runs.map((r) => code(envName(r))).join(', ')}\n\n</details>\n`;
}

/** One graph per distinct graph (and changed activities), however many groups run it. */
function graphBlocks(groups: readonly RunGroup[]): string[] {
  const drawn = new Map<string, { groups: RunGroup[] }>();
  for (const group of groups) {
    const key = JSON.stringify([group.action, group.activities, group.changed]);
    drawn.set(key, { groups: [...(drawn.get(key)?.groups ?? []), group] });
  }
  return [...drawn.values()].map(({ groups: same }) => {
    const { activities, changed, action } = same[0]!;
    const runs = same.flatMap((g) => g.runs);
    const names = runs.map((r) => code(envName(r)));
    const who = runs.length <= NAMED_IN_ROW ? names.join(', ') : `${runs.length} environments (${firstAndMore(names, NAMED_IN_ROW)})`;
    const marked = changed.length > 0 ? `; changed: ${changed.map(code).join(', ')}` : '';
    const title = `${who} ${action}: ${plural(activities.length, 'activity', 'activities')}${marked}`;
    const body =
      activities.length <= MERMAID_MAX_ACTIVITIES
        ? fenced('mermaid', renderMermaid(activities, new Map(changed.map((id) => [id, 'changed']))))
        : `${activities.length} activities are too many to draw; in order:\n\n${activities.map((a) => `- ${code(a.id)} ${a.type}${a.dependsOn.length ? ` after ${a.dependsOn.map(code).join(', ')}` : ''}`).join('\n')}`;
    return `\n<details><summary>${title}</summary>\n\n${body}\n\n</details>\n`;
  });
}

export interface RenderedPlan {
  /** The sticky pull-request comment. */
  comment: string;
  /** The `envsync/plan` check run's summary and text. */
  checkSummary: string;
  checkText: string;
}

interface Parts {
  groups: RunGroup[];
  changes: ReadonlyMap<string, Change>;
  table: { text: string; omitted: number };
  summary: string;
  /** Detail blocks in order, each group's heading on its first block. */
  sections: string[];
}

function partsOf(plan: Plan, context: PlanContext): Parts {
  const groups = groupRuns(plan);
  const changes = new Map(plan.changes.map((c) => [specKey(c), c]));
  const table = runsTable(groups, changes);
  const summary = headline(plan, groups.length, context) + table.text + rolloutList(context.waves) + gatesToApprove(plan, context) + findingsList(plan);
  // A heading travels with the first block of its group, so that omitted counts are detail blocks only.
  const withHeading = (heading: string, blocks: string[]) => blocks.map((b, i) => (i === 0 ? `\n#### ${heading}\n${b}` : b));
  const sections = [
    ...withHeading('Changes', plan.changes.map(changeBlock)),
    ...withHeading('Environments', groups.filter((g) => g.runs.length > NAMED_IN_ROW).map((g) => environmentsBlock(g, changes))),
    ...withHeading('Activity graphs', graphBlocks(groups)),
  ];
  return { groups, changes, table, summary, sections };
}

export function renderPlan(plan: Plan, limits = { comment: COMMENT_LIMIT, check: CHECK_TEXT_LIMIT }, context: PlanContext = {}): RenderedPlan {
  const { groups, changes, table, summary, sections } = partsOf(plan, context);
  const everything = `\`envsync plan --base ${plan.base} --head ${plan.head}\``;
  // When the summary could not list every group, the check run does, first: row by row, so that as
  // many rows fit as there is room for (the heading and the table's header travel with the first).
  const rows = groups.map(groupRow(changes));
  const allRuns = table.omitted > 0 ? rows.map((row, i) => (i === 0 ? `\n#### All environment runs\n\n${RUNS_HEADER}${row}` : row)) : [];
  const check = fitBlocks(
    '',
    [...allRuns, ...sections],
    limits.check,
    (n) => {
      // The blocks left out are the last n: the sections first, then the rows before them.
      const missingSections = Math.min(n, sections.length);
      const missingRows = n - missingSections;
      const what = [missingRows > 0 ? `${plural(missingRows, 'more row')} of runs` : '', missingSections > 0 ? `${plural(missingSections, 'more section')} of detail` : ''].filter(Boolean).join(' and ');
      return `> [!NOTE]\n> ${what} did not fit in a check run (GitHub allows ${limits.check} characters): ${everything} prints the whole plan.`;
    },
  );
  // The sections the check run holds: those after its rows, up to what fitted.
  const inCheck = Math.max(0, sections.length - check.omitted);
  const comment = fitBlocks(summary, sections, limits.comment, (n) => {
    // The blocks the comment leaves out are its last n; the check run holds the sections up to inCheck.
    const held = Math.max(0, Math.min(n, inCheck - (sections.length - n)));
    const where =
      held === n ? 'the `envsync/plan` check run has them' : held > 0 ? `the \`envsync/plan\` check run has ${held} of them, ${everything} prints them all` : `${everything} prints them`;
    return `> [!NOTE]\n> ${plural(n, 'section')} of detail did not fit in this comment: ${where}.`;
  });
  const checkSummary = summary.length <= limits.check ? summary : headline(plan, groups.length, context);
  return { comment: comment.text, checkSummary, checkText: check.text };
}

/** The plan as the CLI prints it: the summary and every detail, with no size limit. */
export function renderPlanMarkdown(plan: Plan, context: PlanContext = {}): string {
  const { groups, changes, table, summary, sections } = partsOf(plan, context);
  if (table.omitted === 0) return summary + sections.join('');
  // Every group, not the summary's first ones.
  const allRows = `\n${RUNS_HEADER}${groups.map(groupRow(changes)).join('')}`;
  return summary.replace(table.text, allRows) + sections.join('');
}
