// Lookup of specs by kind, project and name, with the sharing rules between projects.
import type { KindName } from '../specs/kinds.js';
import type { LoadedSpec } from '../specs/load.js';

export type Resolution =
  | { status: 'found'; spec: LoadedSpec }
  | { status: 'missing'; candidates: string[] }
  | { status: 'not-shared'; owners: LoadedSpec[] }
  | { status: 'version-missing'; versions: string[]; spec: LoadedSpec };

export class SpecIndex {
  private readonly byKindName = new Map<string, LoadedSpec[]>();
  private readonly byKind = new Map<string, LoadedSpec[]>();

  constructor(readonly specs: readonly LoadedSpec[]) {
    for (const spec of specs) {
      const key = `${spec.kind.kind}\u0000${spec.name}`;
      const list = this.byKindName.get(key);
      if (list) list.push(spec);
      else this.byKindName.set(key, [spec]);
      const ofKind = this.byKind.get(spec.kind.kind);
      if (ofKind) ofKind.push(spec);
      else this.byKind.set(spec.kind.kind, [spec]);
    }
  }

  all(kind: KindName, name: string): readonly LoadedSpec[] {
    return this.byKindName.get(`${kind}\u0000${name}`) ?? [];
  }

  /**
   * Resolves a reference made from `fromProject`: its own project first, then a spec another project
   * shares with it. With `version`, that version must exist among the visible ones.
   */
  resolve(kind: KindName, name: string, fromProject: string, version?: string): Resolution {
    const named = this.all(kind, name);
    const own = named.filter((s) => s.project === fromProject);
    const visible = own.length > 0 ? own : named.filter((s) => isSharedWith(s, fromProject));
    if (visible.length === 0) {
      if (named.length > 0) return { status: 'not-shared', owners: [...named] };
      return { status: 'missing', candidates: this.visibleNames(kind, fromProject) };
    }
    if (version === undefined) return { status: 'found', spec: visible[0]! };
    const match = visible.find((s) => s.version === version);
    if (match) return { status: 'found', spec: match };
    return { status: 'version-missing', versions: visible.map((s) => s.version ?? '').filter(Boolean).sort(), spec: visible[0]! };
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

/** A spec is visible to another project when sharing is enabled for that project or for `*`. */
export function isSharedWith(spec: LoadedSpec, project: string): boolean {
  const sharing = (spec.data.spec as { sharing?: { enabled?: boolean; projects?: { name?: string }[] } } | undefined)?.sharing;
  if (sharing?.enabled !== true) return false;
  return (sharing.projects ?? []).some((p) => p.name === project || p.name === '*');
}
