// `envsync system get`, edit, `envsync system put`: the file carries the etag it was read at, so a
// change someone made in between is refused (and said so) instead of overwritten, and the secrets
// get printed masked keep their values. Runs the CLI in this process (test/helpers/cli.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const example = fileURLToPath(new URL('../../examples/config-repo/', import.meta.url));

let work: string;
let storeArg: string[];
const envsync = (...args: string[]) => runCli(work, [...args, ...storeArg], { env: { ENVSYNC_ACTOR: 'alice', DATABASE_URL: '' } });

/** What the store holds for a spec, read from the database itself (the CLI only shows it masked). */
function held(name: string): { spec: string; etag: string } {
  const db = new BetterSqlite(join(work, 'store.db'), { readonly: true });
  try {
    const row = db.prepare('select spec, generation from resources where name = ?').get(name) as { spec: string; generation: number };
    return { spec: row.spec, etag: `"${row.generation}"` };
  } finally {
    db.close();
  }
}

/** What `get` printed, written into files, each with one edit of its text. */
function editedCopies(printed: string, from: string, ...edits: [file: string, to: string][]): string[] {
  expect(printed).toContain(from);
  return edits.map(([file, to]) => {
    writeFileSync(join(work, file), printed.replace(from, to));
    return join(work, file);
  });
}

// A guard against a hang, not a measure: the first command loads the store's and the CLI's modules.
beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-etags-'));
  const repo = join(work, 'repo');
  cpSync(example, repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  storeArg = ['--store', `sqlite:${join(work, 'store.db')}`];
  expect(await envsync('system', 'apply', repo)).toMatchObject({ code: 0, stdout: 'applied working tree: 15 created, 0 updated, 0 deleted\n' });
}, 60_000);
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe('envsync system get, then put', () => {
  it('heads what get prints with the etag, and put of the edited file keeps the secrets get masked', async () => {
    const [file] = editedCopies((await envsync('system', 'get', 'ConfigContext/platform/aws-account')).stdout, 'value: eu-west-1', ['context.yaml', 'value: eu-central-1']);
    expect(readFileSync(file!, 'utf8').split('\n')[0]).toBe('# envsync etag: "1" (keep this line: envsync system put refuses the file if the spec changed since)');
    expect(await envsync('system', 'put', file!)).toEqual({ code: 0, stdout: 'updated\n', stderr: '' });
    const { spec } = held('aws-account');
    expect(spec).toContain('"value":"eu-central-1"');
    expect(spec).toContain('"value":"example-secret-access-key"');
    expect(spec).toContain('"value":"example-access-key-id"');
    expect(spec).not.toContain('(sensitive)');
  });

  it('refuses a file read before someone else changed the spec, saying what happened and what to do', async () => {
    // Two people read the same version; the second one's change is stored first.
    const [first, second] = editedCopies((await envsync('system', 'get', 'Environment/payments/dev')).stdout, 'value: payments-dev', ['first.yaml', 'value: first-team'], ['second.yaml', 'value: second-team']);
    expect(await envsync('system', 'put', second!)).toMatchObject({ code: 0, stdout: 'updated\n' });
    const now = held('dev').etag;
    expect(await envsync('system', 'put', first!)).toEqual({
      code: 1,
      stdout: '',
      stderr: `envsync: Environment/payments/dev changed since it was read (at etag "1"; the system now holds ${now}): nothing was stored. Run envsync system get Environment/payments/dev > FILE to read what it holds now, reapply your change to that, and put it\n`,
    });
    expect(held('dev').spec).toContain('"value":"second-team"');
  });

  it('puts a file without an etag line (one from Git) as before, unconditionally', async () => {
    writeFileSync(join(work, 'dev.yaml'), readFileSync(join(example, 'projects/payments/environments/dev.yaml'), 'utf8').replace('value: payments-dev', 'value: from-git'));
    expect(await envsync('system', 'put', join(work, 'dev.yaml'))).toMatchObject({ code: 0, stdout: 'updated\n' });
  });
});

describe('envsync system delete', () => {
  it('refuses to delete a spec changed since the etag given, and deletes it at the etag it holds', async () => {
    const [file] = editedCopies((await envsync('system', 'get', 'Environment/payments/staging')).stdout, 'name: staging\n', ['staging.yaml', 'name: staging\n  description: changed\n']);
    expect(await envsync('system', 'put', file!)).toMatchObject({ code: 0, stdout: 'updated\n' });
    const now = held('staging').etag;
    expect(await envsync('system', 'delete', 'Environment/payments/staging', '--if-match', '1')).toEqual({
      code: 1,
      stdout: '',
      stderr: `envsync: Environment/payments/staging changed since it was read (at etag "1"; the system now holds ${now}): nothing was deleted. Run envsync system get Environment/payments/staging to see what it holds now, and delete it again if that is still meant\n`,
    });
    expect(await envsync('system', 'delete', 'Environment/payments/staging', '--if-match', now)).toMatchObject({ code: 0, stdout: 'deleted\n' });
  });
});
