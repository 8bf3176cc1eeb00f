// A finished environment run in Markdown: the runner's job summary, and the app's comment on the
// merged pull request. Only statuses, times and reasons: outputs stay in the store.
import { ACTIVITY_TYPES, type Activity } from '../engine/plan/types.js';
import type { RunResults } from '../runner/run.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from './mermaid.js';

/** Text safe in one table cell: the results come from a runner, so they may hold anything. */
const cell = (text: string) => String(text).replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

const ICON: Record<string, string> = { success: '✅', failure: '❌', skipped: '⏭️', cancelled: '⏹️' };

/** Each activity with its status, time and reason, under a heading with the run's outcome. */
export function jobSummary(results: RunResults): string {
  const rows = results.activities.map((a) => {
    const seconds = a.startedAt && a.finishedAt ? `${((a.finishedAt - a.startedAt) / 1000).toFixed(1)} s` : '';
    return `| ${ICON[a.status] ?? ''} ${cell(a.status)} | \`${cell(a.id).replace(/`/g, '')}\` | ${cell(a.type ?? '')} | ${seconds} | ${cell(a.reason ?? '')} |`;
  });
  const graph = graphOf(results);
  return [
    `### envsync ${results.action} of \`${results.project}/${results.environment}\`: ${results.status}`,
    '',
    `Revision \`${results.revision}\``,
    '',
    '| status | activity | type | time | reason |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(graph ? ['```mermaid', graph, '```', ''] : []),
  ].join('\n');
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
