// The validation pipeline over a checkout on disk.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { atStart, error, type Finding, type PendingFinding } from './specs/findings.js';
import { DEFAULT_PARSE_LIMITS } from './specs/parse.js';
import { readDirectory } from './specs/read-directory.js';
import { validateSources } from './engine/validate.js';
import { layoutFolders } from './specs/links.js';
import { locateFindings } from './specs/locate.js';
import { CONFIG_PATH } from './config/config.js';

export interface DirectoryValidation {
  findings: Finding[];
  files: number;
  specs: number;
  ignored: { file: string; reason: string }[];
  /** Whether `<root>/projects` is a folder, or a link a finding already reports: else nothing was there to validate. */
  hasProjects: boolean;
}

export function validateDirectory(dir: string, options: { root: string; maxFileBytes: number; listOutside?: boolean }): DirectoryValidation {
  const files = readDirectory(dir, options);
  const { findings, loaded } = validateSources(files, {
    root: options.root,
    limits: { ...DEFAULT_PARSE_LIMITS, maxFileBytes: options.maxFileBytes },
  });
  const folders = layoutFolders(options.root);
  const hasProjects = isFolder(join(dir, folders.at(-1)!)) || files.some((f) => f.link !== undefined && folders.includes(f.path));
  return { findings, files: loaded.fileCount, specs: loaded.specs.length, ignored: loaded.ignored, hasProjects };
}

function isFolder(full: string): boolean {
  try {
    return lstatSync(full).isDirectory();
  } catch {
    return false;
  }
}

/** Where the layout root came from: the default (the folder itself), `--root`, or `root` in the configuration. */
export type RootSource = { from: 'default' } | { from: 'flag'; root: string } | { from: 'config'; root: string; configText: string | undefined };

/**
 * The finding for a folder with no `projects/`: validating it would silently pass with "0 files",
 * which is what a wrong folder or a wrong root looks like. `dir` is the folder as the user named it.
 */
export function noProjectsFinding(dir: string, source: RootSource): Finding {
  return locateFindings([noProjectsPending(dir, source)], (file) => (file === CONFIG_PATH && source.from === 'config' ? source.configText : undefined))[0]!;
}

function noProjectsPending(dir: string, source: RootSource): PendingFinding {
  const folder = dir === '.' ? 'this folder' : dir;
  if (source.from === 'flag') {
    return error(layoutFolders(source.root).at(-1)!, 'no-projects-folder', `--root ${source.root} names a folder that holds no projects/ folder, so there is nothing to validate: give --root the folder inside ${folder} that holds projects/`, atStart);
  }
  if (source.from === 'config') {
    return error(
      CONFIG_PATH,
      'no-projects-folder',
      `root "${source.root}" names a folder that holds no projects/ folder, so there is nothing to validate: fix root in ${CONFIG_PATH}, or add ${source.root}/projects/`,
      { path: ['root'], at: 'value' },
    );
  }
  const projects = 'projects';
  return error(
    projects,
    'no-projects-folder',
    `${folder} holds no projects/ folder: is this a config repository? Specs live in projects/<project>/<kind>/<name>.yaml; give envsync validate the top folder of a config repository checkout, or --root the folder inside it that holds projects/`,
    atStart,
  );
}
