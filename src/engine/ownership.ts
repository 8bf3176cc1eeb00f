// Which config repository owns which project. A repository claims projects by name or by glob (`*`
// any run of characters, `?` one character) in its `.github/envsync.yml`; two repositories may never
// claim one project. Written here rather than taken from a glob library: those match a name against
// a pattern, and ownership also needs to know whether two patterns can match one name at all.

/** Whether `project` is among the claimed ones. */
export function claims(patterns: readonly string[], project: string): boolean {
  return patterns.some((pattern) => patternsMeet(pattern, project));
}

/**
 * Whether some name matches both patterns (a name without wildcards is a pattern matching only
 * itself). Walks both patterns at once; a `*` on either side may take any part of the other side,
 * including the other side's wildcards. Memoized on the two positions: quadratic at worst.
 */
export function patternsMeet(a: string, b: string): boolean {
  const seen = new Map<number, boolean>();
  const meet = (i: number, j: number): boolean => {
    const id = i * (b.length + 1) + j;
    const known = seen.get(id);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = meet(i + 1, j) || (j < b.length && meet(i, j + 1));
    else if (b[j] === '*') result = meet(i, j + 1) || (i < a.length && meet(i + 1, j));
    else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?')) result = meet(i + 1, j + 1);
    else result = false;
    seen.set(id, result);
    return result;
  };
  return meet(0, 0);
}

export interface ClaimOverlap {
  /** This repository's pattern, its index in `projects`, and the other repository's pattern. */
  mine: string;
  index: number;
  repo: string;
  theirs: string;
}

/** Where `mine` claims what another repository claims already. */
export function overlappingClaims(mine: readonly string[], others: readonly { repo: string; projects: readonly string[] }[]): ClaimOverlap[] {
  const found: ClaimOverlap[] = [];
  mine.forEach((pattern, index) => {
    for (const other of others) {
      const theirs = other.projects.find((p) => patternsMeet(pattern, p));
      if (theirs !== undefined) found.push({ mine: pattern, index, repo: other.repo, theirs });
    }
  });
  return found;
}
