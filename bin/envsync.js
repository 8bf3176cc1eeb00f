#!/usr/bin/env node
// The CLI is compiled to dist/ by `npm ci` (the prepare script); this file only points at it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('envsync: the compiled CLI is missing (dist/). Run `npm run build` (or `npm ci`) in the envsync folder first.\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
