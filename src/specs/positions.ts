// Turns a path into a document back into a line and column. Uses the `yaml` package's document
// model, which keeps source ranges (js-yaml does not); it is about ten times slower than js-yaml,
// so it runs only for files that have findings.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { DocPath, Position } from './findings.js';
import { SPELLING_VARIANTS } from './spelling.js';
import { fastLocator } from './fast-locate.js';

export type Locator = (path: DocPath, at: 'key' | 'value') => Position;

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key));

/** A mapping's pairs by key: the first of each spelling, and the first variant of each canonical name. */
interface PairIndex {
  exact: Map<string, Pair>;
  variant: Map<string, Pair>;
}

function indexPairs(map: YAMLMap): PairIndex {
  const index: PairIndex = { exact: new Map(), variant: new Map() };
  for (const pair of map.items) {
    const key = keyText(pair.key);
    if (!index.exact.has(key)) index.exact.set(key, pair);
    const canonical = Object.hasOwn(SPELLING_VARIANTS, key) ? SPELLING_VARIANTS[key]! : undefined;
    if (canonical !== undefined && !index.variant.has(canonical)) index.variant.set(canonical, pair);
  }
  return index;
}

/** A locator over one file's text: plain key paths by indentation, the rest by one parse, on demand. */
export function createLocator(text: string): Locator {
  const fast = fastLocator(text);
  let parsed: Locator | undefined;
  return (path, at) => fast(path, at) ?? (parsed ??= parsingLocator(text))(path, at);
}

/** A locator that parses the text once (with the `yaml` package) and answers any number of paths. */
export function parsingLocator(text: string): Locator {
  const lineCounter = new LineCounter();
  let doc: Document | undefined;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, strict: false });
  } catch {
    doc = undefined;
  }
  const pos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const start: Position = { line: 1, column: 1 };
  // Each mapping is indexed once, on its first lookup: thousands of findings in one mapping would
  // otherwise search its pairs once each.
  const indexes = new WeakMap<YAMLMap, PairIndex>();
  const pairsOf = (map: YAMLMap): PairIndex => {
    let index = indexes.get(map);
    if (!index) indexes.set(map, (index = indexPairs(map)));
    return index;
  };

  return (path, at) => {
    if (!doc) return start;
    let node: Node | null = doc.contents as Node | null;
    let keyNode: Node | null = null;
    for (const segment of path) {
      if (node && isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
      let next: Node | null | undefined;
      let nextKey: Node | null = null;
      if (node && isMap(node)) {
        // The exact key first: a file may hold both spellings, and only the canonical one was kept.
        const pairs = pairsOf(node);
        const pair = pairs.exact.get(String(segment)) ?? pairs.variant.get(String(segment));
        if (pair) {
          next = pair.value as Node | null;
          nextKey = pair.key as Node | null;
        }
      } else if (node && isSeq(node) && typeof segment === 'number') {
        next = node.items[segment] as Node | null | undefined;
      }
      if (next === undefined && !nextKey) break; // the path ends in data that is not in the file
      node = next ?? null;
      keyNode = nextKey;
      if (!node) break;
    }
    const target = at === 'key' ? (keyNode ?? node) : (node ?? keyNode);
    const range = target?.range;
    return range ? pos(range[0]) : start;
  };
}

/** Where the second document of a multi-document file starts. */
export function secondDocumentPosition(text: string): Position {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const second = Array.isArray(docs) ? docs[1] : undefined;
  const offset = second?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  // A document's range starts at its content; the `---` marker before it is where users look.
  const marker = text.lastIndexOf('---', offset);
  const { line, col } = lineCounter.linePos(marker >= 0 ? marker : offset);
  return { line, column: col };
}

/** The first alias (`*name`) in a file, where an alias bomb is reported. */
export function firstAliasPosition(text: string): Position {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, strict: false });
  let found: number | undefined;
  const visit = (node: unknown): void => {
    if (found !== undefined || !node) return;
    if (isAlias(node)) {
      found = node.range?.[0];
    } else if (isMap(node)) {
      for (const pair of node.items) {
        visit(pair.key);
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  if (found === undefined) return { line: 1, column: 1 };
  const { line, col } = lineCounter.linePos(found);
  return { line, column: col };
}
