// An activity graph as a Mermaid flowchart, which GitHub renders in comments and check runs: left to
// right, each resource's activities in a box of their own, and only the edges a reader needs.
import type { Activity } from '../engine/plan/types.js';

/** Larger graphs are unreadable as a picture and exceed what GitHub's renderer accepts. */
export const MERMAID_MAX_ACTIVITIES = 150;

/** Characters a quoted Mermaid label shows as they are; every other one is written as an entity code. */
const PLAIN = /[A-Za-z0-9 ./_@()[\]{}|,;!?'*+=~^-]/;
const NAMED: Record<string, string> = { '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

/**
 * Text for inside a quoted label, shown as written. Mermaid reads `#…;` as an entity code and renders
 * a label as HTML, so `#`, quotes and markup are written as codes; so is anything else its label
 * handling interprets: `:` (fa:fa-… icons, and the style lines Mermaid rewrites before parsing), `$`
 * (`$$…$$` is KaTeX), `%` (`%%{…}%%` directives and comments), `\` (`\n` is a line break), backticks
 * (Markdown strings, and the fence around the block), newlines and other control characters (the
 * fence again), and non-ASCII text (Mermaid's own placeholders for entity codes are non-ASCII).
 */
function mermaidText(text: string): string {
  let out = '';
  for (const char of text) out += PLAIN.test(char) ? char : (NAMED[char] ?? `#${char.codePointAt(0)};`);
  return out;
}

const shape = (a: Activity, label: string): string => {
  const text = `"${mermaidText(label)}"`;
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
  // Not a status: in a plan, the activities the change touches.
  changed: 'fill:#ddf4ff,stroke:#0969da,stroke-width:3px',
};

/** `resource/<name>/<rest>`: the resource an activity belongs to, and its id within the resource. */
const RESOURCE = /^resource\/([^/]+)\/(.+)$/s;

interface Edge {
  from: string;
  to: Activity;
}

/**
 * The edges to draw: each dependency on a known activity once, less those implied by the others (an
 * edge A→C when C is reachable from A by other edges). An edge with a condition is always drawn: its
 * label says something the path does not. A graph with a cycle (results from a runner are not
 * trusted) is drawn with all its edges.
 */
function edgesToDraw(activities: readonly Activity[]): Edge[] {
  const known = new Set(activities.map((a) => a.id));
  const edges = activities.flatMap((to) => [...new Set(to.dependsOn)].filter((from) => known.has(from)).map((from) => ({ from, to })));
  const next = new Map<string, string[]>(activities.map((a) => [a.id, []]));
  for (const e of edges) next.get(e.from)!.push(e.to.id);
  // Kahn's algorithm: a topological order, or none when there is a cycle.
  const waiting = new Map(activities.map((a) => [a.id, 0]));
  for (const e of edges) waiting.set(e.to.id, waiting.get(e.to.id)! + 1);
  const order = [...waiting].filter(([, n]) => n === 0).map(([id]) => id);
  for (let i = 0; i < order.length; i++) {
    for (const to of next.get(order[i]!)!) {
      waiting.set(to, waiting.get(to)! - 1);
      if (waiting.get(to) === 0) order.push(to);
    }
  }
  if (order.length < known.size) return edges;
  // What each activity leads to, later activities first.
  const reach = new Map<string, Set<string>>();
  for (const id of order.reverse()) reach.set(id, new Set(next.get(id)!.flatMap((to) => [to, ...reach.get(to)!])));
  return edges.filter((e) => e.to.when || !next.get(e.from)!.some((via) => via !== e.to.id && reach.get(via)!.has(e.to.id)));
}

/** The graph; with statuses (a finished run), each activity coloured by how it ended. */
export function renderMermaid(activities: readonly Activity[], statuses?: ReadonlyMap<string, string>): string {
  const ids = new Map(activities.map((a, i) => [a.id, `a${i}`]));
  // Inside its resource's subgraph, an activity is named without the resource.
  const node = (a: Activity, name: string) => `${ids.get(a.id)}${shape(a, a.type === 'stage' ? name : `${name} (${a.type})`)}`;
  const resources = new Map<string, { activity: Activity; name: string }[]>();
  for (const activity of activities) {
    const [, resource, name] = RESOURCE.exec(activity.id) ?? [];
    if (resource !== undefined && name !== undefined) resources.set(resource, [...(resources.get(resource) ?? []), { activity, name }]);
  }
  const lines = ['flowchart LR'];
  // Each resource's subgraph where its first activity is.
  const drawn = new Set<string>();
  for (const a of activities) {
    const resource = RESOURCE.exec(a.id)?.[1];
    if (resource === undefined) {
      lines.push(`  ${node(a, a.id)}`);
    } else if (!drawn.has(resource)) {
      lines.push(`  subgraph r${drawn.size} ["${mermaidText(resource)}"]`);
      for (const m of resources.get(resource)!) lines.push(`    ${node(m.activity, m.name)}`);
      lines.push('  end');
      drawn.add(resource);
    }
  }
  for (const { from, to } of edgesToDraw(activities)) {
    lines.push(to.when ? `  ${ids.get(from)} -.->|${CONDITION[to.when]}| ${ids.get(to.id)}` : `  ${ids.get(from)} --> ${ids.get(to.id)}`);
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
