// One definition per spec, and one entry per name in each named list of a spec.
import { atValue, error, type DocPath, type PendingFinding } from '../../specs/findings.js';
import type { LoadedSpec } from '../../specs/load.js';
import { hookLists } from '../../specs/walk.js';
import type { EnvironmentTemplate, ResourceTemplate } from '../../specs/kinds.js';
import { laterDuplicates, type Rule } from './context.js';
import { stemMatches } from '../../specs/layout.js';

export const checkDuplicateSpecs: Rule = ({ index }) => {
  const findings: PendingFinding[] = [];
  const groups = new Map<string, LoadedSpec[]>();
  for (const spec of index.specs) {
    const key = [spec.kind.kind, spec.project, spec.name, spec.version ?? ''].join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), spec]);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    // The original is the file named after the spec; the copies (often a file copied without
    // renaming metadata.name) carry the finding, so a PR is annotated on the file it added.
    const [first, ...rest] = [...group].sort((a, b) => Number(!namedAfter(a)) - Number(!namedAfter(b)) || (a.file < b.file ? -1 : 1));
    for (const dup of rest) {
      const version = dup.version ? ` version ${dup.version}` : '';
      findings.push(
        error(
          dup.file,
          'duplicate-spec',
          `${dup.kind.kind} ${dup.project}/${dup.name}${version} is also defined in ${first!.file}: keep one of them (or give this one another name or version)`,
          atValue(['metadata', 'name']),
        ),
      );
    }
  }
  return findings;
};

function namedAfter(spec: LoadedSpec): boolean {
  const stem = spec.file.slice(spec.file.lastIndexOf('/') + 1).replace(/\.ya?ml$/, '');
  return stemMatches(stem, spec.name, spec.version);
}

interface NamedList {
  items: readonly Record<string, unknown>[];
  path: DocPath;
  field: string;
  what: string;
}

function namedLists(spec: LoadedSpec): NamedList[] {
  const s = (spec.data.spec ?? {}) as Record<string, unknown>;
  const lists: NamedList[] = [];
  const add = (key: string, field: string, what: string) => {
    const items = s[key];
    if (Array.isArray(items)) lists.push({ items, path: ['spec', key], field, what });
  };
  add('variables', 'name', 'variable');
  add('envVars', 'key', 'environment variable');
  add('envs', 'key', 'environment variable');
  add('resources', 'name', 'resource');
  if (spec.kind.kind === 'EnvironmentTemplate' || spec.kind.kind === 'ResourceTemplate') {
    for (const list of hookLists(s as EnvironmentTemplate['spec'] | ResourceTemplate['spec'])) {
      lists.push({ items: list.hooks as unknown as Record<string, unknown>[], path: list.path, field: 'name', what: 'hook' });
    }
  }
  return lists;
}

export const checkDuplicateEntries: Rule = ({ valid }) => {
  const findings: PendingFinding[] = [];
  for (const spec of valid) {
    for (const list of namedLists(spec)) {
      for (const dup of laterDuplicates(list.items, (item) => item[list.field] as string | undefined)) {
        findings.push(
          error(
            spec.file,
            'duplicate-entry',
            `${list.what} "${dup.key}" is already defined at ${list.path.join('.')}[${dup.first}]: keep one entry per ${list.field}`,
            atValue([...list.path, dup.index, list.field]),
          ),
        );
      }
    }
    const files = (spec.data.spec as { files?: { name?: string; mountPath?: string }[] } | undefined)?.files;
    if (Array.isArray(files)) {
      for (const dup of laterDuplicates(files, (f) => f.name ?? f.mountPath)) {
        const field = files[dup.index]!.name !== undefined ? 'name' : 'mountPath';
        findings.push(
          error(spec.file, 'duplicate-entry', `file "${dup.key}" is already defined at spec.files[${dup.first}]: keep one entry per file`, atValue(['spec', 'files', dup.index, field])),
        );
      }
    }
  }
  return findings;
};
