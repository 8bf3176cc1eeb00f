// A light scan of YAML text for the places a parser's error mark gets wrong: an unterminated quote or
// bracket is reported at the end of the file, and nesting too deep to parse at no place at all.
// It tracks only quotes, flow brackets and comments; it runs on the error path alone.

export interface FlowScan {
  /** Offset of an opening quote never closed. */
  openQuote?: number;
  /** Offsets of flow brackets still open at the end, outermost first. */
  openBrackets: number[];
  /** Offset of the first bracket that opens nesting level `depthLimit` (when asked). */
  deepBracket?: number;
}

/** A quote opens a scalar only where a scalar can start: `it's` is plain text. */
const QUOTE_CAN_START = new Set(['', ':', ',', '[', '{', '-', '?']);

export function scanFlow(text: string, depthLimit = Infinity): FlowScan {
  const brackets: number[] = [];
  let deepBracket: number | undefined;
  let quote: string | undefined;
  let quoteStart = 0;
  let previous = ''; // last non-blank character on the line, outside quotes
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else {
          quote = undefined;
          previous = c;
        }
      }
      continue;
    }
    if (c === '\n') {
      previous = '';
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      if (end < 0) break;
      i = end - 1;
    } else if ((c === '"' || c === "'") && QUOTE_CAN_START.has(previous)) {
      quote = c;
      quoteStart = i;
    } else if (c === '[' || c === '{') {
      brackets.push(i);
      if (brackets.length === depthLimit && deepBracket === undefined) deepBracket = i;
      previous = c;
    } else if (c === ']' || c === '}') {
      brackets.pop();
      previous = c;
    } else if (c !== ' ' && c !== '\t' && c !== '\r') {
      previous = c;
    }
  }
  return {
    ...(quote ? { openQuote: quoteStart } : {}),
    openBrackets: brackets,
    ...(deepBracket !== undefined ? { deepBracket } : {}),
  };
}

/** 1-based line and column of an offset, counting `\n` as the line break (as the locator does). */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
