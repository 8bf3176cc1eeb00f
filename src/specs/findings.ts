// The one vocabulary for everything wrong with a repository: where, how bad, a stable code, what to do.

export type Severity = 'error' | 'warning';

/** A finding as users see it: 1-based line and column in a file relative to the validated folder. */
export interface Finding {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  code: string;
  message: string;
}

/** A path into a YAML document: mapping keys and sequence indexes. */
export type DocPath = readonly (string | number)[];

/** A place in a file, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/**
 * A finding that names a place in the document rather than a line: rules work on data, and the
 * position is looked up only for the few files that have findings (the bulk path never pays for it).
 */
export interface PendingFinding {
  file: string;
  severity: Severity;
  code: string;
  message: string;
  where: { path: DocPath; at: 'key' | 'value' } | { line: number; column: number };
}

export const error = (file: string, code: string, message: string, where: PendingFinding['where']): PendingFinding => ({
  file,
  severity: 'error',
  code,
  message,
  where,
});

export const warning = (file: string, code: string, message: string, where: PendingFinding['where']): PendingFinding => ({
  file,
  severity: 'warning',
  code,
  message,
  where,
});

export const atKey = (path: DocPath): PendingFinding['where'] => ({ path, at: 'key' });
export const atValue = (path: DocPath): PendingFinding['where'] => ({ path, at: 'value' });
export const atStart: PendingFinding['where'] = { line: 1, column: 1 };

/** `spec.hooks.onInit[1].name`: how a path reads in a message. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? 'the document' : out;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
