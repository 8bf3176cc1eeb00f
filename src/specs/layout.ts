// Where specs live in a config repository:
//   <root>/projects/<project>.yaml                       the Project itself
//   <root>/projects/<project>/<kind-plural>/<name>.yaml  every other spec
// A template may keep several versions side by side as <name>@<version>.yaml.
import { posix } from 'node:path';
import { KIND_BY_NAME, KIND_BY_PLURAL, KINDS, type KindInfo } from './kinds.js';
import { closest } from './suggest.js';

export type LayoutPlace =
  | { type: 'project'; project: string }
  | { type: 'spec'; project: string; kind: KindInfo; stem: string }
  | { type: 'unknown-folder'; project: string; folder: string; suggestion: string }
  | { type: 'outside' };

const SPEC_EXTENSION = /\.ya?ml$/;

/** Whether a file's name (or path) is a spec file's: `.yaml` or `.yml`. Every reader asks this one. */
export const isSpecFileName = (name: string): boolean => SPEC_EXTENSION.test(name);

/** Kind folders the vendor's sync writes that envsync does not model; their files are skipped quietly. */
export const UNMODELLED_FOLDERS = new Set([
  'agents',
  'repositories',
  'pipelines',
  'workloads',
  'workloadtemplates',
  'blueprints',
  'addons',
  'namespaces',
  'artifacts',
]);

const modelledPlurals = KINDS.filter((k) => k.kind !== 'Project').map((k) => k.plural);

/** Classifies a path relative to the layout root (posix separators). */
export function placeOf(relative: string): LayoutPlace {
  const parts = relative.split('/');
  if (parts[0] !== 'projects') return { type: 'outside' };
  if (parts.length === 2 && SPEC_EXTENSION.test(parts[1]!)) {
    return { type: 'project', project: parts[1]!.replace(SPEC_EXTENSION, '') };
  }
  if (parts.length !== 4 || !SPEC_EXTENSION.test(parts[3]!)) return { type: 'outside' };
  const [, project, folder, fileName] = parts as [string, string, string, string];
  const kind = KIND_BY_PLURAL.get(folder);
  if (kind) return { type: 'spec', project, kind, stem: fileName.replace(SPEC_EXTENSION, '') };
  if (UNMODELLED_FOLDERS.has(folder)) return { type: 'outside' };
  const suggestion = closest(folder, modelledPlurals);
  return suggestion ? { type: 'unknown-folder', project, folder, suggestion } : { type: 'outside' };
}

/** The file name a spec should have: `<name>` or, for a template version, `<name>@<version>`. */
export function stemMatches(stem: string, name: string, version: string | undefined): boolean {
  return stem === name || (version !== undefined && stem === `${name}@${version}`);
}

/** The identity of a spec in the layout. */
export interface LayoutKey {
  kind: string;
  project: string;
  name: string;
  version?: string;
}

/**
 * The folder that holds `projects/`, as layout paths start with it: '' for the repository's top, else
 * normalized without a trailing slash. One place, because `./config`, `config/` and `config` must all
 * name the same folder: a root that matched no file would read as a revision with no specs.
 */
export function layoutRoot(root: string | undefined): string {
  if (root === undefined || root === '' || root === '.') return '';
  const normalized = posix.normalize(root).replace(/\/+$/, '');
  return normalized === '.' ? '' : normalized;
}

/**
 * Where a spec lives: `projects/<project>.yaml` for a Project, else
 * `projects/<project>/<plural>/<name>.yaml`, or `<name>@<version>.yaml` for a template version that
 * has siblings (`versioned`). Names must be checked before (RESOURCE_NAME): they become paths.
 */
export function layoutPathOf(key: LayoutKey, versioned = false, root = ''): string {
  const base = layoutRoot(root);
  const prefix = base === '' ? '' : `${base}/`;
  if (key.kind === 'Project') return `${prefix}projects/${key.name}.yaml`;
  const plural = KIND_BY_NAME.get(key.kind as KindInfo['kind'])?.plural ?? `${key.kind.toLowerCase()}s`;
  return `${prefix}projects/${key.project}/${plural}/${key.name}${versioned && key.version !== undefined ? `@${key.version}` : ''}.yaml`;
}

/** A path no two specs share, whatever else the folder holds: a template version always in the name. */
export const uniquePathOf = (key: LayoutKey): string => layoutPathOf(key, key.version !== undefined);
