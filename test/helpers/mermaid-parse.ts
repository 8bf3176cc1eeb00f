// Mermaid's own parser for the graphs the tests draw: the real library, in Node, on a jsdom DOM.
// Mermaid sanitizes labels with DOMPurify, which works only with a window when it is first loaded:
// the globals are in place before Mermaid (and with it DOMPurify) is imported, once per test file.
import { createRequire } from 'node:module';
import type { Mermaid } from 'mermaid';

interface DomWindow {
  document: { createElement(tag: string): { innerHTML: string; textContent: string | null } };
}

let loaded: Promise<Mermaid> | undefined;

function mermaid(): Promise<Mermaid> {
  loaded ??= (async () => {
    // jsdom is CommonJS and ships no types; only its window is used.
    const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: DomWindow } };
    const { window } = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window, document: window.document });
    const { default: DOMPurify } = await import('dompurify');
    if (!DOMPurify.isSupported) throw new Error('DOMPurify was loaded before the DOM: Mermaid would not sanitize labels as a browser does');
    const { default: m } = await import('mermaid');
    m.initialize({ startOnLoad: false });
    return m;
  })();
  return loaded;
}

/**
 * Parses a diagram as Mermaid does before rendering it; throws Mermaid's message on a syntax error,
 * and throws when the text sets Mermaid's configuration (a `%%{init: …}%%` directive or front matter
 * got in), which no graph of ours does.
 */
export async function parseMermaid(text: string): Promise<void> {
  const { config } = await (await mermaid()).parse(text);
  if (Object.keys(config).length > 0) throw new Error(`the diagram sets Mermaid's configuration: ${JSON.stringify(config)}`);
}

interface FlowVertex {
  text?: string;
  labelType?: string;
}
interface FlowSubgraph {
  title: string;
  labelType?: string;
}
interface FlowDb {
  getVertices(): Map<string, FlowVertex>;
  getSubGraphs(): FlowSubgraph[];
}

/**
 * The text a browser shows for each node and subgraph of a flowchart, by node id and subgraph title
 * in order: the labels as Mermaid 11 parses them, then as its HTML labels render them (its entity
 * placeholders decoded, `\n` and newlines made line breaks, the result read as HTML), as its createText
 * does. A label that is not shown as text comes back marked: `Markdown: …` (a Markdown string is
 * formatted), `KaTeX: …` (`$$…$$` is drawn as math), `Icon: …` (`fa:fa-…` is drawn as an icon).
 */
export async function shownLabels(text: string): Promise<{ nodes: Map<string, string>; subgraphs: string[] }> {
  const m = await mermaid();
  const diagram = await m.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as unknown as FlowDb;
  const element = (globalThis as unknown as { document: DomWindow['document'] }).document.createElement('span');
  const shown = (label: string, labelType?: string) => {
    if (labelType === 'markdown') return `Markdown: ${label}`;
    if (/\$\$(.*?)\$\$/.test(label)) return `KaTeX: ${label}`;
    const decoded = label.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
    if (/(fa[bklrs]?):fa-([\w-]+)/.test(decoded)) return `Icon: ${label}`;
    element.innerHTML = decoded.replace(/\\n|\n/g, '<br />');
    return element.textContent ?? '';
  };
  return {
    nodes: new Map([...db.getVertices()].map(([id, v]) => [id, shown(v.text ?? '', v.labelType)])),
    subgraphs: db.getSubGraphs().map((s) => shown(s.title, s.labelType)),
  };
}
