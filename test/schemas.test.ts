// The published editor schemas: current with the model, and accepting what the documents write.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { editorSchemas } from '../src/editor-schemas.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const referenceSpecs = fileURLToPath(new URL('../../shared/reference/specs/', import.meta.url));

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('schemas/*.json', () => {
  it('are exactly what `npm run schemas` generates from the spec model', () => {
    const generated = editorSchemas();
    const committed = readdirSync(join(root, 'schemas')).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, content] of generated) {
      expect(readFileSync(join(root, 'schemas', name), 'utf8'), `schemas/${name} is stale: run npm run schemas`).toBe(content);
    }
  });

  it('accept every reference spec as written, documented spelling variants included', () => {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    const files = readdirSync(referenceSpecs).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(12);
    for (const file of files) {
      const data = jsyaml.load(readFileSync(join(referenceSpecs, file), 'utf8')) as { kind: string };
      const schema = JSON.parse(editorSchemas().get(`${data.kind.toLowerCase()}.json`)!) as object;
      const validate = ajv.compile({ ...schema, $id: `${file}.schema` });
      expect(validate(data) ? [] : validate.errors, file).toEqual([]);
    }
  });

  it('reject a misspelled field, as an editor would underline it', () => {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    const validate = ajv.compile(JSON.parse(editorSchemas().get('environment.json')!) as object);
    const spec = { apiVersion: 'eaas.envmgmt.io/v1', kind: 'Environment', metadata: { name: 'a', project: 'p' }, spec: { template: { name: 't', version: 'v1' }, varables: [] } };
    expect(validate(spec)).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'varables' } });
  });

  it('are named by the example repository files through a yaml-language-server comment that resolves', () => {
    const files = walk(join(root, 'examples', 'config-repo', 'projects')).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBe(15);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const match = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
      expect(match, file).not.toBeNull();
      const kind = (jsyaml.load(text) as { kind: string }).kind.toLowerCase();
      expect(resolve(dirname(file), match![1]!)).toBe(join(root, 'schemas', `${kind}.json`));
    }
  });
});
