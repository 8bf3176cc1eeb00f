// The validation pipeline over a checkout on disk.
import type { Finding } from './specs/findings.js';
import { DEFAULT_PARSE_LIMITS } from './specs/parse.js';
import { readDirectory } from './specs/read-directory.js';
import { validateSources } from './engine/validate.js';

export interface DirectoryValidation {
  findings: Finding[];
  files: number;
  specs: number;
  ignored: { file: string; reason: string }[];
}

export function validateDirectory(dir: string, options: { root: string; maxFileBytes: number; listOutside?: boolean }): DirectoryValidation {
  const files = readDirectory(dir, options);
  const { findings, loaded } = validateSources(files, {
    root: options.root,
    limits: { ...DEFAULT_PARSE_LIMITS, maxFileBytes: options.maxFileBytes },
  });
  return { findings, files: loaded.fileCount, specs: loaded.specs.length, ignored: loaded.ignored };
}
