// A command loads only what it needs: `envsync --version`, `--help`, a command's --help and a mistyped
// command load no package at all, and `envsync validate` and `envsync run` none of the server's and
// the store's (Probot, pg, graphile-worker, kysely, better-sqlite3, piscina), which take most of a
// second to load. A loader hook records every module a command loads; no time is measured. Runs the
// real binary (built by `npm test` before vitest) in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repoRoot, 'bin', 'envsync.js');
const example = join(repoRoot, 'examples', 'config-repo');

const HEAVY = ['probot', 'pg', 'graphile-worker', 'kysely', 'better-sqlite3', 'piscina'];

// ES modules are seen by a resolve hook (it runs on the loader's thread, so it appends to a file);
// CommonJS modules that CommonJS modules require are in require's cache when the process exits.
const RECORDER = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const log = process.env.ENVSYNC_MODULE_LOG;
register('./hooks.mjs', import.meta.url, { data: { log } });
process.on('exit', () => appendFileSync(log, Object.keys(createRequire(import.meta.url).cache).map((f) => 'file://' + f + '\\n').join('')));
`;
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-fast-start-'));
  writeFileSync(join(dir, 'record.mjs'), RECORDER);
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;

/** Runs envsync with the recorder; returns the packages it loaded (by name) and its exit code. */
function loadedBy(args: string[]): { code: number | null; packages: Set<string>; stderr: string } {
  const log = join(dir, `modules-${++runs}.txt`);
  writeFileSync(log, '');
  const result = spawnSync(process.execPath, ['--import', join(dir, 'record.mjs'), bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ENVSYNC_MODULE_LOG: log } });
  const packages = new Set(readFileSync(log, 'utf8').split('\n').flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
  return { code: result.status, packages, stderr: result.stderr };
}

describe('what a command loads', () => {
  it.each([[['--version']], [['--help']], [['validate', '--help']], [['serve', '--help']], [['system', 'follow', '--help']], [['valdate']]])('`envsync %j` loads no package', (args) => {
    const { code, packages, stderr } = loadedBy(args);
    expect(code, stderr).not.toBeNull();
    expect([...packages]).toEqual([]);
  });

  it('`envsync validate` loads the parser and the schemas, nothing of the server or the store', () => {
    const { code, packages, stderr } = loadedBy(['validate', example]);
    expect(code, stderr).toBe(0);
    expect(packages).toContain('js-yaml');
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
  });

  it('`envsync plan` against a revision loads nothing of the server or the store', () => {
    const { code, packages, stderr } = loadedBy(['plan', example, '--base', 'HEAD', '--head', 'HEAD']);
    expect(code, stderr).toBe(0);
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
  });

  it('`envsync run` loads nothing of the server or the store', () => {
    const { code, packages, stderr } = loadedBy(['run', 'payments/dev', example, '--dry-run', '--approved', 'hook/onInit/change-approval', '--results', join(dir, 'results.json')]);
    expect(code, stderr).toBe(0);
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
  });

  it('sees every one of those packages when a command does load them (`envsync serve` refusing an argument)', () => {
    const { code, packages } = loadedBy(['serve', 'now']);
    expect(code).toBe(2);
    expect(HEAVY.filter((p) => !packages.has(p))).toEqual([]);
  });
});
