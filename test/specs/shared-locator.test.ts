// A file's locator is built once and asked about every finding of the file: what it learns from one
// question (its lines, each mapping's keys) must not change the answer to the next.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { fastLocate, fastLocator } from '../../src/specs/fast-locate.js';
import { createLocator, parsingLocator } from '../../src/specs/positions.js';
import type { DocPath } from '../../src/specs/findings.js';

const reference = new URL('../../../shared/reference/specs/', import.meta.url).pathname;
const example = new URL('../../examples/config-repo/projects/', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** Every path in a document: mapping keys and sequence indexes. */
function allPaths(value: unknown, prefix: (string | number)[] = []): DocPath[] {
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...allPaths(v, [...prefix, k])]);
}

/** Asks one shared locator every path, deepest last first, and each answer against a fresh one's. */
function sharedAgreesWithFresh(text: string): number {
  const shared = fastLocator(text);
  let answered = 0;
  for (const path of allPaths(jsyaml.load(text)).reverse()) {
    for (const at of ['value', 'key'] as const) {
      const answer = shared(path, at);
      expect(answer, `${path.join('.')} (${at})`).toEqual(fastLocate(text, path, at));
      if (answer !== undefined) answered++;
    }
  }
  return answered;
}

describe('a shared fast locator', () => {
  it('answers every path of the reference specs and the example repository as a fresh locator does, in any order', () => {
    let answered = 0;
    for (const file of [...yamlFiles(reference), ...yamlFiles(example)]) answered += sharedAgreesWithFresh(readFileSync(file, 'utf8'));
    expect(answered).toBeGreaterThan(500);
  });

  it('answers every path of random documents as a fresh locator does', () => {
    const key = fc.oneof(fc.constantFrom('name', 'spec', 'envvars', 'envVars', 'a b', "it's", '-dash', '"q"', ''), fc.string({ maxLength: 4 }));
    const scalar = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.constant(null), fc.constant('multi\nline'));
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(fc.dictionary(key, node, { minKeys: 1, maxKeys: 5 }), fc.constantFrom(2, 4), (doc, indent) => {
        sharedAgreesWithFresh(jsyaml.dump(doc, { indent }));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the parsing locator', () => {
  it('finds a variant spelling where the file has only the variant', () => {
    expect(parsingLocator('c: {envvars: {A: 1}}\n')(['c', 'envVars', 'A'], 'key')).toEqual({ line: 1, column: 15 });
  });

  it('finds the exact spelling, not the variant before it, where the file has both', () => {
    const locate = parsingLocator('c: {envvars: {A: 1}, envVars: {B: 2}}\n');
    expect(locate(['c', 'envVars'], 'key')).toEqual({ line: 1, column: 22 });
    expect(locate(['c', 'envVars', 'B'], 'key')).toEqual({ line: 1, column: 32 });
  });
});

describe('createLocator', () => {
  it('answers paths through sequences and plain key paths of one file as the parser does', () => {
    const text = readFileSync(yamlFiles(example).find((f) => f.endsWith('dev.yaml'))!, 'utf8');
    const locate = createLocator(text);
    const parsed = parsingLocator(text);
    const paths = allPaths(jsyaml.load(text));
    expect(paths.some((p) => p.some((s) => typeof s === 'number'))).toBe(true);
    for (const path of paths) for (const at of ['key', 'value'] as const) expect(locate(path, at), `${path.join('.')} (${at})`).toEqual(parsed(path, at));
  });
});
