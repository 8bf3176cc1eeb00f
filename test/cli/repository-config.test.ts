// The configuration plan, run and system commands read: a link is never followed, as in validate.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readRepositoryConfig } from '../../src/cli/repository-config.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

it('reads a configuration linked out of the checkout as the defaults, with the link reported', () => {
  const outside = mkdtempSync(join(tmpdir(), 'envsync-outside-'));
  const dir = mkdtempSync(join(tmpdir(), 'envsync-checkout-'));
  dirs.push(outside, dir);
  writeFileSync(join(outside, 'settings.yml'), 'root: stolen\n');
  mkdirSync(join(dir, '.github'));
  symlinkSync(join(outside, 'settings.yml'), join(dir, '.github', 'envsync.yml'));
  const { config, findings } = readRepositoryConfig(dir);
  expect(config.root).toBe('.');
  expect(findings.map((f) => `${f.file} ${f.code}`)).toEqual(['.github/envsync.yml link-outside-checkout']);
});
