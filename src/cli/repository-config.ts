// The configuration of the checkout a command works on: `.github/envsync.yml` in the folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_PATH, parseRepositoryConfig, type ResolvedConfig } from '../config/config.js';
import type { Finding } from '../specs/findings.js';

export function readRepositoryConfig(dir: string): { config: ResolvedConfig; findings: Finding[] } {
  const file = join(dir, CONFIG_PATH);
  return parseRepositoryConfig(existsSync(file) ? readFileSync(file, 'utf8') : undefined);
}
