// Bad input to the loader: each case is one clear finding with a stable code at the right place,
// never an exception or a hang.
import { describe, expect, it } from 'vitest';
import { DEFAULT_GUARD_LIMITS } from '../../src/specs/guard.js';
import { findingsOf, validate, yaml } from '../helpers/repo.js';

const DRIVER = 'projects/p/drivers/d.yaml';
const RESOURCE = 'projects/p/resources/r.yaml';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));

/** A Resource spec: it has no references, so a clean one yields no finding at all. */
const resource = (name: string, project = 'p') =>
  yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', `  name: ${name}`, `  project: ${project}`, 'spec: {}');

/** The one finding of a file, with the fields a test pins down. */
function only(files: Record<string, string | Uint8Array>, options = {}) {
  const findings = findingsOf(files, options);
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

describe('a clean spec', () => {
  it('yields no finding, so every finding below is caused by the bad input alone', () => {
    expect(findingsOf({ [RESOURCE]: resource('r') })).toEqual([]);
  });
});

describe('invalid YAML', () => {
  it('reports a mapping entry indented by one space as yaml-syntax at the misplaced key', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Driver', 'metadata:', '  name: d', ' project: p');
    expect(only({ [DRIVER]: text })).toEqual({
      file: DRIVER,
      line: 5,
      column: 2,
      severity: 'error',
      code: 'yaml-syntax',
      message: 'invalid YAML: bad indentation of a mapping entry: fix the syntax at this position',
    });
  });

  it('reports a tab used for indentation as yaml-syntax at the tab', () => {
    const f = only({ [DRIVER]: yaml('metadata:', '\tname: d') });
    expect(f).toMatchObject({ line: 2, column: 1, severity: 'error', code: 'yaml-syntax' });
    expect(f.message).toContain('tab characters must not be used in indentation');
  });

  it('reports a second colon on one line as yaml-syntax at that colon', () => {
    expect(only({ [DRIVER]: yaml('kind: Driver', 'name: a: b') })).toMatchObject({
      line: 2,
      column: 8,
      severity: 'error',
      code: 'yaml-syntax',
    });
  });

  it('reports an unterminated quoted string as yaml-syntax at its opening quote, not past the end of the file', () => {
    // line 2 is `name: "unterminated`: the quote that is never closed is at column 7.
    const f = only({ [DRIVER]: yaml('kind: Driver', 'name: "unterminated', 'project: p') });
    expect(f).toMatchObject({ code: 'yaml-syntax', severity: 'error' });
    expect({ line: f.line, column: f.column }).toEqual({ line: 2, column: 7 });
  });
});

describe('bytes that are not UTF-8', () => {
  it('reports file-not-utf8 at the line and column of the first bad byte', () => {
    // line 2 is `key: vé` (7 characters) followed by the byte 0xff.
    const content = bytes('a: b\nkey: vé', [0xff], '\n');
    expect(only({ [DRIVER]: content })).toEqual({
      file: DRIVER,
      line: 2,
      column: 8,
      severity: 'error',
      code: 'file-not-utf8',
      message: 'file is not valid UTF-8: save it as UTF-8 text',
    });
  });

  it('reports a Latin-1 byte on the first line at its column', () => {
    expect(only({ [DRIVER]: bytes('a: ', [0xe9], '\n') })).toMatchObject({ line: 1, column: 4, code: 'file-not-utf8' });
  });

  it('reports a multi-byte sequence cut off by the end of the file at its first byte', () => {
    expect(only({ [DRIVER]: bytes('a: ', [0xc3]) })).toMatchObject({ line: 1, column: 4, code: 'file-not-utf8' });
  });

  it('reports an overlong encoding (0xc0 0xaf) at its first byte', () => {
    expect(only({ [DRIVER]: bytes('a\n', [0xc0, 0xaf]) })).toMatchObject({ line: 2, column: 1, code: 'file-not-utf8' });
  });

  it('reports an encoded UTF-16 surrogate at its first byte', () => {
    expect(only({ [DRIVER]: bytes('a\nb', [0xed, 0xa0, 0x80]) })).toMatchObject({ line: 2, column: 2, code: 'file-not-utf8' });
  });

  it('reports a NUL byte (as in UTF-16 text without a byte order mark) at its own line and column', () => {
    // line 2 is `c: d` followed by the NUL byte: line 2, column 5.
    const f = only({ [DRIVER]: bytes('a: b\nc: d', [0x00], '\n') });
    expect(f).toMatchObject({ severity: 'error', code: 'yaml-syntax' });
    expect(f.message).toContain('null byte');
    expect({ line: f.line, column: f.column }).toEqual({ line: 2, column: 5 });
  });

  it('reports a UTF-16 file (byte order mark 0xff 0xfe) at its first byte', () => {
    expect(only({ [DRIVER]: bytes([0xff, 0xfe, 0x61, 0x00]) })).toMatchObject({ line: 1, column: 1, code: 'file-not-utf8' });
  });

  it('accepts a UTF-8 byte order mark, which is not part of the spec', () => {
    expect(findingsOf({ [RESOURCE]: bytes([0xef, 0xbb, 0xbf], resource('r')) })).toEqual([]);
  });

  it('does not count a UTF-8 byte order mark as a column when it locates a bad byte', () => {
    // The byte order mark is invisible: after it, `a: ` takes columns 1-3 and the bad byte is column 4,
    // the same column that every other finding on this line would use.
    expect(only({ [DRIVER]: bytes([0xef, 0xbb, 0xbf], 'a: ', [0xff], '\n') })).toMatchObject({
      line: 1,
      column: 4,
      code: 'file-not-utf8',
    });
  });
});

describe('files without a spec', () => {
  const empty = {
    file: DRIVER,
    line: 1,
    column: 1,
    severity: 'error',
    code: 'file-empty',
    message: 'file holds no spec: write one, or delete the file',
  };

  it('reports an empty file as file-empty at 1:1', () => {
    expect(findingsOf({ [DRIVER]: '' })).toEqual([empty]);
  });

  it('reports a file of comments only as file-empty at 1:1', () => {
    expect(findingsOf({ [DRIVER]: yaml('# a driver will go here', '# later') })).toEqual([empty]);
  });

  it('reports a file of blank lines only as file-empty at 1:1', () => {
    expect(findingsOf({ [DRIVER]: '  \n\n' })).toEqual([empty]);
  });
});

describe('several documents in one file', () => {
  it('reports yaml-multiple-documents at the second `---`', () => {
    const text = yaml('---', 'kind: Driver', '---', 'kind: Resource');
    expect(only({ [DRIVER]: text })).toEqual({
      file: DRIVER,
      line: 3,
      column: 1,
      severity: 'error',
      code: 'yaml-multiple-documents',
      message: 'file holds more than one YAML document: put each spec in its own file',
    });
  });

  it('reports the first `---` when the first document has no marker of its own', () => {
    expect(only({ [DRIVER]: yaml('kind: Driver', 'name: a', '---', 'kind: Resource') })).toMatchObject({
      line: 3,
      column: 1,
      code: 'yaml-multiple-documents',
    });
  });

  it('reports the `---` of the second document after an explicit document end `...`', () => {
    expect(only({ [DRIVER]: yaml('kind: Driver', '...', '---', 'kind: Resource') })).toMatchObject({
      line: 3,
      column: 1,
      code: 'yaml-multiple-documents',
    });
  });
});

describe('files over the size limit', () => {
  it('reports file-too-large at 1:1 with the size and the configured limit', () => {
    const text = resource('r') + `# ${'x'.repeat(100)}\n`;
    const size = new TextEncoder().encode(text).length;
    expect(findingsOf({ [RESOURCE]: text }, { limits: { maxFileBytes: 100, guard: DEFAULT_GUARD_LIMITS } })).toEqual([
      {
        file: RESOURCE,
        line: 1,
        column: 1,
        severity: 'error',
        code: 'file-too-large',
        message: `file is ${size} bytes, over the limit of 100: split it into one spec per file, or raise --max-file-size`,
      },
    ]);
  });

  it('accepts a file of exactly the limit', () => {
    const base = resource('r');
    const text = base + '#'.repeat(200 - base.length - 1) + '\n';
    expect(text.length).toBe(200);
    expect(findingsOf({ [RESOURCE]: text }, { limits: { maxFileBytes: 200, guard: DEFAULT_GUARD_LIMITS } })).toEqual([]);
  });

  it('limits files to 1 MiB by default', () => {
    const text = `a: ${'x'.repeat(1024 * 1024)}\n`;
    expect(only({ [DRIVER]: text })).toMatchObject({
      line: 1,
      column: 1,
      code: 'file-too-large',
      message: 'file is 1048580 bytes, over the limit of 1048576: split it into one spec per file, or raise --max-file-size',
    });
  });
});

describe('alias bombs', () => {
  const laughs = yaml(
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
    'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
    'h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]',
    'i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]',
  );

  it('reports a billion laughs as yaml-alias-bomb at the first alias, and returns quickly', () => {
    const started = performance.now();
    const f = only({ [DRIVER]: laughs });
    const elapsed = performance.now() - started;
    expect(f).toMatchObject({ file: DRIVER, line: 2, column: 8, severity: 'error', code: 'yaml-alias-bomb' });
    expect(f.message).toContain('(limit 200000)');
    expect(f.message).toContain('write the values out instead of nesting aliases');
    expect(elapsed).toBeLessThan(2000);
  });

  it('reports an alias inside the node it names as yaml-alias-cycle at the alias', () => {
    // line 2 is `b: &x [1, *x]`: the alias is at column 11.
    expect(only({ [DRIVER]: yaml('a: 1', 'b: &x [1, *x]') })).toMatchObject({
      line: 2,
      column: 11,
      severity: 'error',
      code: 'yaml-alias-cycle',
    });
  });

  it('accepts a few ordinary aliases', () => {
    const text = yaml(
      'apiVersion: eaas.envmgmt.io/v1',
      'kind: Resource',
      'metadata:',
      '  name: r',
      '  project: p',
      '  labels: &l {team: a}',
      '  annotations: *l',
      'spec: {}',
    );
    expect(findingsOf({ [RESOURCE]: text })).toEqual([]);
  });
});

describe('very deep nesting', () => {
  it('reports a 100-level block mapping as yaml-too-deep at the first key past 64 levels', () => {
    // Line i+1 is the key k<i> indented by 2i spaces; the 65th level is k64 on line 65, column 129.
    const lines = Array.from({ length: 100 }, (_, i) => `${'  '.repeat(i)}k${i}:`);
    const f = only({ [DRIVER]: yaml(...lines, `${'  '.repeat(100)}v`) });
    expect(f).toEqual({
      file: DRIVER,
      line: 65,
      column: 129,
      severity: 'error',
      code: 'yaml-too-deep',
      message: 'nesting is deeper than 64 levels: no spec needs this; flatten the structure',
    });
  });

  it('reports a top-level flow list 100 deep as yaml-too-deep at the first bracket past 64 levels', () => {
    expect(only({ [DRIVER]: `${'['.repeat(100)}${']'.repeat(100)}\n` })).toMatchObject({ line: 1, column: 66, code: 'yaml-too-deep' });
  });

  it('reports flow lists 100 deep as yaml-too-deep at the first bracket past 64 levels', () => {
    // `b: ` then 100 brackets: the outer list (level 1) is at column 4, level 65 at column 68.
    const text = `a: 1\nb: ${'['.repeat(100)}${']'.repeat(100)}\n`;
    expect(only({ [DRIVER]: text })).toMatchObject({ line: 2, column: 68, severity: 'error', code: 'yaml-too-deep' });
  });

  it('reports flow lists 10,000 deep as one yaml-too-deep at the same place as 100 deep, quickly', () => {
    const text = `a: 1\nb: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const started = performance.now();
    const f = only({ [DRIVER]: text });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(f).toMatchObject({ severity: 'error', code: 'yaml-too-deep' });
    expect(f.message).toContain('flatten the structure');
    expect({ line: f.line, column: f.column }).toEqual({ line: 2, column: 68 });
  });

  it('reports a top-level flow list 10,000 deep as one yaml-too-deep at the first bracket past 64 levels, never a stack overflow', () => {
    // The document itself is the bracket at column 1 and each bracket nests one level deeper: level 65 is column 66,
    // as it is for a top-level list 100 deep (above).
    const f = only({ [DRIVER]: `${'['.repeat(10_000)}${']'.repeat(10_000)}\n` });
    expect(f).toMatchObject({ severity: 'error', code: 'yaml-too-deep' });
    expect({ line: f.line, column: f.column }).toEqual({ line: 1, column: 66 });
  });
});

describe('duplicate keys', () => {
  it('reports yaml-duplicate-key at the second of two equal keys', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', '  name: r', '  name: s', '  project: p');
    expect(only({ [RESOURCE]: text })).toEqual({
      file: RESOURCE,
      line: 5,
      column: 3,
      severity: 'error',
      code: 'yaml-duplicate-key',
      message: 'this key appears twice in the same mapping: keep one (YAML would silently drop the other)',
    });
  });

  it('reports a repeated top-level key whose value is a block at the second key', () => {
    const text = yaml('metadata:', '  name: r', 'spec: {}', 'metadata:', '  name: s');
    expect(only({ [RESOURCE]: text })).toMatchObject({ line: 4, column: 1, code: 'yaml-duplicate-key' });
  });

  it('reports a repeated key in a flow mapping at the second key', () => {
    // `labels: {a: 1, a: 2}`: the second `a` is at column 16.
    expect(only({ [RESOURCE]: yaml('labels: {a: 1, a: 2}') })).toMatchObject({ line: 1, column: 16, code: 'yaml-duplicate-key' });
  });
});

describe('documents that are not mappings', () => {
  it('reports a list as document-not-mapping at 1:1', () => {
    expect(only({ [DRIVER]: yaml('- kind: Driver', '- kind: Resource') })).toEqual({
      file: DRIVER,
      line: 1,
      column: 1,
      severity: 'error',
      code: 'document-not-mapping',
      message: 'a spec must be a mapping with apiVersion, kind, metadata and spec; this file holds a list',
    });
  });

  it('reports a string as document-not-mapping at 1:1', () => {
    expect(only({ [DRIVER]: yaml('just some text') })).toMatchObject({
      line: 1,
      column: 1,
      code: 'document-not-mapping',
      message: 'a spec must be a mapping with apiVersion, kind, metadata and spec; this file holds a string',
    });
  });

  it('reports a number as document-not-mapping at 1:1', () => {
    expect(only({ [DRIVER]: yaml('42') })).toMatchObject({
      line: 1,
      column: 1,
      code: 'document-not-mapping',
      message: 'a spec must be a mapping with apiVersion, kind, metadata and spec; this file holds a number',
    });
  });
});

describe('unknown apiVersion or kind', () => {
  it('reports a misspelled kind at its value with the closest kind suggested', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: Enviroment', 'metadata:', '  name: e', '  project: p');
    expect(only({ 'projects/p/environments/e.yaml': text })).toEqual({
      file: 'projects/p/environments/e.yaml',
      line: 2,
      column: 7,
      severity: 'error',
      code: 'unknown-kind',
      message: 'unknown kind "Enviroment": did you mean "Environment"?',
    });
  });

  it('suggests the kind when only its case is wrong', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: driver', 'metadata:', '  name: d', '  project: p');
    expect(only({ [DRIVER]: text })).toMatchObject({ line: 2, column: 7, message: 'unknown kind "driver": did you mean "Driver"?' });
  });

  it('lists the kinds when nothing is close', () => {
    const text = yaml('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: d');
    expect(only({ [DRIVER]: text })).toMatchObject({
      line: 2,
      column: 7,
      code: 'unknown-kind',
      message:
        'unknown kind "Deployment": use one of Driver, ConfigContext, Resource, ResourceTemplate, EnvironmentTemplate, Environment, Cluster, Project',
    });
  });

  it('reports a missing kind at 1:1', () => {
    const f = only({ [DRIVER]: yaml('apiVersion: eaas.envmgmt.io/v1', 'metadata:', '  name: d') });
    expect(f).toMatchObject({ line: 1, column: 1, code: 'unknown-kind' });
    expect(f.message).toContain('missing "kind"');
  });

  it('reports a kind that is not a string at its value without calling it missing', () => {
    const f = only({ [DRIVER]: yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: 5', 'metadata:', '  name: d') });
    expect(f).toMatchObject({ line: 2, column: 7, severity: 'error', code: 'unknown-kind' });
    expect(f.message).not.toContain('missing');
  });

  it('reports an unknown apiVersion at its value with the apiVersion the kind needs', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v2', 'kind: Driver', 'metadata:', '  name: d', '  project: p');
    expect(only({ [DRIVER]: text })).toEqual({
      file: DRIVER,
      line: 1,
      column: 13,
      severity: 'error',
      code: 'unknown-api-version',
      message: 'apiVersion is "eaas.envmgmt.io/v2" (looks like a typo), but a Driver is apiVersion "eaas.envmgmt.io/v1": correct it',
    });
  });

  it('reports the apiVersion of another kind without calling it a typo', () => {
    const text = yaml('apiVersion: infra.k8smgmt.io/v3', 'kind: Driver', 'metadata:', '  name: d', '  project: p');
    expect(only({ [DRIVER]: text })).toMatchObject({
      line: 1,
      column: 13,
      code: 'unknown-api-version',
      message: 'apiVersion is "infra.k8smgmt.io/v3", but a Driver is apiVersion "eaas.envmgmt.io/v1": correct it',
    });
  });

  it('reports a missing apiVersion at the kind key', () => {
    const text = yaml('metadata:', '  name: d', '  project: p', 'kind: Driver', 'spec: {}');
    expect(only({ [DRIVER]: text })).toMatchObject({
      line: 4,
      column: 1,
      code: 'unknown-api-version',
      message: 'apiVersion is missing, but a Driver is apiVersion "eaas.envmgmt.io/v1": correct it',
    });
  });
});

describe('names that are not valid resource names', () => {
  const invalid = (value: string, path = 'metadata.name') =>
    `${path} "${value}" is not a valid name: use at most 63 lowercase letters, digits and dashes, starting and ending with a letter or digit`;

  it('reports a name with a path trick (`../etc`) as one invalid-name at the value, suggesting no such file name', () => {
    const file = 'projects/p/resources/etc.yaml';
    const findings = findingsOf({ [file]: resource('../etc') });
    expect(findings.some((f) => f.message.includes('../etc.yaml'))).toBe(false);
    expect(findings).toEqual([{ file, line: 4, column: 9, severity: 'error', code: 'invalid-name', message: invalid('../etc') }]);
  });

  it('reports a name with capitals and an underscore as invalid-name at the value', () => {
    const file = 'projects/p/resources/My_Env.yaml';
    expect(findingsOf({ [file]: resource('My_Env') })).toEqual([
      { file, line: 4, column: 9, severity: 'error', code: 'invalid-name', message: invalid('My_Env') },
    ]);
  });

  it('reports a name of 64 characters as invalid-name and accepts 63', () => {
    const long = 'a'.repeat(64);
    expect(findingsOf({ [`projects/p/resources/${long}.yaml`]: resource(long) })).toEqual([
      { file: `projects/p/resources/${long}.yaml`, line: 4, column: 9, severity: 'error', code: 'invalid-name', message: invalid(long) },
    ]);
    const max = 'a'.repeat(63);
    expect(findingsOf({ [`projects/p/resources/${max}.yaml`]: resource(max) })).toEqual([]);
  });

  it('reports an invalid project name at metadata.project', () => {
    const file = 'projects/P_x/resources/r.yaml';
    expect(findingsOf({ [file]: resource('r', 'P_x') })).toEqual([
      { file, line: 5, column: 12, severity: 'error', code: 'invalid-name', message: invalid('P_x', 'metadata.project') },
    ]);
  });
});

describe('metadata that disagrees with the path', () => {
  it('reports project-mismatch at metadata.project', () => {
    expect(only({ [RESOURCE]: resource('r', 'q') })).toEqual({
      file: RESOURCE,
      line: 5,
      column: 12,
      severity: 'error',
      code: 'project-mismatch',
      message: 'metadata.project is "q" but the file is in projects/p/: move the file or correct the project',
    });
  });

  it('reports name-mismatch at metadata.name', () => {
    expect(only({ [RESOURCE]: resource('s') })).toEqual({
      file: RESOURCE,
      line: 4,
      column: 9,
      severity: 'error',
      code: 'name-mismatch',
      message: 'metadata.name is "s" but the file is named r.yaml: name the file s.yaml, or correct metadata.name',
    });
  });

  it('accepts a template version kept as <name>@<version>.yaml', () => {
    const text = yaml('apiVersion: eaas.envmgmt.io/v1', 'kind: EnvironmentTemplate', 'metadata:', '  name: t', '  project: p', 'spec:', '  version: v2');
    expect(findingsOf({ 'projects/p/environmenttemplates/t@v2.yaml': text })).toEqual([]);
  });

  it('reports a Project whose name differs from projects/<project>.yaml at metadata.name', () => {
    const text = yaml('apiVersion: system.k8smgmt.io/v3', 'kind: Project', 'metadata:', '  name: q');
    expect(only({ 'projects/p.yaml': text })).toEqual({
      file: 'projects/p.yaml',
      line: 4,
      column: 9,
      severity: 'error',
      code: 'name-mismatch',
      message: 'metadata.name is "q" but the file is projects/p.yaml: rename one to match the other',
    });
  });

  it('accepts a Project at projects/<project>.yaml', () => {
    const text = yaml('apiVersion: system.k8smgmt.io/v3', 'kind: Project', 'metadata:', '  name: p');
    expect(findingsOf({ 'projects/p.yaml': text })).toEqual([]);
  });
});

describe('specs in the wrong folder', () => {
  it('reports kind-folder-mismatch at the kind when a spec is in another kind’s folder', () => {
    expect(only({ 'projects/p/drivers/r.yaml': resource('r') })).toEqual({
      file: 'projects/p/drivers/r.yaml',
      line: 2,
      column: 7,
      severity: 'error',
      code: 'kind-folder-mismatch',
      message: 'a Resource is in the "drivers" folder: move it to the "resources" folder or correct the kind',
    });
  });

  it('reports kind-folder-mismatch when projects/<project>.yaml holds something other than a Project', () => {
    expect(only({ 'projects/p.yaml': resource('p') })).toMatchObject({
      line: 2,
      column: 7,
      code: 'kind-folder-mismatch',
      message: 'a Resource does not belong directly in projects/, where a file is a Project: the layout expects projects/<project>/resources/<name>.yaml; move it to projects/p/resources/p.yaml',
    });
  });

  it('warns unknown-kind-folder for a misspelled kind folder and does not load the file', () => {
    const file = 'projects/p/enviroments/e.yaml';
    const result = validate({ [file]: resource('e') });
    expect(result.findings).toEqual([
      {
        file,
        line: 1,
        column: 1,
        severity: 'warning',
        code: 'unknown-kind-folder',
        message: 'folder "enviroments" is not a kind folder, so this file is ignored: did you mean "environments"?',
      },
    ]);
    expect(result.loaded.specs).toEqual([]);
  });
});

describe('files outside the layout', () => {
  it('are ignored, listed with a reason, and yield no finding', () => {
    const result = validate({
      'README.md': '# config',
      'docs/example.yaml': 'kind: Nothing\n',
      'projects/README.md': 'x',
      'projects/p/resources/notes.txt': 'not yaml: [',
      'projects/p/resources/old/r.yaml': 'broken: [',
      'projects/p/agents/a.yaml': 'kind: Agent\n',
      [RESOURCE]: resource('r'),
    });
    expect(result.findings).toEqual([]);
    expect(result.loaded.ignored).toEqual([
      { file: 'README.md', reason: 'not in the projects/ layout' },
      { file: 'docs/example.yaml', reason: 'not in the projects/ layout' },
      { file: 'projects/README.md', reason: 'not in the projects/ layout' },
      { file: 'projects/p/resources/notes.txt', reason: 'not in the projects/ layout' },
      { file: 'projects/p/resources/old/r.yaml', reason: 'not in the projects/ layout' },
      { file: 'projects/p/agents/a.yaml', reason: 'not in the projects/ layout' },
    ]);
    expect(result.loaded.specs.map((s) => s.file)).toEqual([RESOURCE]);
  });
});
