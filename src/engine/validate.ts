// Repository-wide validation: the rules that look across specs, over what loading produced.
import type { LoadResult } from '../specs/load.js';
import type { PendingFinding } from '../specs/findings.js';
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
