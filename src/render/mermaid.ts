// An activity graph as a Mermaid flowchart, which GitHub renders in comments and check runs.
import type { Activity } from '../engine/plan/types.js';

/** Larger graphs are unreadable as a picture and exceed what GitHub's renderer accepts. */
export const MERMAID_MAX_ACTIVITIES = 150;

const shape = (a: Activity, label: string): string => {
  const text = `"${label.replace(/"/g, '#quot;')}"`;
  switch (a.type) {
    case 'approval':
      return `{{${text}}}`;
    case 'stage':
      return `[${text}]`;
    default:
      return `(${text})`;
  }
};

const CONDITION: Record<string, string> = { success: 'on success', failure: 'on failure', always: 'always' };

export function renderMermaid(activities: readonly Activity[]): string {
  const ids = new Map(activities.map((a, i) => [a.id, `a${i}`]));
  const lines = ['flowchart TD'];
  for (const a of activities) {
    const label = a.type === 'stage' ? a.id : `${a.id} (${a.type})`;
    lines.push(`  ${ids.get(a.id)}${shape(a, label)}`);
  }
  for (const a of activities) {
    for (const dep of a.dependsOn) {
      const from = ids.get(dep);
      if (!from) continue;
      lines.push(a.when ? `  ${from} -.->|${CONDITION[a.when]}| ${ids.get(a.id)}` : `  ${from} --> ${ids.get(a.id)}`);
    }
  }
  return lines.join('\n');
}
