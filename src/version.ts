// envsync's own folder and version, from its package.json: found by walking up from this file,
// because the file sits at a different depth when run from source (tests) than from the build (dist/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_NAME } from './runner/contract.js';

let cached: { root: string; version: string } | undefined;

function findPackage(): { root: string; version: string } {
  if (cached) return cached;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === PACKAGE_NAME && pkg.version) return (cached = { root: dir, version: pkg.version });
  }
  throw new Error('the package.json of envsync cannot be found beside its code');
}

export const packageVersion = (): string => findPackage().version;

/** The folder envsync is installed in (bin/, examples/, package.json). */
export const packageRoot = (): string => findPackage().root;
