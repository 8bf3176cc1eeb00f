// The validation one environment's run needs: the specs it reads (environment-closure.ts), parsed and
// checked against their schemas and the repository rules, and no others. A mistake in a spec the run
// does not read is not this run's to refuse. Files are picked by where the layout keeps a spec of a
// given kind and name, so the rest are never parsed: parsing and schema checks are what a whole
// repository's validation costs, reading the files is not.
import { type Finding, type PendingFinding } from '../specs/findings.js';
import type { KindName } from '../specs/kinds.js';
import { layoutRoot, placeOf } from '../specs/layout.js';
import { assembleLoad, fileLoader, loadFile, type FileLoad, type FileLoader, type LoadedSpec, type LoadOptions, type LoadResult } from '../specs/load.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import { environmentClosure, type EnvironmentClosure, type Lookup } from './environment-closure.js';
import { SpecIndex } from './spec-index.js';
import { capFindingsPerFile, RULES } from './validate.js';

export interface EnvironmentValidation {
  findings: Finding[];
  /** Every spec read: those the run reads, and the others of their names that references resolve among. */
  index: SpecIndex;
}

export function validateEnvironment(files: readonly SourceFile[], options: LoadOptions, project: string, environment: string): EnvironmentValidation {
  const layout = layoutOf(files, options.root);
  const reader = new SpecReader(options);
  let { index, closure } = walk(reader, project, environment);
  for (;;) {
    const unread = closure.lookups.flatMap((l) => placesToRead(l, layout, reader)).filter((f) => !reader.has(f.path));
    if (unread.length === 0) break;
    reader.read(unread);
    ({ index, closure } = walk(reader, project, environment));
  }
  // Not where the layout keeps it: the spec may be misplaced, or missing. Reading every file, as the
  // whole validation does, finds the first and says the second with the same suggestions.
  if (closure.lookups.some((l) => !l.found)) {
    reader.read(files);
    ({ index, closure } = walk(reader, project, environment));
  }
  const checked = filesToCheck(closure, reader.specs, layout);
  const ruled = RULES.flatMap((rule) => rule({ index, valid: closure.specs.filter((s) => s.valid) }));
  const pending = [...reader.findings, ...ruled].filter((f) => checked.has(f.file));
  return { findings: capFindingsPerFile(locateFindings(pending, reader.textOf)), index };
}

function walk(reader: SpecReader, project: string, environment: string): { index: SpecIndex; closure: EnvironmentClosure } {
  const index = new SpecIndex(reader.specs);
  return { index, closure: environmentClosure(index, project, environment) };
}

/**
 * The files that may hold the spec looked for. A spec of that name in the referring project hides
 * those of every other project (SpecIndex.resolve): theirs are read only when it has none.
 */
function placesToRead(lookup: Lookup, layout: Layout, reader: SpecReader): SourceFile[] {
  const places = layout.places(lookup.kind, lookup.name);
  const own = places.filter((p) => p.project === lookup.from);
  const ownOnly = lookup.found !== undefined || own.some((p) => !reader.has(p.source.path));
  return (ownOnly ? own : places).map((p) => p.source);
}

/**
 * The files whose findings refuse the run: those of the specs it reads; those defining one of them
 * again (a duplicate); and those where the layout keeps a spec looked for that hold no spec (a YAML
 * error, a link), which may be the very spec. For a spec found, only in the referring project and
 * the one it was found in; for one not found, in any project.
 */
function filesToCheck(closure: EnvironmentClosure, specs: readonly LoadedSpec[], layout: Layout): Set<string> {
  const checked = new Set(closure.specs.map((s) => s.file));
  const identities = new Set(closure.specs.map(identityOf));
  for (const spec of specs) if (identities.has(identityOf(spec))) checked.add(spec.file);
  const holdingSpecs = new Set(specs.map((s) => s.file));
  for (const lookup of closure.lookups) {
    const projects = lookup.found ? [lookup.from, lookup.found.project] : undefined;
    for (const place of layout.places(lookup.kind, lookup.name)) {
      if (holdingSpecs.has(place.source.path) || (projects && !projects.includes(place.project))) continue;
      if (couldHold(place.stem, lookup)) checked.add(place.source.path);
    }
  }
  return checked;
}

const identityOf = (s: LoadedSpec) => [s.kind.kind, s.project, s.name, s.version ?? ''].join('\u0000');

/** Whether a file named `stem` could hold the spec looked for: `<name>`, or `<name>@<version>`. */
function couldHold(stem: string, lookup: Lookup): boolean {
  if (stem === lookup.name) return true;
  return lookup.version === undefined ? stem.startsWith(`${lookup.name}@`) : stem === `${lookup.name}@${lookup.version}`;
}

interface Place {
  source: SourceFile;
  project: string;
  stem: string;
}

interface Layout {
  /** Where the layout keeps the specs of a kind and name, in every project (every version of a template). */
  places(kind: KindName, name: string): readonly Place[];
}

/** The files of the layout by kind and name (a template's versions together), read from their paths alone. */
function layoutOf(files: readonly SourceFile[], root: string | undefined): Layout {
  const base = layoutRoot(root);
  const byName = new Map<string, Place[]>();
  const key = (kind: string, name: string) => `${kind}\u0000${name}`;
  for (const source of files) {
    if (base !== '' && !source.path.startsWith(`${base}/`)) continue;
    const place = placeOf(base === '' ? source.path : source.path.slice(base.length + 1));
    if (place.type !== 'spec') continue;
    const name = place.stem.split('@')[0]!;
    const list = byName.get(key(place.kind.kind, name));
    const entry = { source, project: place.project, stem: place.stem };
    if (list) list.push(entry);
    else byName.set(key(place.kind.kind, name), [entry]);
  }
  return { places: (kind, name) => byName.get(key(kind, name)) ?? [] };
}

/** Loads files as they are asked for, each once (loadFile), and what they hold together (assembleLoad). */
class SpecReader {
  private readonly files: SourceFile[] = [];
  private readonly loads: FileLoad[] = [];
  private readonly paths = new Set<string>();
  private readonly loader: FileLoader;
  private loaded: LoadResult | undefined;

  constructor(options: LoadOptions) {
    this.loader = fileLoader(options);
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  read(files: readonly SourceFile[]): void {
    for (const file of files) {
      if (this.has(file.path)) continue;
      this.paths.add(file.path);
      this.files.push(file);
      this.loads.push(loadFile(file, this.loader));
      this.loaded = undefined;
    }
  }

  private get result(): LoadResult {
    return (this.loaded ??= assembleLoad(this.files, this.loads));
  }

  get specs(): readonly LoadedSpec[] {
    return this.result.specs;
  }

  get findings(): readonly PendingFinding[] {
    return this.result.findings;
  }

  readonly textOf = (file: string): string | undefined => this.result.textOf(file);
}
