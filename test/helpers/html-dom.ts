// Pages as a browser's DOM reads them (jsdom), for handler tests that assert on what a page shows:
// labels, fields, buttons, by selector. The tests' TypeScript has no DOM library; this is the part used.
import { createRequire } from 'node:module';

export interface Element {
  readonly tagName: string;
  readonly textContent: string | null;
  /** Form controls only. */
  readonly value?: string;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): Element | null;
  querySelectorAll(selector: string): ArrayLike<Element> & Iterable<Element>;
}

// jsdom is CommonJS and ships no types.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string) => { window: { document: Element } } };

export const dom = (html: string): Element => new JSDOM(html).window.document;

/** The text of each element matching `selector`, its white space collapsed. */
export const texts = (root: Element, selector: string): string[] => [...root.querySelectorAll(selector)].map((e) => (e.textContent ?? '').trim().replace(/\s+/g, ' '));
