// Codes are a contract: every code the source can emit is documented in docs/findings.md.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

it('documents every finding code the validator can emit', () => {
  const emitted = new Set<string>();
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:error|warning|fail)\(\s*(?:[\w.]+,\s*)?'([a-z0-9-]+)'/g)) emitted.add(m[1]!);
    // A finding written as an object literal (the system API's, located in a request body).
    for (const m of text.matchAll(/\bcode: '([a-z0-9-]+)'/g)) emitted.add(m[1]!);
  }
  const documented = new Set([...readFileSync(join(root, 'docs', 'findings.md'), 'utf8').matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]!));
  expect(emitted.size).toBeGreaterThan(30);
  expect([...emitted].filter((c) => !documented.has(c)).sort()).toEqual([]);
  expect([...documented].filter((c) => !emitted.has(c)).sort()).toEqual([]);
});
