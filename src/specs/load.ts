// From source files to specs: parse, identify the kind, normalize spellings, check the schema and
// the layout. Pure: the caller reads the files.
import { atKey, atStart, atValue, error, warning, type PendingFinding } from './findings.js';
import { KIND_BY_NAME, KINDS, type KindInfo } from './kinds.js';
import { layoutRoot, placeOf, stemMatches } from './layout.js';
import { DEFAULT_PARSE_LIMITS, parseSpecFile, type ParseLimits } from './parse.js';
import { checkSchema, conformsToSchema } from './check-schema.js';
import { mayHoldVariants, normalizeSpelling } from './spelling.js';
import { RESOURCE_NAME, RESOURCE_NAME_MAX } from './schema/common.js';
import { closest, didYouMean } from './suggest.js';
import type { SourceFile } from './source.js';
import { layoutFolders, linkFinding } from './links.js';

export interface LoadedSpec {
  file: string;
  kind: KindInfo;
  project: string;
  name: string;
  version?: string;
  /** The parsed document with canonical spellings. */
  data: Record<string, unknown>;
  /** True when the document passed the schema and layout checks: repository rules rely on its shape. */
  valid: boolean;
  /** The file's bytes: equal bytes at the same path mean an unchanged spec, without comparing documents. */
  content?: Uint8Array;
}

export interface LoadResult {
  specs: LoadedSpec[];
  findings: PendingFinding[];
  /**
   * The text of a parsed file, for locating findings. Decoded again on demand from the bytes, which
   * live outside the JavaScript heap: keeping 10,000 decoded texts alive costs garbage collection.
   */
  textOf: (file: string) => string | undefined;
  /** Files under projects/ that are not specs, with the reason. */
  ignored: { file: string; reason: string }[];
  fileCount: number;
}

export interface LoadOptions {
  /** Layout root relative to the validated folder ('' for the folder itself). */
  root?: string;
  limits?: ParseLimits;
}

const API_VERSIONS = new Set(KINDS.map((k) => k.apiVersion));

/** What loading one file gives: its spec (when it holds one), its findings, why it was ignored. */
export interface FileLoad {
  spec?: LoadedSpec;
  findings: PendingFinding[];
  ignored?: { file: string; reason: string };
  /** Whether the file counts as a spec file read (fileCount). */
  counted: boolean;
  /** Whether its text was parsed (findings are located in it). */
  parsed: boolean;
}

/** What loading needs to know besides the file: the layout root and the parse limits. */
export interface FileLoader {
  root: string;
  limits: ParseLimits;
  layoutPath: ReadonlySet<string>;
}

export function fileLoader(options: LoadOptions = {}): FileLoader {
  const root = layoutRoot(options.root);
  return { root, limits: options.limits ?? DEFAULT_PARSE_LIMITS, layoutPath: new Set(layoutFolders(root)) };
}

/**
 * Loads one file. Depends on nothing but the file and the loader, so that a file whose bytes did not
 * change between two revisions need not be loaded twice (see load-cache.ts).
 */
export function loadFile(source: SourceFile, { root, limits, layoutPath }: FileLoader): FileLoad {
  if (source.link !== undefined) {
    const finding = linkFinding(source.path, source.link, layoutPath.has(source.path) ? 'layout' : 'projects-entry', root);
    return finding ? { findings: [finding], counted: false, parsed: false } : { findings: [], ignored: { file: source.path, reason: source.skipped ?? 'symbolic link, not followed' }, counted: false, parsed: false };
  }
  const underRoot = root === '' || source.path.startsWith(`${root}/`);
  const place = underRoot ? placeOf(root === '' ? source.path : source.path.slice(root.length + 1)) : ({ type: 'outside' } as const);
  if (place.type === 'outside') {
    return { findings: [], ignored: { file: source.path, reason: source.skipped ?? 'not in the projects/ layout' }, counted: false, parsed: false };
  }
  if (place.type === 'unknown-folder') {
    const message = `folder "${place.folder}" is not a kind folder, so this file is ignored: did you mean "${place.suggestion}"?`;
    return { findings: [warning(source.path, 'unknown-kind-folder', message, atStart)], counted: false, parsed: false };
  }
  if (source.skipped) {
    return { findings: [warning(source.path, 'file-skipped', `not read: ${source.skipped}; store the spec as a regular file`, atStart)], counted: false, parsed: false };
  }
  const parsed = parseSpecFile(source.path, source.content, source.size, limits);
  const wasParsed = parsed.text !== undefined && source.content !== undefined;
  if (!parsed.ok) return { findings: [...parsed.findings], counted: true, parsed: wasParsed };
  const findings: PendingFinding[] = [];
  const spec = identify(source.path, parsed.text, parsed.data, place, findings);
  if (spec) spec.content = source.content;
  return { ...(spec ? { spec } : {}), findings, counted: true, parsed: wasParsed };
}

export function loadSpecs(files: readonly SourceFile[], options: LoadOptions = {}): LoadResult {
  const loader = fileLoader(options);
  return assembleLoad(
    files,
    files.map((source) => loadFile(source, loader)),
  );
}

/** The load result of files loaded one by one (`loads[i]` is `files[i]`'s). */
export function assembleLoad(files: readonly SourceFile[], loads: readonly FileLoad[]): LoadResult {
  const parsedBytes = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  const textOf = (file: string) => {
    const bytes = parsedBytes.get(file);
    return bytes && decoder.decode(bytes);
  };
  const result: LoadResult = { specs: [], findings: [], textOf, ignored: [], fileCount: 0 };
  loads.forEach((load, i) => {
    const source = files[i]!;
    if (load.parsed && source.content) parsedBytes.set(source.path, source.content);
    if (load.counted) result.fileCount++;
    if (load.ignored) result.ignored.push(load.ignored);
    if (load.findings.length > 0) result.findings.push(...load.findings);
    if (load.spec) result.specs.push(load.spec);
  });
  return result;
}

/** A document that is already parsed (an API request, a stored spec), with the path it has or would have. */
export interface ParsedDocument {
  path: string;
  data: Record<string, unknown>;
  /** Its text, when it came as text: findings are then located in it. */
  text?: string;
}

/** Loads parsed documents through the same checks as files: kind, spellings, schema, layout. */
export function loadDocuments(documents: readonly ParsedDocument[]): LoadResult {
  const texts = new Map<string, string>();
  const result: LoadResult = { specs: [], findings: [], textOf: (file) => texts.get(file), ignored: [], fileCount: 0 };
  for (const doc of documents) {
    const place = placeOf(doc.path);
    if (place.type === 'outside' || place.type === 'unknown-folder') {
      // A document (unlike a file in a checkout) was meant to be a spec: not fitting the layout is an error.
      result.findings.push(error(doc.path, 'unknown-kind', 'this document is not a spec envsync knows: check its kind, name and project', atStart));
      continue;
    }
    result.fileCount++;
    if (doc.text !== undefined) texts.set(doc.path, doc.text);
    const spec = identify(doc.path, doc.text ?? JSON.stringify(doc.data), doc.data, place, result.findings);
    if (spec) result.specs.push(spec);
  }
  return result;
}

type Place = Exclude<ReturnType<typeof placeOf>, { type: 'outside' } | { type: 'unknown-folder' }>;

function identify(file: string, text: string, data: Record<string, unknown>, place: Place, findings: PendingFinding[]): LoadedSpec | undefined {
  const kind = kindOf(file, data, findings);
  if (!kind) return undefined;
  const before = findings.length;
  // A spec other than a Project directly in projects/ is misplaced, not misnamed: its file name
  // names no project, so the only advice is where it goes.
  const stray = place.type === 'project' && kind.kind !== 'Project';
  if (stray) {
    findings.push(error(file, 'kind-folder-mismatch', strayMessage(kind, data), atValue(['kind'])));
  } else if (place.type === 'spec' && kind.kind === 'Project') {
    findings.push(error(file, 'kind-folder-mismatch', `a Project is not ${withArticle(place.kind.kind)}: keep it at projects/<name>.yaml`, atValue(['kind'])));
  } else if (place.type === 'spec' && place.kind !== kind) {
    findings.push(error(file, 'kind-folder-mismatch', `${withArticle(kind.kind)} is in the "${place.kind.plural}" folder: move it to the "${kind.plural}" folder or correct the kind`, atValue(['kind'])));
  }

  // A variant spelling in a closed object fails the schema, so a conforming spec needs no renaming
  // walk; only kinds with open objects look for variants in a conforming one. Either way a variant
  // must appear in the text: a spec that fails for other reasons (20,000 unknown keys) is not walked.
  let conforms = conformsToSchema(kind, data);
  if ((!conforms || kind.hasOpenObjects) && mayHoldVariants(text)) {
    normalizeSpelling(data, kind.jsonSchema);
    conforms = conformsToSchema(kind, data);
  }
  if (!conforms) findings.push(...checkSchema(file, kind, data));

  const metadata = (typeof data.metadata === 'object' && data.metadata !== null ? data.metadata : {}) as Record<string, unknown>;
  const name = metadata.name;
  const spec = (typeof data.spec === 'object' && data.spec !== null ? data.spec : {}) as Record<string, unknown>;
  const version = kind.versioned && typeof spec.version === 'string' ? spec.version : undefined;
  const project = kind.kind === 'Project' ? name : metadata.project;
  if (typeof name !== 'string' || typeof project !== 'string') return undefined;

  const nameValid = checkName(file, name, ['metadata', 'name'], findings);
  const projectValid = kind.kind === 'Project' || checkName(file, project, ['metadata', 'project'], findings);

  // An invalid name gets no advice about file names: `../etc.yaml` is not a name to suggest.
  const folderProject = place.project;
  if (!nameValid || !projectValid || stray) {
    // reported above
  } else if (place.type === 'project') {
    if (name !== folderProject) {
      findings.push(error(file, 'name-mismatch', `metadata.name is "${name}" but the file is projects/${folderProject}.yaml: rename one to match the other`, atValue(['metadata', 'name'])));
    }
  } else {
    if (project !== folderProject) {
      findings.push(error(file, 'project-mismatch', `metadata.project is "${project}" but the file is in projects/${folderProject}/: move the file or correct the project`, atValue(['metadata', 'project'])));
    }
    if (!stemMatches(place.stem, name, version)) findings.push(fileNameMismatch(file, place.stem, name, version));
  }
  let valid = true;
  for (let i = before; i < findings.length; i++) if (findings[i]!.severity === 'error') valid = false;
  return { file, kind, project, name, version, data, valid, content: undefined };
}

/** `an Environment`, `a Driver`: the article goes by the first letter. */
const withArticle = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

/** A spec (not a Project) directly in projects/: where the layout keeps it, with its own names when it has them. */
function strayMessage(kind: KindInfo, data: Record<string, unknown>): string {
  const metadata = (typeof data.metadata === 'object' && data.metadata !== null ? data.metadata : {}) as Record<string, unknown>;
  const named = (v: unknown): v is string => typeof v === 'string' && RESOURCE_NAME.test(v);
  const target = named(metadata.project) && named(metadata.name) ? `; move it to projects/${metadata.project}/${kind.plural}/${metadata.name}.yaml` : '';
  return `${withArticle(kind.kind)} does not belong directly in projects/, where a file is a Project: the layout expects projects/<project>/${kind.plural}/<name>.yaml${target}`;
}

/**
 * A file name that disagrees with the spec. `<name>@<version>.yaml` whose version differs from
 * spec.version is about the version, not the name: the usual slip is a copied template whose
 * version was not bumped.
 */
function fileNameMismatch(file: string, stem: string, name: string, version: string | undefined): PendingFinding {
  if (version !== undefined && stem.startsWith(`${name}@`)) {
    const fileVersion = stem.slice(name.length + 1);
    return error(
      file,
      'name-mismatch',
      `the file is named ${stem}.yaml but spec.version is "${version}": the file name and the version must agree; set spec.version to "${fileVersion}", or name the file ${name}@${version}.yaml`,
      atValue(['spec', 'version']),
    );
  }
  const expected = version ? `${name}.yaml or ${name}@${version}.yaml` : `${name}.yaml`;
  return error(file, 'name-mismatch', `metadata.name is "${name}" but the file is named ${stem}.yaml: name the file ${expected}, or correct metadata.name`, atValue(['metadata', 'name']));
}

function kindOf(file: string, data: Record<string, unknown>, findings: PendingFinding[]): KindInfo | undefined {
  const { apiVersion, kind } = data;
  if (typeof kind !== 'string') {
    const problem = 'kind' in data ? '"kind" must be a string' : 'missing "kind"';
    findings.push(error(file, 'unknown-kind', `${problem}: a spec needs one of ${[...KIND_BY_NAME.keys()].join(', ')}`, 'kind' in data ? atValue(['kind']) : atStart));
    return undefined;
  }
  const info = KIND_BY_NAME.get(kind as KindInfo['kind']);
  if (!info) {
    findings.push(error(file, 'unknown-kind', `unknown kind "${kind}"${didYouMean(kind, KIND_BY_NAME.keys()) || `: use one of ${[...KIND_BY_NAME.keys()].join(', ')}`}`, atValue(['kind'])));
    return undefined;
  }
  if (apiVersion !== info.apiVersion) {
    const known = typeof apiVersion === 'string' && API_VERSIONS.has(apiVersion);
    const got = typeof apiVersion === 'string' ? `"${apiVersion}"` : 'missing';
    const hint = typeof apiVersion === 'string' && !known && closest(apiVersion, API_VERSIONS) ? ' (looks like a typo)' : '';
    findings.push(error(file, 'unknown-api-version', `apiVersion is ${got}${hint}, but ${withArticle(kind)} is apiVersion "${info.apiVersion}": correct it`, 'apiVersion' in data ? atValue(['apiVersion']) : atKey(['kind'])));
    return undefined;
  }
  return info;
}

function checkName(file: string, name: string, path: string[], findings: PendingFinding[]): boolean {
  const valid = name.length <= RESOURCE_NAME_MAX && RESOURCE_NAME.test(name);
  if (!valid) {
    findings.push(
      error(
        file,
        'invalid-name',
        `${path.join('.')} "${name}" is not a valid name: use at most ${RESOURCE_NAME_MAX} lowercase letters, digits and dashes, starting and ending with a letter or digit`,
        atValue(path),
      ),
    );
  }
  return valid;
}
