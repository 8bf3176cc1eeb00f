// One file must not stop the server: a file with tens of thousands of findings is validated (its
// positions found in time linear in the file), and shows the first MAX_FINDINGS_PER_FILE of them
// and one finding that counts the rest.
import { describe, expect, it } from 'vitest';
import { capFindingsPerFile, MAX_FINDINGS_PER_FILE } from '../../src/engine/validate.js';
import type { Finding } from '../../src/specs/findings.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/specs/parse.js';
import { findingsOf } from '../helpers/repo.js';

const RESOURCE = 'projects/p/resources/r.yaml';
const HEAD = ['apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', '  name: r', '  project: p'];

/** A Resource whose `spec` holds `count` unknown fields with no value, one a line from line 7 on, in block style: 100,000 fit in 890 KB. */
const blockFields = (count: number) => [...HEAD, 'spec:', ...Array.from({ length: count }, (_, i) => `  k${i.toString(36)}:`)].join('\n') + '\n';

/** The same in flow style, all on line 6, so that positions come from the parser. */
const flowFields = (count: number) => [...HEAD, `spec: {${Array.from({ length: count }, (_, i) => `field${i}: ${i}`).join(', ')}}`].join('\n') + '\n';

const summaryOf = (hidden: number) => `and ${hidden} more findings in this file like these; fix these and validate again`;

const finding = (file: string, line: number, severity: Finding['severity']): Finding => ({ file, line, column: 1, severity, code: 'c', message: 'm' });

describe('a file with more findings than the cap', () => {
  it('keeps the cap at 100 findings a file', () => {
    expect(MAX_FINDINGS_PER_FILE).toBe(100);
  });

  it('shows the first 100 of 20,000 unknown fields at their keys, then one error at the 101st counting the other 19,900', () => {
    const findings = findingsOf({ [RESOURCE]: blockFields(20_000) });
    expect(findings).toHaveLength(MAX_FINDINGS_PER_FILE + 1);
    expect(findings.slice(0, -1).map((f) => [f.line, f.column, f.code])).toEqual(Array.from({ length: 100 }, (_, i) => [7 + i, 3, 'unknown-field']));
    expect(findings.at(-1)).toEqual({ file: RESOURCE, line: 107, column: 3, severity: 'error', code: 'too-many-findings', message: summaryOf(19_900) });
    // The shown ones carry their full advice; only the hidden ones were spared computing it.
    expect(findings.slice(0, -1).filter((f) => f.message.endsWith('remove it, or check its spelling and indentation'))).toEqual([]);
  });

  it('validates a file of 100,000 unknown fields (under the size limit) to the first 100 and one counting 99,900 more', () => {
    const text = blockFields(100_000);
    expect(text.length).toBeLessThan(DEFAULT_MAX_FILE_BYTES);
    const findings = findingsOf({ [RESOURCE]: text });
    expect(findings).toHaveLength(MAX_FINDINGS_PER_FILE + 1);
    expect(findings.at(-1)).toEqual({ file: RESOURCE, line: 107, column: 3, severity: 'error', code: 'too-many-findings', message: summaryOf(99_900) });
  });

  it('finds 20,000 positions the parser has to give (flow style) and shows the first 100 and the count of the rest', () => {
    const findings = findingsOf({ [RESOURCE]: flowFields(20_000) });
    expect(findings).toHaveLength(MAX_FINDINGS_PER_FILE + 1);
    // `spec: {field0: 0, field1: 1, ...`: field0 at column 8, each `fieldN: N, ` after it.
    expect(findings[1]).toMatchObject({ line: 6, column: 8 + 'field0: 0, '.length, code: 'unknown-field' });
    expect(findings.at(-1)).toMatchObject({ line: 6, severity: 'error', code: 'too-many-findings', message: summaryOf(19_900) });
  });
});

describe('capFindingsPerFile', () => {
  it('leaves a file with exactly the cap of findings as it is', () => {
    const findings = Array.from({ length: 3 }, (_, i) => finding('a.yaml', i + 1, 'error'));
    expect(capFindingsPerFile(findings, 3)).toEqual(findings);
  });

  it('caps each file on its own, each with its own count', () => {
    const findings = [...[1, 2, 3].map((l) => finding('a.yaml', l, 'error')), ...[1, 2, 3, 4].map((l) => finding('b.yaml', l, 'error'))];
    expect(capFindingsPerFile(findings, 2).map((f) => [f.file, f.line, f.code, f.message])).toEqual([
      ['a.yaml', 1, 'c', 'm'],
      ['a.yaml', 2, 'c', 'm'],
      ['a.yaml', 3, 'too-many-findings', summaryOf(1)],
      ['b.yaml', 1, 'c', 'm'],
      ['b.yaml', 2, 'c', 'm'],
      ['b.yaml', 3, 'too-many-findings', summaryOf(2)],
    ]);
  });

  it('makes the count an error when any hidden finding is one, so that the file still fails', () => {
    const findings = [finding('a.yaml', 1, 'warning'), finding('a.yaml', 2, 'warning'), finding('a.yaml', 3, 'error')];
    expect(capFindingsPerFile(findings, 1).at(-1)?.severity).toBe('error');
  });

  it('makes the count a warning when every hidden finding is one, so that warnings alone never fail', () => {
    const findings = [finding('a.yaml', 1, 'error'), finding('a.yaml', 2, 'warning'), finding('a.yaml', 3, 'warning')];
    expect(capFindingsPerFile(findings, 1).at(-1)?.severity).toBe('warning');
  });
});
