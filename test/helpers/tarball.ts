// The example config repository as GitHub's tarball endpoint serves it: one top folder named after
// the repository and commit, gzipped.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar } from 'tar';
import { EXAMPLE } from '../golden/scenarios.js';

export function exampleTarball(top = 'acme-config-1a2b3c'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'envsync-tar-'));
  try {
    cpSync(EXAMPLE, join(dir, top), { recursive: true });
    const file = join(dir, 'repo.tar.gz');
    createTar({ gzip: true, cwd: dir, file, sync: true, portable: true }, [top]);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
