// GitHub cuts nothing for us: an over-long comment or check output is rejected. Text is assembled
// from blocks that fit, and whatever does not fit is counted and said, never silently dropped.

export const COMMENT_LIMIT = 65_536;
export const CHECK_TEXT_LIMIT = 65_535;

/** `1 error`, `2 errors`; `many` for a plural that is not the word and an s. */
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

export interface Fitted {
  text: string;
  omitted: number;
}

/**
 * Joins `required` with as many `optional` blocks (in order) as fit under `limit` once the note
 * about the omitted ones is added. `required` must fit on its own.
 */
export function fitBlocks(required: string, optional: readonly string[], limit: number, note: (omitted: number) => string): Fitted {
  let text = required;
  let included = 0;
  // Reserve room for the longest note we might need.
  const reserve = note(optional.length).length + 2;
  for (const block of optional) {
    if (text.length + block.length + reserve > limit) break;
    text += block;
    included++;
  }
  const omitted = optional.length - included;
  if (omitted > 0) text += `\n${note(omitted)}\n`;
  return { text, omitted };
}

/** A value shown inline: long ones end with how much was left out, so that nothing is cut silently. */
export function clip(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '&#124;').replace(/`/g, '&#96;');

/** Inline code that survives a markdown table cell, whatever the text holds. */
export const code = (s: string): string => `<code>${escapeHtml(s)}</code>`;

/**
 * A code span that holds `s` whatever it holds (CommonMark's rule: a fence of more backticks than
 * any run inside, and a space inside when `s` starts or ends with one): a gate name or an argument
 * a user typed can never close our span and write markdown of its own.
 */
export function codeSpan(s: string): string {
  const text = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text a user wrote (a /reject reason), shown as plain text on one line: no markup of theirs takes
 * effect (links, images, HTML, headings, a closing of our code span), and no @mention of theirs
 * notifies anyone in the bot's name (a zero-width space after `@`, as Renovate does).
 */
export const userText = (s: string, max = 500): string =>
  // Markdown first: the entities escapeHtml writes must keep their `#`.
  escapeHtml(clip(s.replace(/\s+/g, ' ').trim(), max).replace(/[\\*_[\]()#~!]/g, (c) => `\\${c}`)).replace(/@/g, '@&#8203;');

/** A commit as people read it: its first 7 hex digits (anything else, a name, as it is). */
export const shortRevision = (revision: string) => (/^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 7) : revision);

/**
 * A changed field as a reviewer names it, in plans and bot pull requests alike: a list entry's name
 * (`owner_team`, `DB_PASS`), else its path without `spec.` and the `name=`/`key=` of list entries.
 */
export function fieldLabel(path: string): string {
  const named = path.replace(/\[(?:name|key|mountPath)=/g, '[');
  const entry = /^spec\.(?:variables|envVars|envvars|envs|files)\[(.*)\]\.(?:value|data|name|key|mountPath|options(?:\..*)?)$/.exec(named);
  return entry ? entry[1]! : named.replace(/^spec\./, '');
}

/** A fenced code block whose fence is longer than any run of backticks in `body`: nothing in it can close it. */
export function fenced(language: string, body: string): string {
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

/** `a, b, c and 4 more`: the first `n` of `items`, and how many are left out (`more` words the count). */
export function firstAndMore(items: readonly string[], n: number, more: (left: number) => string = (left) => `${left} more`): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} and ${more(items.length - n)}`;
}
