// The validation pipeline over a checkout: read, load, run the repository rules, locate findings.
import type { Finding } from './specs/findings.js';
import { loadSpecs } from './specs/load.js';
import { locateFindings } from './specs/locate.js';
import { DEFAULT_PARSE_LIMITS } from './specs/parse.js';
import { readDirectory } from './specs/read-directory.js';
import { validateRepository } from './engine/validate.js';

export interface DirectoryValidation {
  findings: Finding[];
  files: number;
  specs: number;
  ignored: { file: string; reason: string }[];
}

export function validateDirectory(dir: string, options: { root: string; maxFileBytes: number }): DirectoryValidation {
  const files = readDirectory(dir, options);
  const loaded = loadSpecs(files, {
    root: options.root,
    limits: { ...DEFAULT_PARSE_LIMITS, maxFileBytes: options.maxFileBytes },
  });
  const findings = locateFindings(validateRepository(loaded), loaded.texts);
  return { findings, files: loaded.fileCount, specs: loaded.specs.length, ignored: loaded.ignored };
}
