// The configuration of the checkout a command works on: `.github/envsync.yml` in the folder, read
// as validate reads it (a regular file only: a link is reported, never read, and the defaults apply).
import { parseRepositoryConfig, type ResolvedConfig } from '../config/config.js';
import { readConfigFile } from '../config/read-config.js';
import type { Finding } from '../specs/findings.js';

export function readRepositoryConfig(dir: string): { config: ResolvedConfig; findings: Finding[] } {
  const { text, findings } = readConfigFile(dir);
  const parsed = parseRepositoryConfig(text);
  return { config: parsed.config, findings: [...findings, ...parsed.findings] };
}
