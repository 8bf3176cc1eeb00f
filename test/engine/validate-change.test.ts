// A revision validated from an earlier one says exactly what validating it whole says: proven over
// chains of random changes to a repository whose specs refer to each other across kinds, projects
// and versions (renames, deletions, copies, broken references, versions, sharing, broken YAML).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRepository } from '../../bench/generate-repo.js';
import { validateLoaded, type ValidatedRevision } from '../../src/engine/validate-change.js';
import { validateSources } from '../../src/engine/validate.js';
import { assembleLoad, fileLoader, loadFile, type FileLoad } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';
import { exampleFiles } from '../golden/scenarios.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 60);

type Files = Map<string, string>;

/** The reference example and a generated repository of 400 specs in two projects. */
function baseRepository(): Files {
  const files: Files = new Map(generateRepository(400));
  const decoder = new TextDecoder();
  for (const f of exampleFiles()) if (f.content && f.path.startsWith('projects/')) files.set(f.path, decoder.decode(f.content));
  return files;
}

const sources = (files: Files): SourceFile[] =>
  [...files]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, text]) => {
      const content = new TextEncoder().encode(text);
      return { path, size: content.length, content };
    });

/** Validates `head` from `base` as the app does: files with the same text keep their loads, the rules rerun for what changed. */
function validateFrom(base: { files: Files; validated: ValidatedRevision; loads: Map<string, FileLoad> }, head: Files) {
  const loader = fileLoader();
  const files = sources(head);
  const loads = new Map<string, FileLoad>();
  const headLoads = files.map((f) => {
    const text = head.get(f.path)!;
    const load = base.files.get(f.path) === text ? base.loads.get(f.path)! : loadFile(f, loader);
    loads.set(f.path, load);
    return load;
  });
  const changed = new Set([...head.keys(), ...base.files.keys()].filter((p) => head.get(p) !== base.files.get(p)));
  return { files: head, loads, validated: validateLoaded(assembleLoad(files, headLoads), { base: base.validated, changed }) };
}

function validateWhole(head: Files) {
  const loader = fileLoader();
  const files = sources(head);
  const loads = new Map(files.map((f) => [f.path, loadFile(f, loader)]));
  return { files: head, loads, validated: validateLoaded(assembleLoad(files, [...loads.values()])) };
}

const NAMES = ['et-0', 'et-1', 'rt-0', 'rt-3', 'res-1', 'ctx-0', 'driver-1', 'web-stack', 'database', 'network', 'dns-zone', 'aws-account', 'tofu-runner', 'nope'];

/** One random change to the repository, by text, as a person (or a bad merge) makes them. */
const change = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 8 }), fc.constantFrom(...NAMES)).map(([a, b, how, name]) => (files: Files) => {
  const paths = [...files.keys()].sort();
  const path = paths[a % paths.length]!;
  const other = paths[b % paths.length]!;
  const text = files.get(path)!;
  switch (how) {
    case 0: // deleted
      files.delete(path);
      break;
    case 1: // copied without renaming: a duplicate spec
      files.set(path.replace(/\.yaml$/, '-copy.yaml'), text);
      break;
    case 2: {
      // a reference (or a name) changed to another spec's name, or to one that does not exist
      const names = [...text.matchAll(/name: ([\w-]+)/g)];
      const picked = names[b % Math.max(1, names.length)];
      if (picked) files.set(path, text.slice(0, picked.index) + `name: ${name}` + text.slice(picked.index! + picked[0].length));
      break;
    }
    case 3: // a version pinned or released
      files.set(path, text.replace(/version: ["']?v?\d+["']?/, b % 2 ? 'version: v2' : 'version: v1'));
      break;
    case 4: // sharing switched
      files.set(path, text.includes('enabled: true') ? text.replace('enabled: true', 'enabled: false') : text.replace(/^spec:\n/m, "spec:\n  sharing:\n    enabled: true\n    projects:\n    - name: '*'\n"));
      break;
    case 5: // broken YAML
      files.set(path, text.replace(/\n/, '\n\t: [\n'));
      break;
    case 6: // renamed (moved) as is
      files.delete(path);
      files.set(other.replace(/[^/]+\.yaml$/, `${name}.yaml`), text);
      break;
    case 7: // another file's text in its place
      files.set(path, files.get(other)!);
      break;
    default: // a value a template restricts, or JSON that does not parse
      files.set(path, text.replace(/value: [^\n]+/, b % 2 ? 'value: "{not json"' : 'value: forbidden'));
  }
});

describe('validating a revision from an earlier one', () => {
  it('finds exactly what a whole validation finds, over chains of random changes', () => {
    const base = validateWhole(baseRepository());
    expect(base.validated.findings).toEqual(validateSources(sources(base.files)).findings);
    fc.assert(
      fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }), (steps) => {
        let current = base;
        for (const step of steps) {
          const head = new Map(current.files);
          for (const edit of step) edit(head);
          current = validateFrom(current, head);
          expect(current.validated.findings).toEqual(validateSources(sources(head)).findings);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reruns the rules across specs for a changed template and the environments that use it, not for the rest', () => {
    const base = validateWhole(baseRepository());
    const head = new Map(base.files);
    const template = 'projects/project-0/environmenttemplates/et-0.yaml';
    // A variable the environments set becomes one they may not override.
    head.set(template, head.get(template)!.replace(/override:\n(\s+)type: allowed/, 'override:\n$1type: notallowed'));
    const next = validateFrom(base, head);
    expect(next.validated.findings).toEqual(validateSources(sources(head)).findings);
    const using = (project: string) => [...head].filter(([path, t]) => path.startsWith(project) && /kind: Environment\n[\s\S]*template:\n\s+name: et-0\n/.test(t)).length;
    expect(using('projects/project-0/')).toBeGreaterThan(0);
    expect(next.validated.findings.filter((f) => f.code === 'override-not-allowed').length).toBe(using('projects/project-0/'));
    // The template and the environments naming an et-0 (matched by name: project-1 has its own et-0), of 415 specs.
    expect(next.validated.rechecked).toBe(using('projects/') + 1);
    expect(base.validated.rechecked).toBe(415);
  });

  it('says again what a reference that does not resolve may have meant when another spec is added', () => {
    const dev = 'projects/payments/environments/dev.yaml';
    const template = 'projects/payments/environmenttemplates/web-stack.yaml';
    const first = new Map(baseRepository());
    first.set(dev, first.get(dev)!.replace('name: web-stack', 'name: web-stacks-x'));
    const broken = validateFrom(validateWhole(baseRepository()), first);
    expect(broken.validated.findings.find((f) => f.file === dev && f.code === 'ref-not-found')?.message).toContain('did you mean "web-stack"');
    // The environment does not change; a template with a closer name comes.
    const second = new Map(first);
    second.set(template.replace('web-stack', 'web-stacks'), first.get(template)!.replace('name: web-stack', 'name: web-stacks'));
    const next = validateFrom(broken, second);
    expect(next.validated.findings.find((f) => f.file === dev && f.code === 'ref-not-found')?.message).toContain('did you mean "web-stacks"');
    expect(next.validated.findings).toEqual(validateSources(sources(second)).findings);
  });

  it("reruns an environment whose template fails its schema when what the template names changes (the index still resolves to it)", () => {
    const template = 'projects/payments/environmenttemplates/web-stack.yaml';
    const context = 'projects/platform/configcontexts/aws-account.yaml';
    const first = new Map(baseRepository());
    // Named after another name: the template is invalid, and still the environments' template.
    first.set(template.replace('web-stack', 'webstack'), first.get(template)!);
    first.delete(template);
    const broken = validateFrom(validateWhole(baseRepository()), first);
    const second = new Map(first);
    second.set(context, first.get(context)!.replace('        - eu-central-1\n', ''));
    expect(second.get(context)).not.toBe(first.get(context));
    const next = validateFrom(broken, second);
    expect(next.validated.findings).toEqual(validateSources(sources(second)).findings);
    expect(next.validated.findings.some((f) => f.file === 'projects/payments/environments/staging.yaml' && f.code === 'override-restricted')).toBe(true);
  });
});

