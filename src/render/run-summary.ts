// A finished environment run in Markdown: the runner's job summary, and the app's comment on the
// merged pull request. Only statuses, times and reasons: outputs stay in the store.
import { ACTIVITY_TYPES, type Activity } from '../engine/plan/types.js';
import type { RunResults } from '../runner/contract.js';
import { clip, fitBlocks, plural } from './fit.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from './mermaid.js';

/** Text safe in one table cell: the results come from a runner, so they may hold anything. */
const cell = (text: string) => String(text).replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

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
  /** The most characters the summary may take (a comment's limit, less what follows it). */
  limit?: number;
  /** How the run started (describeTrigger). */
  trigger?: string;
  /** Where the rows that do not fit can be read. */
  more?: string;
}

/**
 * Each activity with its status, time and reason, under a heading with the run's outcome, within
 * `limit`: the results come from a runner and may hold any number of activities and reasons of any
 * length, and GitHub refuses a comment over its limit (which once kept dependent runs waiting).
 */
export function jobSummary(results: RunResults, options: SummaryOptions = {}): string {
  const limit = options.limit ?? STEP_SUMMARY_LIMIT;
  const rows = results.activities.map((a) => {
    const seconds = a.startedAt && a.finishedAt ? `${((a.finishedAt - a.startedAt) / 1000).toFixed(1)} s` : '';
    return `| ${ICON[a.status] ?? ''} ${cell(a.status)} | \`${cell(clip(a.id, 200)).replace(/`/g, '')}\` | ${cell(clip(a.type ?? '', 40))} | ${seconds} | ${cell(clip(a.reason ?? '', 1000))} |\n`;
  });
  const head = [
    `### envsync ${results.action} of \`${clip(`${results.project}/${results.environment}`, 200)}\`: ${results.status}`,
    '',
    // The results come from a runner: nothing of theirs in the head may grow without bound.
    `${options.trigger ? `${capitalized(clip(options.trigger, 300))} · r` : 'R'}evision \`${clip(results.revision, 64)}\``,
    '',
    '| status | activity | type | time | reason |',
    '| --- | --- | --- | --- | --- |',
    '',
  ].join('\n');
  const fitted = fitBlocks(head, rows, limit, (n) => `${plural(n, 'more activity', 'more activities')} not shown${options.more ? `: ${options.more}` : ''}.`);
  const graph = graphOf(results);
  const block = graph && fitted.omitted === 0 ? `\n\`\`\`mermaid\n${graph}\n\`\`\`\n` : '';
  return fitted.text.length + block.length <= limit ? fitted.text + block : fitted.text;
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
