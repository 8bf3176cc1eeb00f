// The JSON Schema files editors read (`# yaml-language-server: $schema=...`), generated from the
// same TypeBox definitions the validator uses. Editors see raw files, so the documented spelling
// variants are added as properties of their own.
import { KINDS } from './specs/kinds.js';
import { RepositoryConfigSchema } from './config/schema.js';
import type { JsonSchema } from './specs/factor-schema.js';
import { VARIANTS_OF } from './specs/spelling.js';

function withVariants(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withVariants);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withVariants(value);
  const properties = out.properties as Record<string, JsonSchema> | undefined;
  if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
    for (const [canonical, schema] of Object.entries(properties)) {
      for (const variant of VARIANTS_OF.get(canonical) ?? []) {
        if (variant in properties) continue;
        properties[variant] = { ...schema, description: `Same as \`${canonical}\` (a documented spelling).` };
      }
    }
  }
  return out;
}

/** File name (e.g. `environmenttemplate.json`) to file content, for every kind. */
export function editorSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const kind of KINDS) {
    const name = `${kind.kind.toLowerCase()}.json`;
    // JSON.stringify drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
    const plain = JSON.parse(JSON.stringify(kind.jsonSchema)) as Record<string, unknown>;
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...(withVariants(plain) as Record<string, unknown>),
      $id: `https://envsync.dev/schemas/${name}`,
    };
    files.set(name, JSON.stringify(schema, null, 2) + '\n');
  }
  // The repository configuration, for `# yaml-language-server: $schema=...` in .github/envsync.yml.
  files.set(
    'envsync-config.json',
    JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(RepositoryConfigSchema)) as object), $id: 'https://envsync.dev/schemas/envsync-config.json' }, null, 2) + '\n',
  );
  return files;
}
