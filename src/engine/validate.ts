// Repository-wide validation: the rules that look across specs, over what loading produced.
import { loadSpecs, type LoadOptions, type LoadResult } from '../specs/load.js';
import { error, type Finding, type PendingFinding } from '../specs/findings.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import { SpecIndex } from './spec-index.js';
import type { Rule } from './rules/context.js';
import { checkReferences } from './rules/references.js';
import { checkDuplicateEntries, checkDuplicateSpecs } from './rules/duplicates.js';
import { checkDependsOn } from './rules/depends-on.js';
import { checkOverrides, checkRestrictedDefaults } from './rules/overrides.js';
import { checkValues } from './rules/values.js';

/**
 * Rules whose findings are about one spec (its own file), each read from the spec and what it
 * refers to: a revision validated from an earlier one reruns them only for the specs a change can
 * affect (see validate-change.ts).
 */
export const SPEC_RULES: readonly Rule[] = [
  checkDuplicateEntries,
  checkReferences,
  checkDependsOn,
  checkOverrides,
  checkRestrictedDefaults,
  checkValues,
];

export const RULES: readonly Rule[] = [checkDuplicateSpecs, ...SPEC_RULES];

export function validateRepository(loaded: LoadResult, rules: readonly Rule[] = RULES): PendingFinding[] {
  const index = new SpecIndex(loaded.specs);
  const context = { index, valid: loaded.specs.filter((s) => s.valid) };
  return [...loaded.findings, ...rules.flatMap((rule) => rule(context))];
}

export interface SourceValidation {
  findings: Finding[];
  loaded: LoadResult;
}

/** The whole validation of a set of files, positions included, capped per file. Pure: files come from any snapshot. */
export function validateSources(files: readonly SourceFile[], options: LoadOptions = {}): SourceValidation {
  const loaded = loadSpecs(files, options);
  return { findings: capFindingsPerFile(locateFindings(validateRepository(loaded), loaded.textOf)), loaded };
}

/**
 * The findings shown for one file. A file can hold thousands of mistakes (a generated or pasted file
 * gone wrong); the first hundred show what is wrong and stay readable in a terminal, a check's
 * output and a page of annotations, where twenty thousand would bury every other file's findings.
 */
export const MAX_FINDINGS_PER_FILE = 100;

/** The first `cap` findings of each file, and one that counts the rest. `findings` are sorted, as `locateFindings` returns them. */
export function capFindingsPerFile(findings: readonly Finding[], cap = MAX_FINDINGS_PER_FILE): Finding[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const group = byFile.get(f.file);
    if (group) group.push(f);
    else byFile.set(f.file, [f]);
  }
  return [...byFile.values()].flatMap((group) => (group.length <= cap ? group : [...group.slice(0, cap), moreFindings(group.slice(cap))]));
}

/** The one finding that stands for the hidden ones: at the first of them, and as bad as the worst, so that hidden errors still fail. */
function moreFindings(hidden: readonly Finding[]): Finding {
  const { file, line, column } = hidden[0]!;
  const summary = error(file, 'too-many-findings', `and ${hidden.length} more findings in this file like these; fix these and validate again`, { line, column });
  const severity = hidden.some((f) => f.severity === 'error') ? 'error' : 'warning';
  return { file, line, column, severity, code: summary.code, message: summary.message };
}
