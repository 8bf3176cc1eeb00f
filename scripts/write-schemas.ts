// Writes schemas/*.json from the spec model (npm run schemas). A test fails when they are stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { editorSchemas } from '../src/editor-schemas.js';

const dir = fileURLToPath(new URL('../../schemas/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, content] of editorSchemas()) {
  writeFileSync(join(dir, name), content);
  console.log(`wrote schemas/${name}`);
}
