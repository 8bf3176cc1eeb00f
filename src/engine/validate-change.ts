// Validation of a revision from an earlier one. A pull request changes ten files of a repository of
// 30,000: loading is per file (load-cache.ts keeps what did not change), and the rules that look
// across specs are rerun only for the specs the change can affect, so that the cost follows the
// change. Equal to a full validation: test/engine/validate-change.test.ts proves it on random changes.
import type { Finding, PendingFinding } from '../specs/findings.js';
import type { LoadedSpec, LoadResult } from '../specs/load.js';
import { locateFindings } from '../specs/locate.js';
import { referencesOf, type Reference } from './references.js';
import { checkDuplicateSpecs } from './rules/duplicates.js';
import { SpecIndex } from './spec-index.js';
import { capFindingsPerFile, SPEC_RULES } from './validate.js';

export interface ValidatedRevision {
  loaded: LoadResult;
  /** What SPEC_RULES found, by the file of the spec each finding is about. */
  specRuleFindings: ReadonlyMap<string, readonly PendingFinding[]>;
  /** Every finding, located and capped per file, as validateSources gives them. */
  findings: Finding[];
  /** The specs SPEC_RULES ran on: every valid spec, or those the change could affect. */
  rechecked: number;
}

/** An earlier revision's validation, and the files whose bytes differ from it (changed, added or removed). */
export interface ValidationBase {
  base: ValidatedRevision;
  changed: ReadonlySet<string>;
}

/** Validates a loaded revision: whole, or from `from` when given. */
export function validateLoaded(loaded: LoadResult, from?: ValidationBase): ValidatedRevision {
  const steps = validationSteps(loaded, from);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Specs the rules run on between two pauses of validationSteps: about 50 ms of work. */
const SLICE = 2_000;

/**
 * validateLoaded, pausing (yielding) after each slice of specs: a caller on the server's event loop
 * lets webhooks through between slices of a 30,000-spec validation instead of blocking for a second.
 */
export function* validationSteps(loaded: LoadResult, from?: ValidationBase): Generator<void, ValidatedRevision> {
  const index = new SpecIndex(loaded.specs);
  const affected = from ? affectedSpecs(from, loaded) : undefined;
  const subjects = loaded.specs.filter((s) => s.valid && (!affected || affected.has(s)));
  const found = new Map<string, PendingFinding[]>();
  for (let start = 0; start < subjects.length; start += SLICE) {
    if (start > 0) yield;
    const slice = subjects.slice(start, start + SLICE);
    for (const rule of SPEC_RULES) {
      for (const finding of rule({ index, valid: slice })) {
        const group = found.get(finding.file);
        if (group) group.push(finding);
        else found.set(finding.file, [finding]);
      }
    }
  }
  const specRuleFindings = new Map<string, readonly PendingFinding[]>();
  for (const spec of loaded.specs) {
    const findings = affected && !affected.has(spec) ? from!.base.specRuleFindings.get(spec.file) : found.get(spec.file);
    if (findings && findings.length > 0) specRuleFindings.set(spec.file, findings);
  }
  // Duplicate specs are a matter of groups, not of one spec, and cheap: always found whole.
  const pending = [...loaded.findings, ...[...specRuleFindings.values()].flat(), ...checkDuplicateSpecs({ index, valid: [] })];
  return { loaded, specRuleFindings, findings: capFindingsPerFile(locateFindings(pending, loaded.textOf)), rechecked: subjects.length };
}

const keyOf = (kind: string, name: string) => `${kind}\u0000${name}`;

const referencesCache = new WeakMap<LoadedSpec, Reference[]>();
/** A spec's references, once per loaded spec: unchanged files keep their loaded specs between revisions. */
function referencesOnce(spec: LoadedSpec): Reference[] {
  let refs = referencesCache.get(spec);
  if (!refs) referencesCache.set(spec, (refs = safeReferencesOf(spec)));
  return refs;
}

/** referencesOf, also of a spec whose shape failed its schema: what can be read of it, else none. */
function safeReferencesOf(spec: LoadedSpec): Reference[] {
  try {
    return referencesOf(spec).filter((r) => typeof r.name === 'string');
  } catch {
    return [];
  }
}

/** Codes whose messages list what else exists (suggestions, versions, owners): any added or removed spec may change them. */
const LISTS_OTHERS = new Set(['ref-not-found', 'ref-not-shared', 'ref-version-not-found']);

/**
 * The specs of `head` whose SPEC_RULES findings may differ from the base's: those of changed files,
 * and, transitively, those that refer (by kind and name, whatever the project or version) to a spec
 * changed, added or removed: an environment whose template's resource template changed is read
 * again. A reference that did not resolve names the other specs in its message: its spec is rerun
 * whenever anything changed.
 */
function affectedSpecs({ base, changed }: ValidationBase, head: LoadResult): Set<LoadedSpec> {
  const affected = new Set<LoadedSpec>();
  const touched: string[] = [];
  for (const spec of base.loaded.specs) if (changed.has(spec.file)) touched.push(keyOf(spec.kind.kind, spec.name));
  for (const spec of head.specs) {
    if (!changed.has(spec.file)) continue;
    affected.add(spec);
    touched.push(keyOf(spec.kind.kind, spec.name));
  }
  if (changed.size === 0) return affected;
  const referrers = new Map<string, LoadedSpec[]>();
  for (const spec of head.specs) {
    if (base.specRuleFindings.get(spec.file)?.some((f) => LISTS_OTHERS.has(f.code))) affected.add(spec);
    // An invalid spec's references count too: the index resolves to it (an environment's template
    // that fails its schema is still read for its declarations).
    for (const ref of referencesOnce(spec)) {
      const key = keyOf(ref.kind, ref.name);
      const list = referrers.get(key);
      if (list) list.push(spec);
      else referrers.set(key, [spec]);
    }
  }
  const seen = new Set(touched);
  while (touched.length > 0) {
    for (const spec of referrers.get(touched.pop()!) ?? []) {
      affected.add(spec);
      const key = keyOf(spec.kind.kind, spec.name);
      if (!seen.has(key)) {
        seen.add(key);
        touched.push(key);
      }
    }
  }
  return affected;
}
