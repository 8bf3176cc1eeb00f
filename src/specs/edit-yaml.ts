// Comment-preserving edits of a YAML file: the file is changed only where its data must change.
// Re-serializing a parsed document would move comments, flatten block scalars, drop blank lines and
// requote values (what users of write-back GitOps tools complain about), so edits are text splices
// over the source ranges the `yaml` package records: a changed scalar keeps its quoting style, a
// removed entry takes its lines with it, a new entry is appended in the file's own indentation.
// The result is parsed again and compared with what was asked; if they differ, the document is
// rewritten whole and the caller is told (`rewritten`), never handed a wrong file.
import { Document, isAlias, isMap, isScalar, isSeq, parseDocument, stringify as yamlStringify, visit, type Node, type Pair, type Scalar, type ToStringOptions, type YAMLMap, type YAMLSeq } from 'yaml';
import { equalJson, identityField, isPlainObject } from './json.js';
import { readBack } from './parse.js';

/**
 * The `yaml` package's stringify, checked against envsync's own parser: some plain strings (`0_.`,
 * `1_000`) js-yaml reads as numbers, and for some strings (a line of only blanks, a blank line before
 * a colon) it writes a block scalar that reads back as something else. Only the strings read back
 * wrong are double-quoted, so that the rest of a collection keeps its lines; then block scalars go;
 * as a last resort every string is double-quoted.
 */
/** Whether envsync's parser reads a string written plain (as the value of a key) as something else. */
const misread = (value: string): boolean => !equalJson(readBack(yamlStringify({ v: value }, { lineWidth: 0 })), { v: value });

function stringify(value: unknown, options: ToStringOptions = {}): string {
  const quoted = (tried: ToStringOptions) => {
    const doc = new Document(value);
    visit(doc, {
      Scalar: (_, node) => {
        if (typeof node.value === 'string' && misread(node.value)) node.type = 'QUOTE_DOUBLE';
      },
    });
    return doc.toString(tried);
  };
  const tries: (() => string)[] = [
    () => yamlStringify(value, options),
    () => quoted(options),
    () => quoted({ ...options, blockQuote: false }),
    () => yamlStringify(value, { ...options, blockQuote: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' }),
  ];
  let text = '';
  for (const attempt of tries) {
    text = attempt();
    if (equalJson(readBack(text), value)) break;
  }
  return text;
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

export interface EditResult {
  text: string;
  /** True when a splice could not express the change and the document was written anew. */
  rewritten: boolean;
}

class Editor {
  readonly splices: Splice[] = [];
  constructor(
    readonly text: string,
    readonly unit: number,
    readonly compactSequences: boolean,
  ) {}

  lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The offset just after the line holding `offset` (or the end of the text). */
  lineEnd(offset: number): number {
    const end = this.text.indexOf('\n', offset);
    return end < 0 ? this.text.length : end + 1;
  }

  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** Text for YAML `value` as block lines at `indent`, each line ending in a newline. */
  block(value: unknown, indent: number): string {
    const rendered = stringify(value, { indent: this.unit, indentSeq: !this.compactSequences, lineWidth: 0 });
    return rendered
      .split('\n')
      .filter((line, i, all) => !(i === all.length - 1 && line === ''))
      .map((line) => (line === '' ? '' : ' '.repeat(indent) + line))
      .join('\n') + '\n';
  }

  replace(start: number, end: number, text: string): void {
    this.splices.push({ start, end, text });
  }
}

const isScalarValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isEmptyCollection = (v: unknown) => (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);

/** A scalar in the style it had: plain stays plain when it can, quotes keep their kind. */
function renderScalar(value: unknown, node: Scalar, editor: Editor): string {
  if (typeof value !== 'string') return value === null ? 'null' : String(value);
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      return JSON.stringify(value);
    case 'QUOTE_SINGLE':
      return value.includes('\n') ? JSON.stringify(value) : `'${value.replace(/'/g, "''")}'`;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      const body = value.endsWith('\n') ? value.slice(0, -1) : value;
      // What a block scalar cannot hold as written: a first line that starts with a space or a tab
      // (read as the indentation), a line of only blanks, a carriage return, empty or extra final line
      // breaks; in a folded scalar also a line break (read as a space) or any indented line. Those
      // become a double-quoted scalar, in place.
      const lines = body.split('\n');
      const unsafe =
        /^[ \t]/.test(lines.find((l) => l !== '') ?? '') ||
        lines.some((l) => l !== '' && l.trim() === '') ||
        body.includes('\r') ||
        body === '' || // nothing, or one line break: no block scalar holds that as written
        body.endsWith('\n') || // more than one final line break would need keep-chomping (|+)
        (node.type === 'BLOCK_FOLDED' && (lines.length > 1 || /^[ \t]/.test(body)));
      if (unsafe) return JSON.stringify(value);
      const start = node.range![0];
      const firstContent = editor.text.indexOf('\n', start) + 1;
      const indent = editor.text.slice(firstContent).search(/\S/);
      const indented = lines.map((l) => (l === '' ? '' : ' '.repeat(Math.max(indent, 1)) + l));
      return `${node.type === 'BLOCK_LITERAL' ? '|' : '>'}${value.endsWith('\n') ? '' : '-'}\n${indented.join('\n')}\n`;
    }
    default: {
      const plain = stringify(value, { lineWidth: 0 });
      return plain === `${value}\n` && !value.includes('\n') ? value : JSON.stringify(value);
    }
  }
}

/** Edits a mapping pair's value: recursion where the structure allows it, else a new value text. */
function patchPairValue(editor: Editor, pair: Pair, current: unknown, desired: unknown, keyIndent: number): void {
  const value = pair.value as Node | null;
  if (value && !isAlias(value) && !isEmptyCollection(desired) && patch(editor, value, current, desired)) return;
  if (value && isFlowCollection(value) && !isScalarValue(desired)) {
    // Written in flow style, it stays in flow style, on its line.
    editor.replace(value.range![0], value.range![1], stringify(desired, { collectionStyle: 'flow', lineWidth: 0 }).trimEnd());
    return;
  }
  // Replace everything from after the colon to the end of the old value. If that range ended a
  // line (block values do), the new text must end one too.
  const keyEnd = (pair.key as Node).range![1];
  const colon = editor.text.indexOf(':', keyEnd);
  const end = value?.range ? value.range[1] : colon + 1;
  const endsLine = end > colon + 1 && editor.text[end - 1] === '\n';
  let text: string;
  if (isScalarValue(desired) || isEmptyCollection(desired)) {
    text = ` ${stringify(desired, { lineWidth: 0, flowCollectionPadding: false }).trimEnd()}`;
  } else {
    const indent = Array.isArray(desired) && editor.compactSequences ? keyIndent : keyIndent + editor.unit;
    text = `\n${editor.block(desired, indent).replace(/\n$/, '')}`;
  }
  editor.replace(colon + 1, end, endsLine ? `${text}\n` : text);
}

const isFlowCollection = (node: Node) => (isMap(node) || isSeq(node)) && node.flow === true;

/** Patches `node` from `current` to `desired` in place; false when only a new value text will do. */
function patch(editor: Editor, node: Node, current: unknown, desired: unknown): boolean {
  if (equalJson(current, desired)) return true;
  if (isScalar(node) && isScalarValue(desired)) {
    const text = renderScalar(desired, node, editor);
    // A block scalar's range ends after its last line break; whatever replaces it must end a line too.
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    editor.replace(node.range![0], node.range![1], block && !text.endsWith('\n') ? `${text}\n` : text);
    return true;
  }
  if (isMap(node) && !node.flow && isPlainObject(current) && isPlainObject(desired) && !isEmptyCollection(desired)) {
    return patchMap(editor, node, current, desired);
  }
  if (isSeq(node) && !node.flow && Array.isArray(current) && Array.isArray(desired) && desired.length > 0) {
    return patchSeq(editor, node, current, desired);
  }
  return false;
}

function patchMap(editor: Editor, node: YAMLMap, current: Record<string, unknown>, desired: Record<string, unknown>): boolean {
  const pairs = node.items.filter((p) => isScalar(p.key));
  if (pairs.length !== node.items.length || pairs.length === 0) return false;
  const keyIndent = editor.column((pairs[0]!.key as Node).range![0]);
  for (const pair of pairs) {
    const key = String((pair.key as Scalar).value);
    if (key in desired) {
      patchPairValue(editor, pair, current[key], desired[key], keyIndent);
    } else {
      const start = editor.lineStart((pair.key as Node).range![0]);
      const last = (pair.value as Node | null)?.range?.[1] ?? (pair.key as Node).range![1];
      editor.replace(start, editor.lineEnd(Math.max(last - 1, start)), '');
    }
  }
  const added = Object.keys(desired).filter((k) => !(k in current));
  if (added.length > 0) {
    const end = editor.lineEnd(Math.max(node.range![1] - 1, 0));
    const text = added.map((k) => editor.block({ [k]: desired[k] }, keyIndent)).join('');
    editor.replace(end, end, (end > 0 && editor.text[end - 1] !== '\n' ? '\n' : '') + text);
  }
  return true;
}

/** Replaces one list item's lines with `value` written as an item at the list's indentation. */
function replaceItem(editor: Editor, item: Node, value: unknown, dashIndent: number): void {
  const start = editor.lineStart(item.range![0]);
  editor.replace(start, editor.lineEnd(Math.max(item.range![1] - 1, start)), editor.block([value], dashIndent));
}

function patchSeq(editor: Editor, node: YAMLSeq, current: unknown[], desired: unknown[]): boolean {
  if (node.items.length !== current.length || node.items.some((item) => !item || isAlias(item))) return false;
  const dashIndent = editor.column(editor.text.lastIndexOf('-', (node.items[0] as Node).range![0]));
  const id = node.items.every((item) => isMap(item)) ? identityField(current, desired) : undefined;
  const idOf = (v: unknown) => (v as Record<string, string>)[id!]!;
  // Matching by name works when kept entries keep their order and new ones come after them (they
  // are appended); anything else is a reorder.
  const reordered = () => {
    const was = new Set(current.map(idOf));
    const now = new Set(desired.map(idOf));
    const kept = current.map(idOf).filter((k) => now.has(k));
    const order = desired.map(idOf).filter((k) => was.has(k));
    const lastKept = desired.map(idOf).findLastIndex((k) => was.has(k));
    const firstAdded = desired.map(idOf).findIndex((k) => !was.has(k));
    return kept.some((k, i) => k !== order[i]) || (firstAdded >= 0 && firstAdded < lastKept);
  };
  if (!id || reordered()) {
    // No names to match entries by (or a name changed): item by item, when the length is the same.
    if (current.length !== desired.length) return false;
    current.forEach((value, i) => {
      const item = node.items[i] as Node;
      if (!patch(editor, item, value, desired[i])) replaceItem(editor, item, desired[i], dashIndent);
    });
    return true;
  }
  const now = new Map(desired.map((v) => [idOf(v), v]));
  const was = new Map(current.map((v) => [idOf(v), v]));
  current.forEach((value, i) => {
    const item = node.items[i] as YAMLMap;
    const key = idOf(value);
    if (now.has(key)) {
      if (!patch(editor, item, value, now.get(key))) replaceItem(editor, item, now.get(key), dashIndent);
    } else {
      const start = editor.lineStart(item.range![0]);
      editor.replace(start, editor.lineEnd(Math.max(item.range![1] - 1, start)), '');
    }
  });
  const added = desired.filter((v) => !was.has(idOf(v)));
  if (added.length > 0) {
    const end = editor.lineEnd(Math.max(node.range![1] - 1, 0));
    editor.replace(end, end, (editor.text[end - 1] !== '\n' ? '\n' : '') + editor.block(added, dashIndent));
  }
  return true;
}

function applySplices(text: string, splices: Splice[]): string | undefined {
  const ordered = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const s of ordered) {
    if (s.end > limit) return undefined; // overlapping edits: only a rewrite is safe
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

/** How the file indents: the step of its first nested mapping, and where sequences put their dashes. */
function styleOf(text: string): { unit: number; compactSequences: boolean } {
  const lines = text.split('\n');
  let unit = 2;
  let compact: boolean | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const prev = lines[i - 1]!;
    if (!/:\s*$/.test(prev) || prev.trimStart().startsWith('#')) continue;
    const parentIndent = prev.length - prev.trimStart().length;
    const indent = line.length - line.trimStart().length;
    if (line.trimStart().startsWith('- ')) compact ??= indent === parentIndent;
    else if (indent > parentIndent && unit === 2 && i < 40) unit = indent - parentIndent;
  }
  return { unit: unit > 0 && unit <= 8 ? unit : 2, compactSequences: compact ?? true };
}

/** Edits `text` so that it holds `desired`, touching only what differs. */
export function editYaml(text: string, desired: unknown): EditResult {
  // A file with Windows line ends is edited as LF and given its line ends back.
  if (text.includes('\r\n') && !/(^|[^\r])\n/.test(text)) {
    const result = editLf(text.replace(/\r\n/g, '\n'), desired);
    return { ...result, text: result.text.replace(/\n/g, '\r\n') };
  }
  return editLf(text, desired);
}

function editLf(text: string, desired: unknown): EditResult {
  const doc = parseDocument(text, { uniqueKeys: false });
  const rewrite = (): EditResult => {
    const header = /^(\s*#[^\n]*\n)+/.exec(text)?.[0] ?? '';
    return { text: header + stringify(desired, { lineWidth: 0, indentSeq: !styleOf(text).compactSequences }), rewritten: true };
  };
  if (doc.errors.length > 0 || !doc.contents || !isMap(doc.contents) || doc.contents.flow) return rewrite();
  const current = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (equalJson(current, desired)) return { text, rewritten: false };
  const { unit, compactSequences } = styleOf(text);
  const editor = new Editor(text, unit, compactSequences);
  if (!patch(editor, doc.contents, current, desired)) return rewrite();
  const edited = applySplices(text, editor.splices);
  if (edited === undefined) return rewrite();
  // Read it back: the edit must say exactly what was asked.
  const check = parseDocument(edited, { uniqueKeys: false });
  if (check.errors.length > 0 || !equalJson(check.toJS({ maxAliasCount: 1000 }), desired)) return rewrite();
  return { text: edited, rewritten: false };
}

