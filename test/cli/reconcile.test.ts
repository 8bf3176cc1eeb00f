// `envsync reconcile` without --mode lists the drift and changes nothing: not the checkout (byte for
// byte), not the system, whatever drift.mode .github/envsync.yml gives the app's scheduled check.
// In-process, against an SQLite store in a temporary folder.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/cli.js';

const example = fileURLToPath(new URL('../../examples/config-repo/', import.meta.url));

let work: string;
let repo: string;
let store: string[];

const envsync = (...argv: string[]) => runCli(repo, argv);

/** Every file of the checkout with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return files;
}

/** What the system holds and what happened to it, as the command line shows them. */
async function systemState() {
  return { specs: (await envsync('system', 'list', '--format', 'json', ...store)).stdout, events: (await envsync('system', 'events', ...store)).stdout };
}

const changedDev = [
  'apiVersion: eaas.envmgmt.io/v1',
  'kind: Environment',
  'metadata:',
  '  name: dev',
  '  project: payments',
  "  description: Developers' shared environment",
  'spec:',
  '  template:',
  '    name: web-stack',
  '    version: v1',
  '  agents:',
  '  - name: linux-small',
  '  variables:',
  '  - name: owner_team',
  '    value: payments-dev',
  '  - name: replicas',
  '    value: "2"',
  '',
].join('\n');

beforeEach(async () => {
  vi.stubEnv('DATABASE_URL', '');
  vi.stubEnv('ENVSYNC_ACTOR', 'alice');
  work = mkdtempSync(join(tmpdir(), 'envsync-reconcile-'));
  repo = join(work, 'repo');
  cpSync(example, repo, { recursive: true });
  store = ['--store', `sqlite:${join(work, 'store.db')}`];
  expect(await envsync('system', 'apply', '.', ...store)).toMatchObject({ code: 0, stdout: 'applied working tree: 15 created, 0 updated, 0 deleted\n' });
  // The system drifts from Git both ways: a spec changed, and one that only it holds.
  writeFileSync(join(work, 'dev.yaml'), changedDev);
  expect(await envsync('system', 'put', join(work, 'dev.yaml'), ...store)).toMatchObject({ code: 0, stdout: 'updated\n' });
  expect((await envsync('system', 'launch', 'payments/qa', '--template', 'web-stack@v1', '--var', 'owner_team=qa', ...store)).code).toBe(0);
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(work, { recursive: true, force: true });
});

const LISTED =
  'drift: 2 specs\n' +
  '  Environment/payments/dev: differs between the system and Git\n' +
  '  Environment/payments/qa: only in the system\n' +
  'nothing changed: settle it with --mode git-wins (apply Git to the system) or --mode system-wins (write the system into the checkout)\n';

describe('envsync reconcile without --mode', () => {
  it('lists the drift and says how to settle it, leaving the checkout byte-identical and the system as it was', async () => {
    const checkout = snapshot(repo);
    const system = await systemState();
    expect(await envsync('reconcile', '.', ...store)).toEqual({ code: 0, stdout: LISTED, stderr: '' });
    expect(snapshot(repo)).toEqual(checkout);
    expect(await systemState()).toEqual(system);
  });

  it.each(['git-wins', 'system-wins'])('changes nothing either when .github/envsync.yml sets drift.mode: %s for the app', async (mode) => {
    mkdirSync(join(repo, '.github'));
    writeFileSync(join(repo, '.github', 'envsync.yml'), `drift:\n  mode: ${mode}\n`);
    const checkout = snapshot(repo);
    const system = await systemState();
    expect(await envsync('reconcile', '.', ...store)).toEqual({ code: 0, stdout: LISTED, stderr: '' });
    expect(snapshot(repo)).toEqual(checkout);
    expect(await systemState()).toEqual(system);
  });

  it('refuses a mode it does not know, with exit code 2, before it reads anything', async () => {
    const checkout = snapshot(repo);
    expect(await envsync('reconcile', '.', '--mode', 'sideways', ...store)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'envsync: --mode must be git-wins or system-wins, not "sideways"\nRun `envsync --help` for usage.\n',
    });
    expect(snapshot(repo)).toEqual(checkout);
  });
});

describe('envsync reconcile --mode git-wins', () => {
  it("refuses, as a merge does, a checkout that deletes all of a project's specs, and applies it with --allow-deletion", async () => {
    // A checkout that lost project payments (a wrong folder, a half-done move): git-wins would delete it from the system.
    rmSync(join(repo, 'projects', 'payments'), { recursive: true });
    rmSync(join(repo, 'projects', 'payments.yaml'));
    const system = await systemState();
    const refused = await envsync('reconcile', '.', '--mode', 'git-wins', ...store);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^envsync: working tree was not applied: it deletes all \d+ specs of project payments\. Check --store and the folder; apply it with --allow-deletion if this is meant\.\n$/);
    expect(await systemState()).toEqual(system);

    const allowed = await envsync('reconcile', '.', '--mode', 'git-wins', '--allow-deletion', ...store);
    expect(allowed).toMatchObject({ code: 0, stderr: '' });
    expect(allowed.stdout).toMatch(/\ngit wins: applied working tree to the system: 0 created, 0 updated, \d+ deleted\n$/);
    expect(JSON.parse((await systemState()).specs).filter((r: { project: string }) => r.project === 'payments')).toEqual([]);
  });
});
