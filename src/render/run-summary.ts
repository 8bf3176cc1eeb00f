// A finished environment run in Markdown: the runner's job summary, and the app's comment on the
// merged pull request. Only statuses, times and reasons: outputs stay in the store.
import type { RunResults } from '../runner/run.js';

/** Text safe in one table cell: the results come from a runner, so they may hold anything. */
const cell = (text: string) => String(text).replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');

const ICON: Record<string, string> = { success: '✅', failure: '❌', skipped: '⏭️', cancelled: '⏹️' };

/** Each activity with its status, time and reason, under a heading with the run's outcome. */
export function jobSummary(results: RunResults): string {
  const rows = results.activities.map((a) => {
    const seconds = a.startedAt && a.finishedAt ? `${((a.finishedAt - a.startedAt) / 1000).toFixed(1)} s` : '';
    return `| ${ICON[a.status] ?? ''} ${cell(a.status)} | \`${cell(a.id).replace(/`/g, '')}\` | ${cell(a.type ?? '')} | ${seconds} | ${cell(a.reason ?? '')} |`;
  });
  return [`### envsync ${results.action} of \`${results.project}/${results.environment}\`: ${results.status}`, '', `Revision \`${results.revision}\``, '', '| status | activity | type | time | reason |', '| --- | --- | --- | --- | --- |', ...rows, ''].join('\n');
}
