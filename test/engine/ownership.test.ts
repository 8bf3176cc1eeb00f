import { describe, expect, it } from 'vitest';
import { claims, overlappingClaims, patternsMeet } from '../../src/engine/ownership.js';

describe('project claims', () => {
  it('match a project by name or by glob', () => {
    expect(claims(['payments'], 'payments')).toBe(true);
    expect(claims(['payments'], 'payments-eu')).toBe(false);
    expect(claims(['pay*'], 'payments')).toBe(true);
    expect(claims(['team-?'], 'team-a')).toBe(true);
    expect(claims(['team-?'], 'team-ab')).toBe(false);
    expect(claims(['*'], 'anything')).toBe(true);
    expect(claims([], 'payments')).toBe(false);
  });

  it('meet when some project name matches both patterns, wildcards on either side', () => {
    const cases: [string, string, boolean][] = [
      ['pay*', 'payments', true],
      ['pay*', '*ments', true],
      ['pay*', 'bill*', false],
      ['*-eu', '*-us', false],
      ['a*b', '*c*', true], // acb
      ['a?c', 'ab*', true],
      ['a?c', 'ab', false],
      ['*', 'x', true],
    ];
    for (const [a, b, meet] of cases) {
      expect([a, b, patternsMeet(a, b)]).toEqual([a, b, meet]);
      expect([b, a, patternsMeet(b, a)]).toEqual([b, a, meet]);
    }
    expect(patternsMeet('x*y*z', 'x?z')).toBe(true); // "xyz"
    expect(patternsMeet('x*y*z', 'x?q')).toBe(false);
  });

  it('name each overlap with the other repository and both patterns', () => {
    expect(overlappingClaims(['billing', 'pay*'], [{ repo: 'acme/config', projects: ['payments', 'platform'] }, { repo: 'acme/ops', projects: ['ops'] }])).toEqual([
      { mine: 'pay*', index: 1, repo: 'acme/config', theirs: 'payments' },
    ]);
    expect(overlappingClaims(['*'], [{ repo: 'acme/ops', projects: ['ops'] }])).toEqual([{ mine: '*', index: 0, repo: 'acme/ops', theirs: 'ops' }]);
  });
});
