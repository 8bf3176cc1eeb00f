// Lookup of specs by kind, project and name, with the sharing rules between projects.
import type { KindName } from '../specs/kinds.js';
import type { LoadedSpec } from '../specs/load.js';

export type Resolution =
  | { status: 'found'; spec: LoadedSpec }
  | { status: 'missing'; candidates: string[] }
  | { status: 'not-shared'; owners: LoadedSpec[] }
  | { status: 'version-missing'; versions: string[]; spec: LoadedSpec };

export class SpecIndex {
  /** kind → name → specs (several projects, or several versions, may share a name). */
  private readonly byKindName = new Map<string, Map<string, LoadedSpec[]>>();
  /** kind → project → name → specs: a project's own names, found without scanning other projects. */
  private readonly byKindProjectName = new Map<string, Map<string, Map<string, LoadedSpec[]>>>();
  private readonly byKind = new Map<string, LoadedSpec[]>();

  constructor(readonly specs: readonly LoadedSpec[]) {
    for (const spec of specs) {
      push(nested(this.byKindName, spec.kind.kind), spec.name, spec);
      push(nested(nested(this.byKindProjectName, spec.kind.kind), spec.project), spec.name, spec);
      const ofKind = this.byKind.get(spec.kind.kind);
      if (ofKind) ofKind.push(spec);
      else this.byKind.set(spec.kind.kind, [spec]);
    }
  }

  /** The specs of one kind, project and name (several only for template versions). */
  find(kind: KindName, project: string, name: string): readonly LoadedSpec[] {
    return this.byKindProjectName.get(kind)?.get(project)?.get(name) ?? [];
  }

  all(kind: KindName, name: string): readonly LoadedSpec[] {
    return this.byKindName.get(kind)?.get(name) ?? [];
  }

  /**
   * Resolves a reference made from `fromProject`: its own project first, then a spec another project
   * shares with it. With `version`, that version must exist among the visible ones.
   */
  resolve(kind: KindName, name: string, fromProject: string, version?: string): Resolution {
    const own = this.byKindProjectName.get(kind)?.get(fromProject)?.get(name);
    // The common case, one spec of that name in the referring project, allocates nothing.
    if (own?.length === 1 && (version === undefined || own[0]!.version === version)) return { status: 'found', spec: own[0]! };
    const visible = this.visible(kind, name, fromProject);
    if (visible.length === 0) {
      const named = this.all(kind, name);
      if (named.length > 0) return { status: 'not-shared', owners: [...named] };
      return { status: 'missing', candidates: this.visibleNames(kind, fromProject) };
    }
    if (version === undefined) return { status: 'found', spec: visible[0]! };
    const match = visible.find((s) => s.version === version);
    if (match) return { status: 'found', spec: match };
    return { status: 'version-missing', versions: visible.map((s) => s.version ?? '').filter(Boolean).sort(), spec: visible[0]! };
  }

  /** The specs of a name that a project sees: its own, else those other projects share with it (its own hide theirs). */
  visible(kind: KindName, name: string, fromProject: string): readonly LoadedSpec[] {
    return this.byKindProjectName.get(kind)?.get(fromProject)?.get(name) ?? this.all(kind, name).filter((s) => isSharedWith(s, fromProject));
  }

  /** Names of a kind that a project can refer to: its own and those shared with it (for suggestions). */
  visibleNames(kind: KindName, project: string): string[] {
    const names = new Set<string>();
    for (const spec of this.byKind.get(kind) ?? []) {
      if (spec.project === project || isSharedWith(spec, project)) names.add(spec.name);
    }
    return [...names];
  }
}

const indexes = new WeakMap<readonly LoadedSpec[], SpecIndex>();

/**
 * The index of a list of specs, made once per list: a loaded snapshot's list is kept while the
 * system does not change, and pages that read it build no index of it again.
 */
export function specIndexOf(specs: readonly LoadedSpec[]): SpecIndex {
  let index = indexes.get(specs);
  if (!index) indexes.set(specs, (index = new SpecIndex(specs)));
  return index;
}

/** A spec is visible to another project when sharing is enabled for that project or for `*`. */
export function isSharedWith(spec: LoadedSpec, project: string): boolean {
  const sharing = (spec.data.spec as { sharing?: { enabled?: boolean; projects?: { name?: string }[] } } | undefined)?.sharing;
  if (sharing?.enabled !== true) return false;
  return (sharing.projects ?? []).some((p) => p.name === project || p.name === '*');
}

function nested<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
