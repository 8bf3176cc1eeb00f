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

/** Colours of a finished run's activities, as GitHub's own status colours. */
const STATUS_CLASSES: Record<string, string> = {
  success: 'fill:#dafbe1,stroke:#1a7f37',
  failure: 'fill:#ffebe9,stroke:#cf222e',
  skipped: 'fill:#f6f8fa,stroke:#8c959f,stroke-dasharray:3',
  cancelled: 'fill:#fff8c5,stroke:#9a6700',
};

/** The graph; with statuses (a finished run), each activity coloured by how it ended. */
export function renderMermaid(activities: readonly Activity[], statuses?: ReadonlyMap<string, string>): string {
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
  if (statuses) {
    // One `class` line per status, listing its activities: the graph stays small.
    const byStatus = new Map<string, string[]>();
    for (const a of activities) {
      const status = statuses.get(a.id);
      if (status && STATUS_CLASSES[status]) byStatus.set(status, [...(byStatus.get(status) ?? []), ids.get(a.id)!]);
    }
    for (const [status, members] of byStatus) lines.push(`  class ${members.join(',')} ${status}`);
    for (const status of byStatus.keys()) lines.push(`  classDef ${status} ${STATUS_CLASSES[status]}`);
  }
  return lines.join('\n');
}
