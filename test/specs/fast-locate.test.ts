// The indentation-based locator answers only where it agrees with the YAML parser: checked on every
// key path of the reference specs and the example repository, and on random documents.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { fastLocate } from '../../src/specs/fast-locate.js';
import { parsingLocator } from '../../src/specs/positions.js';

const reference = new URL('../../../shared/reference/specs/', import.meta.url).pathname;
const example = new URL('../../examples/config-repo/projects/', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

/** Every path of mapping keys in a document, stopping at sequences. */
function keyPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
}

/** The number of paths where the fast locator answered; each answer equals the parser's. */
function agreement(text: string): number {
  const parsed = parsingLocator(text);
  let answered = 0;
  for (const path of keyPaths(jsyaml.load(text))) {
    for (const at of ['key', 'value'] as const) {
      const fast = fastLocate(text, path, at);
      if (fast === undefined) continue;
      expect(fast, `${path.join('.')} (${at})`).toEqual(parsed(path, at));
      answered++;
    }
  }
  return answered;
}

describe('fastLocate', () => {
  it('agrees with the parser on every key path of the reference specs and the example repository', () => {
    const files = [...yamlFiles(reference), ...yamlFiles(example)];
    expect(files.length).toBe(27);
    let answered = 0;
    for (const file of files) answered += agreement(readFileSync(file, 'utf8'));
    expect(answered).toBeGreaterThan(500);
  });

  it('agrees with the parser on random documents', () => {
    const key = fc.oneof(fc.constantFrom('name', 'spec', 'version', 'a b', "it's", 'x: y', '-dash', '#hash', 'key ', '"q"', 'true', '1', ''), fc.string({ maxLength: 6 }));
    const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('multi\nline\ntext'), fc.constant('- dash'));
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    }));
    let answered = 0;
    fc.assert(
      fc.property(fc.dictionary(key, node, { minKeys: 1, maxKeys: 5 }), fc.constantFrom(2, 4), (doc, indent) => {
        answered += agreement(jsyaml.dump(doc, { indent }));
      }),
      { numRuns: 300 },
    );
    expect(answered).toBeGreaterThan(300);
  });

  it('leaves a path through a sequence to the parser', () => {
    expect(fastLocate('a:\n  - b: 1\n', ['a', 0, 'b'], 'key')).toBeUndefined();
  });

  it('leaves flow style and block scalar values to the parser', () => {
    expect(fastLocate('a: {b: 1}\n', ['a', 'b'], 'key')).toBeUndefined();
    expect(fastLocate('a: |\n  text\n', ['a'], 'value')).toBeUndefined();
  });

  it('finds a canonical key rather than its variant spelling when both are present', () => {
    const text = 'c:\n  envvars:\n    A: 1\n  envVars:\n    B: 2\n';
    expect(fastLocate(text, ['c', 'envVars', 'B'], 'key')).toEqual({ line: 5, column: 5 });
  });
});
