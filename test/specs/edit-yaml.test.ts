// Comment-preserving edits: a system change touches exactly the lines that hold changed values.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { editYaml } from '../../src/specs/edit-yaml.js';
import { lineDiff } from '../helpers/line-diff.js';

const reference = (file: string) => readFileSync(new URL(`../../../shared/reference/specs/${file}`, import.meta.url), 'utf8');
const load = (text: string) => jsyaml.load(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The same edit on every reference spec: a new description, a changed value, an entry removed and one added. */
function systemEdit(text: string) {
  const want = structuredClone(load(text));
  want.metadata.description = 'edited by the system';
  if (want.spec.variables) {
    want.spec.variables[0].value = 'new-value';
    want.spec.variables.splice(1, 1);
    want.spec.variables.push({ name: 'added_var', value: 'x', valueType: 'text' });
  }
  return want;
}

const addedVariable = ['  - name: added_var', '    value: x', '    valueType: text'];

// Reviewed by hand against each file: removed and added lines, and nothing else.
const EXPECTED: Record<string, { removed: string[]; added: string[] }> = {
  'cluster-eks.yaml': { removed: [], added: ['  description: edited by the system'] },
  'cluster-mks.yaml': { removed: [], added: ['  description: edited by the system'] },
  'driver-container.yaml': { removed: ['  description: This is a container driver', '    with kube config options'], added: ['  description: edited by the system'] },
  'driver-http.yaml': { removed: ['  description: This is a HTTP driver'], added: ['  description: edited by the system'] },
  'resourcetemplate-custom.yaml': { removed: [], added: ['  description: edited by the system'] },
  'resourcetemplate-inline-driver.yaml': { removed: [], added: ['  description: edited by the system'] },
  'configcontext.yaml': {
    removed: [
      '  description: This is a config context',
      '    value: $(resource."sp-env".output.aws_cloud_provider_name.value)$',
      '  - name: aws_cloud_provider_access_key', '    options:', '      override:', '        type: notallowed', '      sensitive: true', '    value: accesskey', '    valueType: text',
    ],
    added: ['  description: edited by the system', '    value: new-value', ...addedVariable],
  },
  'environment.yaml': {
    removed: ['  description: This is an environment', "    value: '[sp]'", '  - name: aws_cloud_provider_access_key', '    options:', '      override:', '        type: allowed', '      sensitive: true', '    value: accesskey'],
    added: ['  description: edited by the system', "    value: 'new-value'", '  - name: added_var', '    value: x'],
  },
  'resource-static.yaml': {
    removed: ['  description: This is a static resource', '    value: demo', '  - name: aws_cloud_provider_name', "    value: '[demo]'", '    valueType: hcl'],
    added: ['  description: edited by the system', '    value: new-value', ...addedVariable],
  },
};
const TEMPLATE_LIKE = {
  removed: ["    value: '[demo]'", '  - name: aws_cloud_provider_access_key', '    options:', '      override:', '        type: allowed', '      sensitive: true', '    value: accesskey', '    valueType: text'],
  added: ['  description: edited by the system', "    value: 'new-value'", ...addedVariable],
};
for (const [file, description] of [
  ['environmenttemplate.yaml', 'This is an environment template'],
  ['resourcetemplate-hcpterraform.yaml', 'This is a resource template with HCP Terraform provider'],
  ['resourcetemplate-opentofu.yaml', 'This is a resource template with OpenTofu provider'],
] as const) {
  EXPECTED[file] = { removed: [`  description: ${description}`, ...TEMPLATE_LIKE.removed], added: TEMPLATE_LIKE.added };
}

describe('editYaml on every reference spec', () => {
  it.each(Object.keys(EXPECTED))('changes exactly the changed lines of %s, and the result reads back as asked', (file) => {
    const text = reference(file);
    const want = systemEdit(text);
    const result = editYaml(text, want);
    expect(result.rewritten).toBe(false);
    expect(load(result.text)).toEqual(want);
    const diff = lineDiff(text, result.text);
    expect({ removed: diff.removed, added: diff.added }).toEqual(EXPECTED[file]);
  });
});

describe('editYaml keeps the file as it was around the change', () => {
  const text = [
    '# Owned by the payments team.',
    'apiVersion: eaas.envmgmt.io/v1 # the API',
    'kind: Environment',
    '',
    'metadata:',
    '  name: dev',
    "  project: 'payments'",
    'spec:',
    '  template: {name: web, version: v1}   # flow style stays',
    '',
    '  # values the team may change',
    '  variables:',
    '  - name: replicas',
    '    value: "2"   # quoted, with a comment',
    '  - name: owner',
    '    value: team-a',
    '  readme: |',
    '    line one',
    '    line two',
    '',
  ].join('\n');
  const data = () => load(text);

  it('changes a double-quoted value in place, keeping its quotes and its comment', () => {
    const want = data();
    want.spec.variables[0].value = '4';
    const result = editYaml(text, want);
    expect(lineDiff(text, result.text)).toEqual({ removed: ['    value: "2"   # quoted, with a comment'], added: ['    value: "4"   # quoted, with a comment'] });
  });

  it('keeps single quotes on a single-quoted value', () => {
    const want = data();
    want.metadata.project = 'billing';
    expect(lineDiff(text, editYaml(text, want).text)).toEqual({ removed: ["  project: 'payments'"], added: ["  project: 'billing'"] });
  });

  it('quotes a plain value only when the new value needs it', () => {
    const want = data();
    want.spec.variables[1].value = 'true';
    expect(lineDiff(text, editYaml(text, want).text).added).toEqual(['    value: "true"']);
    want.spec.variables[1].value = 'team-b';
    expect(lineDiff(text, editYaml(text, want).text).added).toEqual(['    value: team-b']);
  });

  it('rewrites a literal block scalar as a literal block at its indentation', () => {
    const want = data();
    want.spec.readme = 'line one\nline 2\nline three\n';
    const result = editYaml(text, want);
    expect(lineDiff(text, result.text)).toEqual({ removed: ['    line two'], added: ['    line 2', '    line three'] });
    expect(load(result.text).spec.readme).toBe('line one\nline 2\nline three\n');
  });

  it('keeps a literal block whose inner lines are indented, as a condition is', () => {
    const want = data();
    want.spec.readme = 'if x {\n  success: true\n}\n';
    const result = editYaml(text, want);
    expect(lineDiff(text, result.text)).toEqual({ removed: ['    line one', '    line two'], added: ['    if x {', '      success: true', '    }'] });
    expect(result.rewritten).toBe(false);
  });

  it('writes a value a literal block cannot hold (blanks only, an indented first line) double-quoted, in place', () => {
    for (const value of [' ', '  indented first\nsecond', 'a\n \nb']) {
      const want = data();
      want.spec.readme = value;
      const result = editYaml(text, want);
      expect(lineDiff(text, result.text)).toEqual({ removed: ['  readme: |', '    line one', '    line two'], added: [`  readme: ${JSON.stringify(value)}`] });
      expect(result.rewritten).toBe(false);
    }
  });

  it('writes a new entry whose value the yaml package would garble as a block scalar double-quoted', () => {
    const want = data();
    want.spec.variables[0].name = ' \n';
    const result = editYaml(text, want);
    expect(load(result.text)).toEqual(want);
    expect(result.rewritten).toBe(false);
    expect(result.text).toContain('- name: " \\n"');
  });

  it('leaves comments, blank lines and flow style elsewhere byte for byte', () => {
    const want = data();
    want.spec.variables[1].value = 'team-b';
    const result = editYaml(text, want);
    expect(result.text).toBe(text.replace('    value: team-a', '    value: team-b'));
  });

  it('removes a list entry with its lines and appends a new one in the file\'s style', () => {
    const want = data();
    want.spec.variables = [want.spec.variables[1], { name: 'region', value: 'eu-west-1' }];
    const result = editYaml(text, want);
    expect(result.rewritten).toBe(false);
    expect(lineDiff(text, result.text)).toEqual({
      removed: ['  - name: replicas', '    value: "2"   # quoted, with a comment'],
      added: ['  - name: region', '    value: eu-west-1'],
    });
  });

  it('adds a key at the end of its mapping with the mapping\'s indentation', () => {
    const want = data();
    want.metadata.description = 'Developers';
    expect(lineDiff(text, editYaml(text, want).text)).toEqual({ removed: [], added: ['  description: Developers'] });
  });

  it('removes a key and its block value', () => {
    const want = data();
    delete want.spec.readme;
    expect(lineDiff(text, editYaml(text, want).text)).toEqual({ removed: ['  readme: |', '    line one', '    line two'], added: [] });
  });

  it('replaces a flow mapping as a whole, in flow style', () => {
    const want = data();
    want.spec.template.version = 'v2';
    const result = editYaml(text, want);
    expect(load(result.text)).toEqual(want);
    expect(lineDiff(text, result.text)).toEqual({
      removed: ['  template: {name: web, version: v1}   # flow style stays'],
      added: ['  template: { name: web, version: v2 }   # flow style stays'],
    });
  });

  it('turns a scalar into a mapping, and a mapping into a scalar, as valid YAML', () => {
    const want = data();
    want.kind = { nested: 'value' };
    want.spec.variables = 'none';
    const result = editYaml(text, want);
    expect(result.rewritten).toBe(false);
    expect(load(result.text)).toEqual(want);
  });

  it('keeps Windows line ends', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const want = data();
    want.spec.variables[1].value = 'team-b';
    expect(editYaml(crlf, want).text).toBe(crlf.replace('    value: team-a', '    value: team-b'));
  });

  it('returns the text untouched when nothing changes', () => {
    expect(editYaml(text, data())).toEqual({ text, rewritten: false });
  });

  it('writes a reordered list anew at its place, keeping the rest of the file', () => {
    const want = data();
    want.spec.variables.reverse();
    const result = editYaml(text, want);
    expect(result.rewritten).toBe(false);
    expect(load(result.text)).toEqual(want);
    expect(result.text.startsWith(text.slice(0, text.indexOf('  variables:')))).toBe(true);
    expect(result.text.endsWith('  readme: |\n    line one\n    line two\n')).toBe(true);
  });

  it('writes a file that does not parse anew and says so', () => {
    const result = editYaml('a: [1,\n', { a: [1, 2] });
    // Rewritten in the style the reference specs use: list dashes at the key's indentation.
    expect(result).toEqual({ text: 'a:\n- 1\n- 2\n', rewritten: true });
  });
});

describe('editYaml on random edits', () => {
  const files = Object.keys(EXPECTED).map(reference);

  /** Paths to every scalar of a document. */
  function leaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
    if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    return [path];
  }

  it('reads back exactly as asked after changing any scalar to any value, without a rewrite', () => {
    // Strings of the characters YAML treats specially at the start or end of a line, or between lines.
    const awkward = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', 'a', '#', ':', '-', '"', "'", '|', '>'), maxLength: 12 });
    const newValue = fc.oneof(fc.string({ maxLength: 30 }), awkward, fc.integer(), fc.boolean(), fc.constantFrom('true', '12', 'a: b', "it's", '# not a comment', '- x', 'multi\nline', '', '0_.', '1_000'));
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.nat(), newValue, (f, pick, value) => {
        const text = files[f]!;
        const want = load(text);
        const all = leaves(want);
        const path = all[pick % all.length]!;
        let node: Record<string | number, unknown> = want;
        for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
        node[path.at(-1)!] = value;
        const result = editYaml(text, want);
        expect(load(result.text)).toEqual(want);
        expect(result.rewritten).toBe(false);
        // Only lines near the change differ: never more than the old value's lines and the new value's.
        const diff = lineDiff(text, result.text);
        expect(diff.removed.length).toBeLessThanOrEqual(12);
        expect(diff.added.length).toBeLessThanOrEqual(12);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});
