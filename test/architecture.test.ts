// The folders of src/ are layers: a file imports only from its own folder or from a folder of a
// lower layer, and no file imports itself back through others (type imports count: a cycle of types
// is still two files that cannot be read apart). docs/architecture.md explains the layers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Lowest first. The top-level files of src/ (version, editor schemas, validate-directory) are ".". */
const LAYERS: readonly (readonly string[])[] = [
  ['specs'], // the spec model: parse, locate, load
  ['engine'], // pure rules, plans, the run lifecycle: data in, data out
  ['runner', 'system'], // envsync run and its contract with the app; the store and the system service
  ['config'], // .github/envsync.yml
  ['render', '.'], // what people read: findings, plans, summaries, bot pull request texts
  ['github'], // the port to GitHub and its Octokit implementation
  ['flows'], // the use cases: review, merge, runs, sync
  ['console'], // the web console: pages and forms over the system and the flows
  ['app'], // the server: webhooks to jobs, the worker, the HTTP API
  ['cli'], // the envsync command
];

const root = resolve(__dirname, '../src');
const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import and re-export of each file, type-only ones included. */
const graph = new Map(
  sources(root).map((file) => [
    file,
    [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))),
  ]),
);
const folderOf = (file: string) => {
  const parts = relative(root, file).split('/');
  return parts.length > 1 ? parts[0]! : '.';
};

/** The store and its backends: behind the system service, which validates every spec written. */
const STORE_INSIDE = ['store', 'kysely-store', 'connect', 'migrations', 'rows', 'schema', 'jobs/sqlite-queue', 'jobs/postgres-queue'].map((f) => join(root, 'system', `${f}.ts`));

describe('the layers of src/', () => {
  it('name every folder of src/', () => {
    expect([...new Set([...graph.keys()].map(folderOf))].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('import only their own folder or a lower layer', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports.filter((to) => folderOf(to) !== folderOf(file) && layerOf(folderOf(to)) >= layerOf(folderOf(file))).map((to) => `${relative(root, file)} imports ${relative(root, to)}`),
    );
    expect(upward).toEqual([]);
  });

  it('hold no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const to of graph.get(file) ?? []) {
        if (state.get(to) === 'open') cycles.push([...path.slice(path.indexOf(to)), to].map((f) => relative(root, f)).join(' -> '));
        else if (!state.has(to) && graph.has(to)) visit(to, [...path, to]);
      }
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
    expect(cycles).toEqual([]);
  });

  it('keep the store private to src/system: above it, flows reach records through the service and no one names the Store', () => {
    const outside = [...graph].filter(([file]) => folderOf(file) !== 'system');
    const reaching = outside.flatMap(([file, imports]) => imports.filter((to) => STORE_INSIDE.includes(to)).map((to) => `${relative(root, file)} imports ${relative(root, to)}`));
    const naming = outside.filter(([file]) => /^import[^;]*\bStore\b[^;]*from/m.test(readFileSync(file, 'utf8'))).map(([file]) => `${relative(root, file)} imports Store`);
    expect([...reaching, ...naming]).toEqual([]);
  });
});
