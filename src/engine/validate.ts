// Repository-wide validation: the rules that look across specs, over what loading produced.
import { loadSpecs, type LoadOptions, type LoadResult } from '../specs/load.js';
import type { Finding, PendingFinding } from '../specs/findings.js';
import { locateFindings } from '../specs/locate.js';
import type { SourceFile } from '../specs/source.js';
import { SpecIndex } from './spec-index.js';
import type { Rule } from './rules/context.js';
import { checkReferences } from './rules/references.js';
import { checkDuplicateEntries, checkDuplicateSpecs } from './rules/duplicates.js';
import { checkDependsOn } from './rules/depends-on.js';
import { checkOverrides, checkRestrictedDefaults } from './rules/overrides.js';
import { checkValues } from './rules/values.js';

export const RULES: readonly Rule[] = [
  checkDuplicateSpecs,
  checkDuplicateEntries,
  checkReferences,
  checkDependsOn,
  checkOverrides,
  checkRestrictedDefaults,
  checkValues,
];

export function validateRepository(loaded: LoadResult, rules: readonly Rule[] = RULES): PendingFinding[] {
  const index = new SpecIndex(loaded.specs);
  const context = { index, valid: loaded.specs.filter((s) => s.valid) };
  return [...loaded.findings, ...rules.flatMap((rule) => rule(context))];
}

export interface SourceValidation {
  findings: Finding[];
  loaded: LoadResult;
}

/** The whole validation of a set of files, positions included. Pure: files come from any snapshot. */
export function validateSources(files: readonly SourceFile[], options: LoadOptions = {}): SourceValidation {
  const loaded = loadSpecs(files, options);
  return { findings: locateFindings(validateRepository(loaded), loaded.textOf), loaded };
}
