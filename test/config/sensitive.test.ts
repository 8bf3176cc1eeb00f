// `sensitive.names` of `.github/envsync.yml`: the repository's own credential names, checked like
// every other setting (a misspelled or misplaced key is a finding at its key).
import { describe, expect, it } from 'vitest';
import { parseRepositoryConfig } from '../../src/config/config.js';
import { planChange } from '../../src/engine/plan/plan.js';
import { loadSpecs } from '../../src/specs/load.js';
import { sources, yaml } from '../helpers/repo.js';

describe('sensitive.names', () => {
  it('reads the globs, and leaves the setting out when it is absent', () => {
    expect(parseRepositoryConfig('sensitive:\n  names: ["*_PIN", LICENSE_KEY]\n')).toMatchObject({ config: { sensitive: { names: ['*_PIN', 'LICENSE_KEY'] } }, findings: [] });
    expect(parseRepositoryConfig('root: config\n').config.sensitive).toBeUndefined();
  });

  it('reports a misspelled key under sensitive with a suggestion', () => {
    expect(parseRepositoryConfig('sensitive:\n  name: ["*_PIN"]\n').findings).toEqual([
      { file: '.github/envsync.yml', line: 2, column: 3, severity: 'error', code: 'unknown-field', message: 'unknown field "name" in sensitive: did you mean "names"?' },
    ]);
  });

  it('says to check the indentation of names written at the top, where it belongs under sensitive', () => {
    expect(parseRepositoryConfig('sensitive: {}\nnames: ["*_PIN"]\n').findings).toEqual([
      { file: '.github/envsync.yml', line: 2, column: 1, severity: 'error', code: 'unknown-field', message: 'unknown field "names" in the document: check the indentation: `names` belongs under `sensitive`' },
    ]);
  });

  it('reports a name with a space in it, which no variable has', () => {
    expect(parseRepositoryConfig('sensitive:\n  names: ["DB PASS"]\n').findings.map((f) => [f.line, f.column, f.code, f.message])).toEqual([
      [2, 11, 'invalid-value', 'sensitive.names[0] is not valid: a name, or a glob (* any characters, ? one), matched whole and ignoring case'],
    ]);
  });
});

describe('sensitive.names in a plan', () => {
  const context = (seed: string) =>
    yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: ConfigContext', 'metadata:', '  name: licensing', '  project: p', 'spec:', '  variables:', '    - name: LICENSE_SEED', `      value: ${seed}`);
  const loaded = (seed: string) => loadSpecs(sources({ 'projects/p/configcontexts/licensing.yaml': context(seed) }));

  it('masks a value whose name only the repository calls a credential, and shows it without the setting', () => {
    const input = { base: { revision: 'a', loaded: loaded('canary-before-4711') }, head: { revision: 'b', loaded: loaded('canary-after-4712') } };
    expect(JSON.stringify(planChange({ ...input, sensitiveNames: ['LICENSE_*'] }))).not.toMatch(/canary-(before|after)/);
    expect(JSON.stringify(planChange(input))).toContain('canary-after-4712');
  });
});
