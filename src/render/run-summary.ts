// A finished environment run in Markdown: the runner's job summary, and the app's comment on the
// merged pull request. What matters first: each failed activity with its reason and the last lines of
// its log (masked by the runner); what did not finish; then, folded, what succeeded or was skipped.
// Only statuses, times, reasons and those lines: outputs stay in the store.
import { ACTIVITY_TYPES, type Activity } from '../engine/plan/types.js';
import { LOG_TAIL_CHARS, LOG_TAIL_LINES, type RunResults } from '../runner/contract.js';
import { clip, codeSpan, fenced, fitBlocks, plural } from './fit.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from './mermaid.js';

type ActivityResult = RunResults['activities'][number];

/** Text safe inline, on one line: the results come from a runner, so they may hold anything (HTML too). */
const inline = (text: string) => String(text).replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');

/** Text safe in one table cell. */
const cell = (text: string) => inline(text).replace(/\|/g, '\\|');

const ICON: Record<string, string> = { success: '✅', failure: '❌', skipped: '⏭️', cancelled: '⏹️' };

/** How a run started, as a deployment, a summary and the API say it. */
export function describeTrigger(run: { trigger: 'webhook' | 'internal' | 'manual'; actor: string | null }): string {
  const by = run.actor ? ` by ${run.actor}` : '';
  if (run.trigger === 'manual') return `started manually${by}`;
  if (run.trigger === 'internal') return `started by a system change${run.actor ? `, committed${by}` : ''}`;
  return `started by a Git change${run.actor ? `, pushed${by}` : ''}`;
}

/** A phrase as the start of a sentence. */
export const capitalized = (phrase: string) => `${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}`;

/** GitHub's limit of one step's job summary (1 MiB). */
export const STEP_SUMMARY_LIMIT = 1024 * 1024;

export interface SummaryOptions {
  /** The most characters the summary may take (a comment's limit, less what follows it); a few thousand at least. */
  limit?: number;
  /** How the run started (describeTrigger). */
  trigger?: string;
  /** Where what does not fit can be read. */
  more?: string;
}

/** A part of the summary: its opening, as many of its blocks as fit, a note of the rest, its closing. */
interface Section {
  open: string;
  blocks: string[];
  close: string;
  note: (omitted: number) => string;
}

/**
 * The run's outcome, then each failed activity with its reason and log tail, the activities that did
 * not finish, and the rest folded; within `limit`, whatever the number of activities: the results
 * come from a runner and may hold any number of activities and reasons of any length, and GitHub
 * refuses a comment over its limit (which once kept dependent runs waiting). Failures take the room
 * first; each later part keeps room for its opening and the note of what it could not show.
 */
export function jobSummary(results: RunResults, options: SummaryOptions = {}): string {
  const limit = options.limit ?? STEP_SUMMARY_LIMIT;
  const { activities } = results;
  const failed = activities.filter((a) => a.status === 'failure');
  const folded = activities.filter((a) => a.status === 'success' || a.status === 'skipped');
  const unfinished = activities.filter((a) => a.status !== 'failure' && a.status !== 'success' && a.status !== 'skipped');
  // From the first start to the last finish (a loop: there may be more activities than arguments a call takes).
  const total = durationOf(
    activities.reduce((first, a) => Math.min(first, finite(a.startedAt) ?? Infinity), Infinity),
    activities.reduce((last, a) => Math.max(last, finite(a.finishedAt) ?? -Infinity), -Infinity),
  );
  const head = [
    `### envsync ${results.action} of \`${clip(`${results.project}/${results.environment}`, 200)}\`: ${results.status}`,
    '',
    // The results come from a runner: nothing of theirs in the head may grow without bound.
    `${options.trigger ? `${capitalized(clip(options.trigger, 300))} · r` : 'R'}evision \`${clip(results.revision, 64)}\``,
    '',
    activities.length === 0 ? 'No activities.' : `${plural(activities.length, 'activity', 'activities')}${total === undefined ? '' : ` in ${seconds(total)}`}: ${counts(activities)}.`,
    '',
  ].join('\n');
  const more = (n: number, what: [string, string]) => `${plural(n, `more ${what[0]}`, `more ${what[1]}`)} not shown${options.more ? `: ${options.more}` : ''}.`;
  const rowsNote = (n: number) => more(n, ['activity', 'activities']);
  const tableHead = '| status | activity | type | time | reason |\n| --- | --- | --- | --- | --- |\n';
  const parts: Section[] = [
    { open: '', blocks: failed.map(failure), close: '', note: (n) => more(n, ['failed activity', 'failed activities']) },
    { open: `\n${tableHead}`, blocks: unfinished.map(row), close: '', note: rowsNote },
    { open: `\n<details><summary>${counts(folded)}</summary>\n\n${tableHead}`, blocks: folded.map(row), close: '\n</details>\n', note: rowsNote },
  ];
  const sections = parts.filter((section) => section.blocks.length > 0);
  let text = head;
  let omitted = 0;
  sections.forEach((section, i) => {
    const reserve = sections.slice(i + 1).reduce((sum, later) => sum + later.open.length + later.close.length + later.note(later.blocks.length).length + 2, 0);
    const fitted = fitBlocks(text + section.open, section.blocks, limit - reserve - section.close.length, section.note);
    text = fitted.text + section.close;
    omitted += fitted.omitted;
  });
  const graph = graphOf(results);
  const block = graph && omitted === 0 ? `\n\`\`\`mermaid\n${graph}\n\`\`\`\n` : '';
  return text.length + block.length <= limit ? text + block : text;
}

/** A failed activity: what it is, how long it took, why it failed and the last lines of its log. */
function failure(a: ActivityResult): string {
  const took = durationOf(finite(a.startedAt), finite(a.finishedAt));
  const attempts = finite(a.attempts) ?? 0;
  const facts = [cell(clip(str(a.type), 40)), took !== undefined && took >= 1000 ? seconds(took) : '', attempts > 1 ? plural(attempts, 'attempt') : ''].filter(Boolean);
  const tail = tailOf(a);
  return [
    '',
    `#### ${ICON.failure} ${codeSpan(clip(a.id, 200))}${facts.map((f) => ` · ${f}`).join('')}`,
    '',
    ...(str(a.reason) ? [`Reason: ${inline(clip(str(a.reason), 1000))}`, ''] : []),
    ...(tail.length > 0 ? [`The last ${plural(tail.length, 'line')} of its log:`, '', fenced('', tail.join('\n')), ''] : []),
  ].join('\n');
}

/**
 * The log tail of a failed activity as results carry it, within the limits a runner keeps to: the
 * results come from a runner, so a longer one is cut here (from its start) rather than trusted.
 */
function tailOf(a: ActivityResult): string[] {
  if (!Array.isArray(a.logTail)) return [];
  const lines: string[] = [];
  let chars = 0;
  for (const raw of a.logTail.slice(-LOG_TAIL_LINES).reverse()) {
    const line = clip(String(raw).replace(/[\r\n]+/g, ' '), 500);
    if (chars + line.length + 1 > LOG_TAIL_CHARS) break;
    lines.unshift(line);
    chars += line.length + 1;
  }
  return lines;
}

/** An activity as a table row; its time only when there is one worth reading (a second or more). */
function row(a: ActivityResult): string {
  const took = durationOf(finite(a.startedAt), finite(a.finishedAt));
  const time = took !== undefined && took >= 1000 ? seconds(took) : '';
  return `| ${ICON[a.status] ?? ''} ${cell(clip(a.status, 40))} | \`${cell(clip(a.id, 200)).replace(/`/g, '')}\` | ${cell(clip(str(a.type), 40))} | ${time} | ${cell(clip(str(a.reason), 1000))} |\n`;
}

/** How many activities ended each way: `1 failed, 2 succeeded, 17 skipped`. */
function counts(list: readonly ActivityResult[]): string {
  const ways: [string, string][] = [['failure', 'failed'], ['cancelled', 'cancelled'], ['success', 'succeeded'], ['skipped', 'skipped']];
  const parts = ways.map(([status, word]) => [list.filter((a) => a.status === status).length, word] as const).filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
  const other = list.filter((a) => !ways.some(([status]) => status === a.status)).length;
  return [...parts, ...(other > 0 ? [`${other} ended otherwise`] : [])].join(', ');
}

/** A field a runner wrote as text, or nothing: the results are not trusted to hold what their type says. */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const finite = (n: unknown): number | undefined => (typeof n === 'number' && Number.isFinite(n) ? n : undefined);

/** Milliseconds from `start` to `end`, when both are known and in order. */
const durationOf = (start: number | undefined, end: number | undefined): number | undefined =>
  start !== undefined && end !== undefined && Number.isFinite(start) && Number.isFinite(end) && end >= start ? end - start : undefined;

/** `0.4 s`, `14.2 s`, `3 min 12 s`, `1 h 5 min`. */
function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 59.95) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${whole % 60} s`;
  return `${Math.floor(whole / 3600)} h ${Math.floor((whole % 3600) / 60)} min`;
}

/** Activity ids a runner may report that are safe inside a Mermaid block (no quotes, fences or newlines). */
const SAFE_ID = /^[\w./@-]+$/;

/**
 * The run's graph, coloured by status; none when it would be too large to read, or when the results
 * (written by a runner, so not trusted) lack the graph or name activities in unexpected ways.
 */
function graphOf(results: RunResults): string | undefined {
  const { activities } = results;
  if (activities.length === 0 || activities.length > MERMAID_MAX_ACTIVITIES) return undefined;
  const known = new Set(activities.map((a) => a.id));
  const fine = activities.every(
    (a) => SAFE_ID.test(a.id) && (ACTIVITY_TYPES as readonly string[]).includes(a.type) && Array.isArray(a.dependsOn) && a.dependsOn.every((d) => typeof d === 'string' && known.has(d)),
  );
  if (!fine) return undefined;
  const when = (w: unknown): Pick<Activity, 'when'> => (w === 'success' || w === 'failure' || w === 'always' ? { when: w } : {});
  return renderMermaid(
    activities.map((a) => ({ id: a.id, type: a.type, dependsOn: a.dependsOn, ...when(a.when) })),
    new Map(activities.map((a) => [a.id, a.status])),
  );
}
