// A run's activity graph as an inline SVG, each activity coloured by its status. Laid out top to
// bottom in rows by dependency depth (a run is mostly a chain, which reads down a page and would not
// fit across it): Mermaid would lay it out better but weighs megabytes in a browser.
import { html, type Html } from '../html.js';

export interface GraphNode {
  id: string;
  type: string;
  status: string;
  dependsOn: readonly string[];
}

const COLUMN = 300;
const ROW = 44;
const BOX = { width: 280, height: 30 };
/** Past this many activities the picture is unreadable: the table below it says it all. */
export const GRAPH_MAX_NODES = 150;

/** Each node's row: the longest chain of dependencies before it (a cycle, which validation refuses, is cut). */
function rowsOf(nodes: readonly GraphNode[]): Map<string, number> {
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

const label = (id: string) => (id.length > 36 ? `…${id.slice(-35)}` : id);

export function activityGraph(nodes: readonly GraphNode[]): Html {
  if (nodes.length === 0 || nodes.length > GRAPH_MAX_NODES) return html``;
  const depth = rowsOf(nodes);
  const across = new Map<number, number>();
  const place = new Map<string, { x: number; y: number }>();
  for (const n of nodes) {
    const row = depth.get(n.id)!;
    const column = across.get(row) ?? 0;
    across.set(row, column + 1);
    place.set(n.id, { x: 10 + column * COLUMN, y: 10 + row * ROW });
  }
  const width = 20 + Math.max(...across.values()) * COLUMN - (COLUMN - BOX.width);
  const height = 20 + (Math.max(...depth.values()) + 1) * ROW - (ROW - BOX.height);
  const edges = nodes.flatMap((n) =>
    n.dependsOn.flatMap((d) => {
      const [from, to] = [place.get(d), place.get(n.id)];
      return from && to ? [html`<line x1="${from.x + BOX.width / 2}" y1="${from.y + BOX.height}" x2="${to.x + BOX.width / 2}" y2="${to.y}" />`] : [];
    }),
  );
  return html`<svg class="graph" role="img" aria-labelledby="graph-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<title id="graph-title">Activity graph: ${nodes.length} activities, coloured by status</title>
<g class="edges">${edges}</g>
${nodes.map((n) => {
    const { x, y } = place.get(n.id)!;
    return html`<g class="node status-${n.status.replace(/[^a-z_]/g, '')} type-${n.type}" data-activity="${n.id}"><title>${n.id}: ${n.status}</title><rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="${n.type === 'approval' ? 16 : 4}" /><text x="${x + 8}" y="${y + 19}">${label(n.id)}</text></g>`;
  })}
</svg>`;
}
