// Property tests: whatever the loader is fed (random text, random bytes, random documents, mutations
// of the reference specs), it returns findings and never throws; every finding names the file, a
// known severity, a stable code, a message, and a line and column inside the file.
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/specs/findings.js';
import { KIND_BY_NAME, KINDS, type KindName } from '../../src/specs/kinds.js';
import { findingsOf } from '../helpers/repo.js';

const RUNS = 250;

/** The lines of a text as YAML (and editors) count them: CR LF, CR and LF all end a line. */
const linesOf = (text: string): string[] => text.split(/\r\n|\r|\n/);

/** Checks every finding of one file against the text it came from; returns the first violation. */
function violation(file: string, text: string, findings: readonly Finding[]): string | undefined {
  const lines = linesOf(text).length;
  for (const f of findings) {
    const where = `${f.code} at ${f.line}:${f.column}`;
    if (f.file !== file) return `${where}: file ${f.file}`;
    if (f.severity !== 'error' && f.severity !== 'warning') return `${where}: severity ${String(f.severity)}`;
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(f.code)) return `${where}: code`;
    if (typeof f.message !== 'string' || f.message.length === 0) return `${where}: empty message`;
    if (!Number.isInteger(f.line) || !Number.isInteger(f.column)) return `${where}: not whole numbers`;
    if (f.line < 1 || f.column < 1) return `${where}: below 1`;
    // The line count plus one: a parser may point just past the last line break.
    if (f.line > lines + 1) return `${where}: past the ${lines} lines of the file`;
    // Whatever the line, a column cannot go past the end of the whole text (plus the end-of-input mark).
    if (f.column > text.length + 2) return `${where}: past the ${text.length} characters of the file`;
  }
  return undefined;
}

/** Runs the whole pipeline on one file; a thrown exception or a bad finding fails the property. */
function holds(file: string, content: string | Uint8Array): boolean {
  const findings = findingsOf({ [file]: content });
  const text = typeof content === 'string' ? content : new TextDecoder('utf-8').decode(content);
  const problem = violation(file, text, findings);
  if (problem) throw new Error(`${problem}\n${JSON.stringify(findings, null, 1)}`);
  return true;
}

const PATHS = ['projects/p/drivers/d.yaml', 'projects/p/environments/e.yaml', 'projects/p/clusters/c.yaml', 'projects/p.yaml'];

const KIND_NAMES = KINDS.map((k) => k.kind);

describe('random text', () => {
  // Characters that mean something to YAML, plus ordinary ones, a tab, CR and non-ASCII.
  const alphabet = [
    ...'abcxyz019 :-?,[]{}&*!|>\'"%@`#=~.\\/'.split(''),
    '\n',
    '\n',
    '\n',
    '  ',
    '\t',
    '\r\n',
    'é',
    '😀',
    '\u00a0',
    '\ufeff',
    '---',
    '...',
    'kind: ',
    'apiVersion: eaas.envmgmt.io/v1\n',
    '<<: ',
  ];
  const text = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 120 });

  it('never throws and always yields well-formed findings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), text, (path, t) => holds(path, t)),
      { numRuns: RUNS },
    );
  });

  it('never throws on text that starts like a spec', () => {
    const head = 'apiVersion: eaas.envmgmt.io/v1\nkind: Driver\nmetadata:\n  name: d\n  project: p\nspec:\n';
    fc.assert(
      fc.property(text, (t) => holds('projects/p/drivers/d.yaml', head + t)),
      { numRuns: RUNS },
    );
  });
});

describe('random bytes', () => {
  it('never throw and always yield well-formed findings', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.uint8Array({ maxLength: 200 }), (path, bytes) => holds(path, bytes)),
      { numRuns: RUNS },
    );
  });

  it('never throw when mixed into YAML text', () => {
    const encoder = new TextEncoder();
    const chunk = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4 }),
      fc.constantFrom('a: b\n', 'kind: Driver\n', '  - x\n', '"q', ': ', '\n').map((s) => encoder.encode(s)),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (chunks) => {
        const bytes = new Uint8Array(chunks.flatMap((c) => [...c]));
        return holds('projects/p/drivers/d.yaml', bytes);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('random documents dumped to YAML', () => {
  it('never throw for any JSON value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 5 }), (path, value) => holds(path, jsyaml.dump(value))),
      { numRuns: RUNS },
    );
  });

  // Spec-shaped documents whose keys and values come from the schema's vocabulary, so that they reach
  // deep into schema checks, spelling normalization and the repository rules.
  const KEYS = [
    'name', 'type', 'config', 'container', 'http', 'function', 'image', 'envvars', 'envVars', 'memoryLimitMB',
    'memoryLimitMb', 'openTofu', 'opentofu', 'providerOptions', 'provider', 'privateip', 'privateIP', 'nodes',
    'hostname', 'roles', 'hooks', 'onInit', 'onSuccess', 'options', 'approval', 'driver', 'data', 'dependsOn',
    'template', 'version', 'variables', 'value', 'valueType', 'resources', 'kind', 'labels', 'timeoutSeconds',
    'sharing', 'projects', 'contexts', 'agents', 'key', 'override', 'restrictedValues', 'required', 'endpoint',
    '__proto__', 'constructor', 'toString', '0', 'imge', 'dependOn',
  ];
  const VALUES = [
    'container', 'http', 'function', 'approval', 'driver', 'mks', 'aws-eks', 'opentofu', 'custom', 'v1', 'json',
    'expression', 'text', 'restricted', 'notallowed', 'allowed', 'resourcetemplate', 'environment', '*', 'a', 'b',
    '$(environment.name)$', '$(resource."a".output.x.value)$', '{"a": 1}', '{bad', '', '../etc',
  ];
  const { node } = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...VALUES),
      fc.integer({ min: -5, max: 5000 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 }),
    ),
  }));
  const spec = fc.record({
    apiVersion: fc.constantFrom('eaas.envmgmt.io/v1', 'infra.k8smgmt.io/v3', 'system.k8smgmt.io/v3', 'eaas.envmgmt.io/v2'),
    kind: fc.constantFrom<string>(...KIND_NAMES, 'Enviroment'),
    metadata: fc.record({ name: fc.constantFrom('a', 'b', 'My_Env', '../etc'), project: fc.constantFrom('p', 'q') }),
    spec: fc.dictionary(fc.constantFrom(...KEYS), node, { maxKeys: 6 }),
  });

  it('never throw for spec-shaped documents, alone or next to each other', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), (docs) => {
        const files: Record<string, string> = {};
        docs.forEach((doc, i) => {
          const kind = KIND_BY_NAME.get(doc.kind as KindName);
          const folder = kind && kind.kind !== 'Project' ? kind.plural : 'drivers';
          files[`projects/p/${folder}/${doc.metadata.name === 'a' ? 'a' : `f${i}`}.yaml`] = jsyaml.dump(doc);
        });
        const findings = findingsOf(files);
        for (const [file, text] of Object.entries(files)) {
          const problem = violation(file, text, findings.filter((f) => f.file === file));
          if (problem) throw new Error(`${problem}\n${text}`);
        }
        expect(findings.every((f) => f.file in files)).toBe(true);
        return true;
      }),
      { numRuns: RUNS },
    );
  });
});

describe('mutations of the reference specs', () => {
  const dir = new URL('../../../shared/reference/specs/', import.meta.url);
  const references = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => {
      const text = readFileSync(new URL(name, dir), 'utf8');
      const head = jsyaml.load(text) as { kind: KindName; metadata: { name: string; project: string } };
      const kind = KIND_BY_NAME.get(head.kind)!;
      return { path: `projects/${head.metadata.project}/${kind.plural}/${head.metadata.name}.yaml`, text };
    });

  type Mutation =
    | { op: 'delete' | 'truncate'; at: number }
    | { op: 'insert'; at: number; what: string }
    | { op: 'duplicate-line'; line: number }
    | { op: 'swap-lines'; line: number; other: number };

  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), what: fc.constantFrom('&a ', '*a', ' *a', '&a', '\t', '\n\t', ': ', '- ', '"', '{', '[') }),
    fc.record({ op: fc.constant('duplicate-line' as const), line: fc.nat() }),
    fc.record({ op: fc.constant('swap-lines' as const), line: fc.nat(), other: fc.nat() }),
  );

  function mutate(text: string, m: Mutation): string {
    switch (m.op) {
      case 'delete': {
        const i = m.at % Math.max(text.length, 1);
        return text.slice(0, i) + text.slice(i + 1);
      }
      case 'truncate':
        return text.slice(0, m.at % (text.length + 1));
      case 'insert': {
        const i = m.at % (text.length + 1);
        return text.slice(0, i) + m.what + text.slice(i);
      }
      case 'duplicate-line': {
        const lines = text.split('\n');
        const i = m.line % lines.length;
        lines.splice(i, 0, lines[i]!);
        return lines.join('\n');
      }
      case 'swap-lines': {
        const lines = text.split('\n');
        const i = m.line % lines.length;
        const j = m.other % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        return lines.join('\n');
      }
    }
  }

  it('never throw and always yield well-formed findings', () => {
    fc.assert(
      fc.property(fc.nat(references.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (index, mutations) => {
        const { path, text } = references[index]!;
        return holds(path, mutations.reduce(mutate, text));
      }),
      { numRuns: RUNS },
    );
  });
});
