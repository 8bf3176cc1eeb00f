// `envsync validate` at the edges: a configuration linked to a file of the machine is reported and
// never printed, and a folder without projects/ says so instead of passing as "0 files".
// Runs the CLI in this process (test/helpers/cli.ts).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const CANARY = 'CANARY-d41e77';

const envsync = (args: string[], cwd: string) => runCli(cwd, args);

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'envsync-edges-'));
  dir = join(base, 'checkout');
  mkdirSync(dir);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const resource = 'apiVersion: eaas.envmgmt.io/v1\nkind: Resource\nmetadata:\n  name: r\n  project: shop\nspec: {}\n';

describe('a .github/envsync.yml that is a symbolic link', () => {
  it('is one link-outside-checkout finding when it leads out of the checkout, and no line of its target is printed', async () => {
    // Like /proc/meminfo: every line a `key: value` pair, each an "unknown field" if it were read.
    write(join(base, 'system-file'), Array.from({ length: 31 }, (_, i) => `${CANARY}${i}: ${i}`).join('\n') + '\n');
    write(join(dir, 'projects/shop/resources/r.yaml'), resource);
    mkdirSync(join(dir, '.github'));
    symlinkSync(join(base, 'system-file'), join(dir, '.github/envsync.yml'));
    for (const format of ['text', 'json', 'github']) {
      const result = await envsync(['validate', '.', '--format', format], dir);
      expect(result.stdout + result.stderr).not.toContain(CANARY);
      expect(result.code).toBe(1);
    }
    expect(JSON.parse((await envsync(['validate', '.', '--format', 'json'], dir)).stdout)).toEqual({
      findings: [
        {
          file: '.github/envsync.yml',
          line: 1,
          column: 1,
          severity: 'error',
          code: 'link-outside-checkout',
          message:
            'a symbolic link that leads outside the checkout: envsync never reads it, so that a change cannot make it print files of the machine it runs on; put the file itself here',
        },
      ],
      summary: { files: 1, specs: 1, errors: 1, warnings: 0 },
    });
  });
});

describe('a folder without projects/', () => {
  it('says the folder holds no projects/ folder and exits 1, instead of "0 files" and exit 0', async () => {
    write(join(dir, 'README.md'), '# not a config repository\n');
    const result = await envsync(['validate', 'checkout'], base);
    expect(result).toEqual({
      code: 1,
      stdout:
        'projects:1:1: error [no-projects-folder] checkout holds no projects/ folder: is this a config repository? Specs live in projects/<project>/<kind>/<name>.yaml; give envsync validate the top folder of a config repository checkout, or --root the folder inside it that holds projects/\n' +
        '0 files, 0 specs: 1 error, 0 warnings\n',
      stderr: '',
    });
  });

  it('names the current folder as "this folder"', async () => {
    const { findings } = JSON.parse((await envsync(['validate', '--format', 'json'], dir)).stdout) as { findings: { message: string }[] };
    expect(findings.map((f) => f.message.slice(0, f.message.indexOf('?') + 1))).toEqual(['this folder holds no projects/ folder: is this a config repository?']);
  });

  it('blames --root when the root it names holds no projects/', async () => {
    write(join(dir, 'projects/shop/resources/r.yaml'), resource);
    const result = await envsync(['validate', '.', '--root', 'config'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'config/projects:1:1: error [no-projects-folder] --root config names a folder that holds no projects/ folder, so there is nothing to validate: give --root the folder inside this folder that holds projects/\n' +
        '0 files, 0 specs: 1 error, 0 warnings\n',
    );
  });

  it('blames root in .github/envsync.yml at its value when the root it names holds no projects/', async () => {
    write(join(dir, '.github/envsync.yml'), 'projects: [shop]\nroot: config\n');
    write(join(dir, 'projects/shop/resources/r.yaml'), resource);
    const result = await envsync(['validate', '.'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      '.github/envsync.yml:2:7: error [no-projects-folder] root "config" names a folder that holds no projects/ folder, so there is nothing to validate: fix root in .github/envsync.yml, or add config/projects/\n' +
        '0 files, 0 specs: 1 error, 0 warnings\n',
    );
  });

  it('still passes a config repository whose projects/ is empty so far', async () => {
    mkdirSync(join(dir, 'projects'));
    expect(await envsync(['validate', '.'], dir)).toEqual({ code: 0, stdout: '0 files, 0 specs: 0 errors, 0 warnings\n', stderr: '' });
  });
});
