// Locating a path of mapping keys in block-style YAML by indentation alone, without parsing: the
// common case (`spec.version`) at a fraction of the cost of a document parse. It answers only when
// the text is unambiguous (plain or quoted keys, block mappings all the way down) and otherwise
// says "don't know", and the caller parses. A property test checks it agrees with the parser.
// One file's lines are split once and each mapping scanned once, so that a file with thousands of
// findings costs time linear in its size and its findings, not their product.
import type { DocPath, Position } from './findings.js';
import { SPELLING_VARIANTS } from './spelling.js';

interface Line {
  start: number;
  indent: number;
  text: string;
}

const KEY = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"&*!|>%@`{}[\],?:-][^#:]*?|-[^\s#:][^#:]*?))[ \t]*:(?=[ \t]|$)/;

function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
    const indent = raw.length - raw.trimStart().length;
    out.push({ start, indent, text: raw });
    if (end < 0) break;
    start = end + 1;
  }
  return out;
}

const blank = (l: Line) => l.text.trim() === '' || l.text.trimStart().startsWith('#');

/** `key:` followed by `- item` at the key's own indentation: a compact sequence, the key's value. */
const sequenceItem = (l: Line) => l.text[l.indent] === '-' && (l.text.length === l.indent + 1 || l.text[l.indent + 1] === ' ');

function keyOf(line: Line): { key: string; valueColumn: number } | undefined {
  const rest = line.text.slice(line.indent);
  const m = KEY.exec(rest);
  if (!m) return undefined;
  const key = m[1] !== undefined ? m[1] : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!;
  if (m[1] !== undefined && m[1].includes('\\')) return undefined; // escapes: let the parser decide
  return { key, valueColumn: line.indent + m[0].length };
}

/** A locator over one file: answers a path of mapping keys, or undefined when only a parser can tell. */
export type FastLocator = (path: DocPath, at: 'key' | 'value') => Position | undefined;

/**
 * What a scan of one block (the lines of a key's value, or the whole document) finds, built once:
 * a file with thousands of findings in one mapping would otherwise rescan it for each of them.
 */
interface Block {
  /** The first line of each key at the block's own indentation. */
  keys: Map<string, number>;
  /** The first line of a variant spelling, by the canonical name it stands for. */
  variants: Map<string, number>;
  /** The first line the scan cannot read (a sequence, a flow collection, odd indentation): keys from there on are the parser's. */
  unreadable: number;
  /** The block's first non-blank line, where a value on the lines after its key starts. */
  first: number | undefined;
}

/** One past the last line of the value of the key on line `key`: the following lines deeper than it. */
function blockEnd(all: readonly Line[], key: number): number {
  const indent = all[key]!.indent;
  let end = key + 1;
  while (end < all.length && (blank(all[end]!) || all[end]!.indent > indent || (all[end]!.indent === indent && sequenceItem(all[end]!)))) end++;
  return end;
}

/** Scans the block after line `key` (-1: the document) once, as a lookup of any key in it would. */
function indexBlock(all: readonly Line[], key: number): Block {
  const parentIndent = key < 0 ? -1 : all[key]!.indent;
  const to = key < 0 ? all.length : blockEnd(all, key);
  const block: Block = { keys: new Map(), variants: new Map(), unreadable: Infinity, first: undefined };
  let childIndent = -1;
  let keySeen = false;
  for (let i = key + 1; i < to; i++) {
    const line = all[i]!;
    if (blank(line)) continue;
    if (block.first === undefined) {
      block.first = i;
      childIndent = line.indent;
    }
    if (childIndent <= parentIndent || line.indent < childIndent) return { ...block, unreadable: i }; // structure the scan does not expect
    if (line.indent > childIndent) continue; // inside the value of the previous key
    if (sequenceItem(line)) {
      if (!keySeen) return { ...block, unreadable: i }; // the node itself is a sequence
      continue;
    }
    keySeen = true;
    const found = keyOf(line);
    if (!found) return { ...block, unreadable: i }; // a flow collection, a complex key: ask the parser
    if (!block.keys.has(found.key)) block.keys.set(found.key, i);
    const canonical = Object.hasOwn(SPELLING_VARIANTS, found.key) ? SPELLING_VARIANTS[found.key]! : undefined;
    if (canonical !== undefined && !block.variants.has(canonical)) block.variants.set(canonical, i);
  }
  return block;
}

/** The line of `segment` in a block: the exact spelling wins over a variant, and only a readable block answers. */
function lookup(block: Block, segment: string): number | undefined {
  const exact = block.keys.get(segment);
  if (exact !== undefined && exact < block.unreadable) return exact;
  if (block.unreadable !== Infinity) return undefined;
  return block.variants.get(segment);
}

/** Where the key on line `key`, or its value, starts. */
function positionOf(all: readonly Line[], key: number, at: 'key' | 'value', valueBlock: () => Block): Position | undefined {
  const line = all[key]!;
  if (at === 'key') return { line: key + 1, column: line.indent + 1 };
  const valueColumn = keyOf(line)!.valueColumn;
  const rest = line.text.slice(valueColumn);
  const inline = rest.trimStart();
  if (inline !== '' && !inline.startsWith('#')) {
    // Anchors, tags and block scalar headers make the parser's idea of "the value" differ: ask it.
    if (/^[&!|>]/.test(inline)) return undefined;
    return { line: key + 1, column: valueColumn + rest.length - inline.length + 1 };
  }
  // The value is on the following lines: where its first line starts.
  const first = valueBlock().first;
  return first === undefined ? undefined : { line: first + 1, column: all[first]!.indent + 1 }; // an empty value: the parser knows what it points at
}

/** A locator over one file's text: its lines are split once and each block is scanned once, however many paths are asked. */
export function fastLocator(text: string): FastLocator {
  const all = lines(text);
  // Directives, document markers: several documents or settings the scan does not read.
  if (all[0]?.text.startsWith('---') || all.some((l) => l.text.startsWith('%') || l.text === '...')) return () => undefined;
  const blocks = new Map<number, Block>();
  const blockAfter = (key: number): Block => {
    let block = blocks.get(key);
    if (!block) blocks.set(key, (block = indexBlock(all, key)));
    return block;
  };
  return (path, at) => {
    if (path.length === 0 || path.some((s) => typeof s !== 'string')) return undefined;
    let key = -1;
    for (const segment of path) {
      const found = lookup(blockAfter(key), segment as string);
      if (found === undefined) return undefined;
      key = found;
    }
    return positionOf(all, key, at, () => blockAfter(key));
  };
}

/** The position of a path of mapping keys, or undefined when only a parser can tell (one question: see `fastLocator`). */
export function fastLocate(text: string, path: DocPath, at: 'key' | 'value'): Position | undefined {
  return fastLocator(text)(path, at);
}
