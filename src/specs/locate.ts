// Resolves pending findings to line and column, parsing each file with findings once.
import { compareFindings, type Finding, type PendingFinding } from './findings.js';
import { createLocator, type Locator } from './positions.js';

export function locateFindings(pending: readonly PendingFinding[], textOf: (file: string) => string | undefined): Finding[] {
  const locators = new Map<string, Locator>();
  const located = pending.map((p): Finding => {
    let position = 'line' in p.where ? p.where : undefined;
    if (!position && 'path' in p.where) {
      let locate = locators.get(p.file);
      if (!locate) {
        const text = textOf(p.file);
        locate = text === undefined ? () => ({ line: 1, column: 1 }) : createLocator(text);
        locators.set(p.file, locate);
      }
      position = locate(p.where.path, p.where.at);
    }
    const { line, column } = position ?? { line: 1, column: 1 };
    return { file: p.file, line, column, severity: p.severity, code: p.code, message: p.message };
  });
  return located.sort(compareFindings);
}
