// From bytes to a plain object, or to findings. js-yaml is the bulk parser (fast, gives positions for
// its own errors); every hostile input ends as a finding, never as an exception or a hang.
import jsyaml from 'js-yaml';
import { atStart, error, type PendingFinding } from './findings.js';
import { DEFAULT_GUARD_LIMITS, guardDocument, type GuardLimits } from './guard.js';
import { firstAliasPosition, secondDocumentPosition } from './positions.js';
import { positionAt, scanFlow } from './syntax-scan.js';

import { DEFAULT_MAX_FILE_BYTES } from './limits.js';

export { DEFAULT_MAX_FILE_BYTES };

export interface ParseLimits {
  maxFileBytes: number;
  guard: GuardLimits;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxFileBytes: DEFAULT_MAX_FILE_BYTES, guard: DEFAULT_GUARD_LIMITS };

// YAML 1.2 core types (no timestamps: `2024-01-01` stays a string) plus `<<` merge keys.
// (`types` is exported at runtime but missing from @types/js-yaml.)
const { merge } = (jsyaml as unknown as { types: { merge: jsyaml.Type } }).types;
const SCHEMA = jsyaml.CORE_SCHEMA.extend([merge]);

/**
 * What envsync's own parser reads from `text` (undefined when it does not parse): what a writer
 * checks its output against, since js-yaml's core schema reads some texts the `yaml` library would
 * leave plain as numbers (`0_.`, `1_0`).
 */
export function readBack(text: string): unknown {
  try {
    return jsyaml.load(text, { schema: SCHEMA });
  } catch {
    return undefined;
  }
}

export type ParseResult =
  | { ok: true; text: string; data: Record<string, unknown> }
  | { ok: false; text?: string; findings: PendingFinding[] };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses one spec file; `size` is the file's size on disk (content may be absent when too large). */
export function parseSpecFile(
  file: string,
  content: Uint8Array | undefined,
  size: number,
  limits: ParseLimits = DEFAULT_PARSE_LIMITS,
): ParseResult {
  const fail = (code: string, message: string, where: PendingFinding['where'] = atStart, text?: string): ParseResult => ({
    ok: false,
    text,
    findings: [error(file, code, message, where)],
  });

  if (size > limits.maxFileBytes || !content) {
    return fail(
      'file-too-large',
      `file is ${size} bytes, over the limit of ${limits.maxFileBytes}: split it into one spec per file, or raise --max-file-size`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(content);
  } catch {
    const where = firstInvalidUtf8(content);
    return fail('file-not-utf8', 'file is not valid UTF-8: save it as UTF-8 text', where);
  }

  let data: unknown;
  try {
    data = jsyaml.load(text, { schema: SCHEMA, filename: file });
  } catch (e) {
    return { ok: false, text, findings: [yamlErrorFinding(file, text, e, limits.guard.maxDepth)] };
  }

  if (data === undefined || (data === null && !CONTENT.test(text.replace(COMMENTS_AND_MARKERS, '')))) {
    return fail('file-empty', 'file holds no spec: write one, or delete the file', atStart, text);
  }
  // Aliases need anchors: without an `&` in the text no node can be shared.
  const guarded = guardDocument(data, limits.guard, text.includes('&'));
  if (!guarded.ok) {
    if (guarded.reason === 'alias-bomb') {
      return fail(
        'yaml-alias-bomb',
        `YAML aliases expand this document to ${guarded.expanded} nodes (limit ${limits.guard.maxExpandedNodes}): write the values out instead of nesting aliases`,
        positionOf(text, firstAliasPosition),
        text,
      );
    }
    if (guarded.reason === 'alias-cycle') {
      return fail('yaml-alias-cycle', 'a YAML alias refers to a node that contains it: remove the cycle', { path: guarded.path, at: 'value' }, text);
    }
    return fail(
      'yaml-too-deep',
      `nesting is deeper than ${limits.guard.maxDepth} levels: no spec needs this; flatten the structure`,
      { path: guarded.path, at: 'key' },
      text,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : data === null ? 'null' : `a ${typeof data}`;
    return fail('document-not-mapping', `a spec must be a mapping with apiVersion, kind, metadata and spec; this file holds ${got}`, atStart, text);
  }
  return { ok: true, text, data: data as Record<string, unknown> };
}

function positionOf(text: string, find: (text: string) => { line: number; column: number }) {
  try {
    return find(text);
  } catch {
    return { line: 1, column: 1 };
  }
}

const CONTENT = /\S/;
const COMMENTS_AND_MARKERS = /(^|\s)#.*$|^(---|\.\.\.)\s*$/gm;

function yamlErrorFinding(file: string, text: string, e: unknown, maxDepth: number): PendingFinding {
  if (e instanceof RangeError) {
    // The parser's own recursion gave out (thousands of levels). Point where the guard would have:
    // at the collection one level past the limit; the root mapping of a block document is a level.
    const rootIsFlow = /^\s*[[{]/.test(text.replace(COMMENTS_AND_MARKERS, ''));
    const deep = scanFlow(text, maxDepth + 1 + (rootIsFlow ? 1 : 0)).deepBracket;
    return error(
      file,
      'yaml-too-deep',
      `nesting is deeper than ${maxDepth} levels: no spec needs this; flatten the structure`,
      deep === undefined ? atStart : positionAt(text, deep),
    );
  }
  if (!(e instanceof jsyaml.YAMLException)) {
    return error(file, 'yaml-syntax', `cannot parse YAML: ${String(e)}`, atStart);
  }
  const reason = e.reason ?? e.message;
  if (/single document/.test(reason)) {
    return error(
      file,
      'yaml-multiple-documents',
      'file holds more than one YAML document: put each spec in its own file',
      positionOf(text, secondDocumentPosition),
    );
  }
  const where = errorPosition(text, reason, (e as { mark?: { position: number } }).mark?.position);
  if (/duplicated mapping key/.test(reason)) {
    return error(file, 'yaml-duplicate-key', 'this key appears twice in the same mapping: keep one (YAML would silently drop the other)', where);
  }
  return error(file, 'yaml-syntax', `invalid YAML: ${reason}: fix the syntax at this position`, where);
}

/**
 * Where a syntax error is. js-yaml's mark is an offset (its line and column go wrong around NUL
 * bytes); an unterminated quote or bracket is marked at the end of the file, where nobody looks.
 */
function errorPosition(text: string, reason: string, offset: number | undefined): { line: number; column: number } {
  if (offset === undefined) return atStart as { line: number; column: number };
  if (offset >= text.trimEnd().length && /end of the stream/.test(reason)) {
    const scan = scanFlow(text);
    if (/quoted scalar/.test(reason) && scan.openQuote !== undefined) return positionAt(text, scan.openQuote);
    const innermost = scan.openBrackets.at(-1);
    if (/flow collection/.test(reason) && innermost !== undefined) return positionAt(text, innermost);
  }
  return positionAt(text, Math.min(offset, text.length));
}

/** Line and column of the first byte that breaks UTF-8 (only called once decoding has failed). */
function firstInvalidUtf8(bytes: Uint8Array): { line: number; column: number } {
  let line = 1;
  let column = 1;
  // A byte order mark is not part of the text the other findings count columns in.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) break;
    let valid = true;
    for (let k = 1; k < len; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) valid = false;
    if (!valid) break;
    if (len > 1) {
      try {
        utf8.decode(bytes.subarray(i, i + len));
      } catch {
        break; // overlong or surrogate encodings
      }
    }
    if (b === 0x0a) {
      line++;
      column = 1;
    } else {
      column++;
    }
    i += len;
  }
  return { line, column };
}
