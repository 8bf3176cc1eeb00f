// Locating a path of mapping keys in block-style YAML by indentation alone, without parsing: the
// common case (`spec.version`) at a fraction of the cost of a document parse. It answers only when
// the text is unambiguous (plain or quoted keys, block mappings all the way down) and otherwise
// says "don't know", and the caller parses. A property test checks it agrees with the parser.
import { SPELLING_VARIANTS } from './spelling.js';
import type { Position } from './positions.js';

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

/** The position of a path of mapping keys, or undefined when only a parser can tell. */
export function fastLocate(text: string, path: readonly (string | number)[], at: 'key' | 'value'): Position | undefined {
  if (path.length === 0 || path.some((s) => typeof s !== 'string')) return undefined;
  const all = lines(text);
  let from = 0;
  let to = all.length;
  if (all[0]?.text.startsWith('---') || all.some((l) => l.text.startsWith('%') || l.text === '...')) return undefined;
  let parentIndent = -1;
  let found: { line: Line; valueColumn: number; index: number } | undefined;
  for (const segment of path) {
    found = undefined;
    let childIndent = -1;
    let keySeen = false;
    for (let i = from; i < to; i++) {
      const line = all[i]!;
      if (blank(line)) continue;
      if (childIndent < 0) {
        childIndent = line.indent;
        if (childIndent <= parentIndent) return undefined;
      }
      if (line.indent < childIndent) return undefined; // structure the scan does not expect
      if (line.indent > childIndent) continue; // inside the value of the previous key
      if (sequenceItem(line)) {
        if (i === from || !keySeen) return undefined; // the node itself is a sequence
        continue;
      }
      keySeen = true;
      const key = keyOf(line);
      if (!key) return undefined; // a sequence, a flow collection, a complex key: ask the parser
      if (key.key === segment || (found === undefined && SPELLING_VARIANTS[key.key] === segment)) {
        if (found && key.key !== segment) continue;
        found = { line, valueColumn: key.valueColumn, index: i };
        if (key.key === segment) {
          // The exact spelling wins, but a later duplicate would have been a parse error already.
          break;
        }
      }
    }
    if (!found) return undefined;
    // The value's block: the following lines deeper than the key.
    let end = found.index + 1;
    while (end < to && (blank(all[end]!) || all[end]!.indent > found.line.indent || (all[end]!.indent === found.line.indent && sequenceItem(all[end]!)))) end++;
    from = found.index + 1;
    to = end;
    parentIndent = found.line.indent;
  }
  if (!found) return undefined;
  const lineNumber = found.index + 1;
  if (at === 'key') return { line: lineNumber, column: found.line.indent + 1 };
  const rest = found.line.text.slice(found.valueColumn);
  const offset = rest.length - rest.trimStart().length;
  const inline = rest.trimStart();
  if (inline !== '' && !inline.startsWith('#')) {
    // Anchors, tags and block scalar headers make the parser's idea of "the value" differ: ask it.
    if (/^[&!|>]/.test(inline)) return undefined;
    return { line: lineNumber, column: found.valueColumn + offset + 1 };
  }
  // The value is on the following lines: where its first line starts.
  for (let i = from; i < to; i++) {
    const line = all[i]!;
    if (blank(line)) continue;
    return { line: i + 1, column: line.indent + 1 };
  }
  return undefined; // an empty value: the parser knows what it points at
}
