// Every example spec of the reference documents, placed at its layout path and validated on its own,
// passes loading and schema validation. What remains are cross-file rules (references to specs that
// are not in the repository, dependsOn among entries) and value rules (json values that do not parse):
// the table below lists them per file, so that this test documents exactly what the examples carry.
import { readdirSync, readFileSync } from 'node:fs';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KIND_BY_NAME, type KindName } from '../../src/specs/kinds.js';
import { validate } from '../helpers/repo.js';

const DIR = new URL('../../../shared/reference/specs/', import.meta.url);

/** Codes a spec may carry on its own without failing the spec model: cross-file and value rules. */
const allowed = (code: string) =>
  code.startsWith('ref-') || code.startsWith('depends-on-') || code === 'invalid-json' || code === 'expression-unknown-resource';

const ref = 'ref-not-found';

/** The codes each reference file yields on its own, in the order of their position in the file. */
const EXPECTED: Record<string, string[]> = {
  'cluster-eks.yaml': [],
  'cluster-mks.yaml': [],
  // eks_blueprint_version: '{"latest"}' is not JSON.
  'configcontext.yaml': ['invalid-json'],
  'driver-container.yaml': [],
  'driver-http.yaml': [],
  // template sp-et3 is not among the examples.
  'environment.yaml': [ref],
  // contexts demo1, demo2; driver demo-art; five resources; dependsOn names `tf1`; eks_blueprint is not JSON.
  'environmenttemplate.yaml': [ref, ref, ref, ref, ref, ref, ref, 'depends-on-unknown', ref, 'invalid-json'],
  // blueprint_version: '{"latest"}' is not JSON.
  'resource-static.yaml': ['invalid-json'],
  // drivers driver1 and driver2.
  'resourcetemplate-custom.yaml': [ref, ref],
  // artifact driver, two contexts, a hook listing the same dependency twice, the driver twice, eks_blueprint.
  'resourcetemplate-hcpterraform.yaml': [ref, ref, ref, 'depends-on-duplicate', ref, ref, 'invalid-json'],
  'resourcetemplate-inline-driver.yaml': [],
  'resourcetemplate-opentofu.yaml': [ref, ref, ref, ref, ref, 'invalid-json'],
};

interface Head {
  kind: KindName;
  metadata: { name: string; project: string };
}

/** Where a spec lives in a config repository: projects/<project>/<plural>/<name>.yaml. */
function layoutPath(text: string): string {
  const head = jsyaml.load(text) as Head;
  const kind = KIND_BY_NAME.get(head.kind);
  if (!kind) throw new Error(`unknown kind ${head.kind}`);
  return `projects/${head.metadata.project}/${kind.plural}/${head.metadata.name}.yaml`;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('the reference specs', () => {
  it('are exactly the files listed here, so a new example needs an entry', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(files)('%s, on its own', (name) => {
    const text = readFileSync(new URL(name, DIR), 'utf8');
    const path = layoutPath(text);

    it('loads as one valid spec with no schema or loading finding', () => {
      const result = validate({ [path]: text });
      expect(result.loaded.specs.map((s) => [s.file, s.valid])).toEqual([[path, true]]);
      expect(result.findings.filter((f) => !allowed(f.code))).toEqual([]);
    });

    it('carries exactly the listed cross-file and value findings', () => {
      const findings = validate({ [path]: text }).findings;
      expect(findings.map((f) => f.code)).toEqual(EXPECTED[name]);
      for (const f of findings) {
        expect(f.file).toBe(path);
        expect(f.line).toBeGreaterThanOrEqual(1);
        expect(f.column).toBeGreaterThanOrEqual(1);
      }
    });
  });
});
