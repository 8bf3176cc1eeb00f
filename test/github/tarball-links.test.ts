// Symbolic links in a revision read from GitHub's tarball: never followed, and judged by their
// target as in a git revision, so that the app reports what `envsync validate` reports.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create as createTar } from 'tar';
import { expect, it } from 'vitest';
import { validateSources } from '../../src/engine/validate.js';
import { readRevision } from '../../src/github/tarball.js';

const SPEC = 'apiVersion: eaas.envmgmt.io/v1\nkind: Resource\nmetadata:\n  name: r\n  project: p\nspec: {}\n';

/** A tarball as GitHub serves it (one top folder), with files and links. */
function tarball(files: Record<string, string>, links: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'envsync-tarball-links-'));
  try {
    const top = join(dir, 'acme-config-abc');
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(top, path)), { recursive: true });
      writeFileSync(join(top, path), text);
    }
    for (const [path, target] of Object.entries(links)) {
      mkdirSync(dirname(join(top, path)), { recursive: true });
      symlinkSync(target, join(top, path));
    }
    createTar({ gzip: true, cwd: dir, file: join(dir, 't.tgz'), sync: true, portable: true }, ['acme-config-abc']);
    return readFileSync(join(dir, 't.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const findingsOf = async (tgz: Buffer, root = '') => {
  const contents = await readRevision(tgz, { root, maxFileBytes: 1 << 20 });
  return validateSources(contents.files, { root }).findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.code}`);
};

it('reports a spec linked out of the checkout as an error at the link, and reads it as no spec', async () => {
  const tgz = tarball({ 'projects/p/resources/r.yaml': SPEC }, { 'projects/p/resources/passwd.yaml': '/etc/passwd', 'projects/p/resources/up.yaml': '../../../../x.yaml' });
  expect(await findingsOf(tgz)).toEqual(['projects/p/resources/passwd.yaml:1:1 error link-outside-checkout', 'projects/p/resources/up.yaml:1:1 error link-outside-checkout']);
});

it('reports projects/ that is a link, inside or out, and reads no spec through it', async () => {
  expect(await findingsOf(tarball({ 'elsewhere/p/resources/r.yaml': SPEC }, { projects: 'elsewhere' }))).toEqual(['projects:1:1 error link-not-followed']);
  expect(await findingsOf(tarball({}, { projects: '/etc' }))).toEqual(['projects:1:1 error link-outside-checkout']);
});

it('reports a layout root that is a link', async () => {
  expect(await findingsOf(tarball({ 'real/projects/p/resources/r.yaml': SPEC }, { config: 'real' }), 'config')).toEqual(['config:1:1 error link-not-followed']);
});
