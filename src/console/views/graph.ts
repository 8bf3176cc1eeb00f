// A run's activity graph as an inline SVG, each activity coloured by its status. Laid out in
// columns by dependency depth: Mermaid would lay it out better but weighs megabytes in a browser,
// and a graph of a few dozen activities reads well in columns.
import { html, type Html } from '../html.js';

export interface GraphNode {
  id: string;
  type: string;
  status: string;
  dependsOn: readonly string[];
}

const COLUMN = 230;
const ROW = 46;
const BOX = { width: 200, height: 32 };
/** Past this many activities the picture is unreadable: the table below it says it all. */
export const GRAPH_MAX_NODES = 150;

/** Each node's column: the longest chain of dependencies before it (a cycle, which validation refuses, is cut). */
function depths(nodes: readonly GraphNode[]): Map<string, number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const of = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const parents = (byId.get(id)?.dependsOn ?? []).filter((d) => byId.has(d));
    const d = parents.length === 0 ? 0 : Math.max(...parents.map(of)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  for (const n of nodes) of(n.id);
  return depth;
}

const label = (id: string) => (id.length > 28 ? `…${id.slice(-27)}` : id);

export function activityGraph(nodes: readonly GraphNode[]): Html {
  if (nodes.length === 0 || nodes.length > GRAPH_MAX_NODES) return html``;
  const depth = depths(nodes);
  const rows = new Map<number, number>();
  const place = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const column = depth.get(n.id)!;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    place.set(n.id, { x: 10 + column * COLUMN, y: 10 + row * ROW });
  }
  const width = 20 + (Math.max(...depth.values()) + 1) * COLUMN;
  const height = 20 + Math.max(...rows.values()) * ROW;
  const edges = nodes.flatMap((n) =>
    n.dependsOn.flatMap((d) => {
      const [from, to] = [place.get(d), place.get(n.id)];
      return from && to ? [html`<line x1="${from.x + BOX.width}" y1="${from.y + BOX.height / 2}" x2="${to.x}" y2="${to.y + BOX.height / 2}" />`] : [];
    }),
  );
  return html`<svg class="graph" role="img" aria-labelledby="graph-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title id="graph-title">Activity graph: ${nodes.length} activities, coloured by status</title>
<g class="edges">${edges}</g>
${nodes.map((n) => {
    const { x, y } = place.get(n.id)!;
    return html`<g class="node status-${n.status.replace(/[^a-z_]/g, '')} type-${n.type}" data-activity="${n.id}"><title>${n.id}: ${n.status}</title><rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="${n.type === 'approval' ? 16 : 4}" /><text x="${x + 8}" y="${y + 20}">${label(n.id)}</text></g>`;
  })}
</svg>`;
}
