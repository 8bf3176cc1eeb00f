// Reading `.github/envsync.yml` from a checkout on disk, as the app reads it from Git: a regular
// file only. A link is reported and never read (the file's text would end up in findings: a link to
// a file of the machine would print that file), and the defaults apply.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { firstLink, readRegularFile } from '../specs/read-directory.js';
import { linkFinding } from '../specs/links.js';
import { atStart, error, type Finding, type PendingFinding } from '../specs/findings.js';
import { locateFindings } from '../specs/locate.js';
import { CONFIG_PATH } from './config.js';

/** Larger than any configuration: a bigger file is reported rather than read. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** The text of the checkout's configuration (undefined when absent or not read), and why it was not read. */
export function readConfigFile(dir: string, maxBytes = MAX_CONFIG_BYTES): { text: string | undefined; findings: Finding[] } {
  const link = firstLink(dir, ['.github', CONFIG_PATH]);
  if (link) return notRead(linkFinding(link.path, link.target, 'config'));
  const full = join(dir, CONFIG_PATH);
  if (!isRegularFile(full)) return { text: undefined, findings: [] };
  const read = readRegularFile(full, CONFIG_PATH, maxBytes);
  if (!read.content) {
    return notRead(error(CONFIG_PATH, 'file-too-large', `file is ${read.size} bytes, over the limit of ${maxBytes}: a configuration is a few lines; remove what is not a setting`, atStart));
  }
  return { text: new TextDecoder().decode(read.content), findings: [] };
}

function isRegularFile(full: string): boolean {
  try {
    return lstatSync(full).isFile();
  } catch {
    return false;
  }
}

const notRead = (finding: PendingFinding | undefined) => ({ text: undefined, findings: finding ? locateFindings([finding], () => undefined) : [] });
