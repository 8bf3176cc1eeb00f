// HTML built by a tagged template that escapes every value it is given: a page cannot be written
// with an unescaped spec name, log line or finding in it. Ours rather than a template engine's: the
// console's pages are a few hundred lines, and this is all of the engine they need.

/** Markup that is safe to put in a page as it is: made only by `html` (or `raw`, for our own constants). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join('');
  return escapeHtml(String(part));
}

/** `html\`<p>${text}</p>\``: every value is escaped unless it is Html itself; lists are joined; null, undefined and booleans are left out. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Html(out);
}

/** Our own markup, as it is (never anything a user or a spec wrote). */
export const raw = (markup: string): Html => new Html(markup);
