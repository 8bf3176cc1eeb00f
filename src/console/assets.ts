// The console's own stylesheet and script, shipped in the package (assets/console/) and read once:
// no page loads anything from anywhere else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../version.js';

const TYPES: Record<string, string> = { 'console.css': 'text/css; charset=utf-8', 'console.js': 'text/javascript; charset=utf-8' };
const loaded = new Map<string, { body: string; type: string }>();

export function assetOf(name: string): { body: string; type: string } | undefined {
  if (!Object.hasOwn(TYPES, name)) return undefined;
  const type = TYPES[name]!;
  let asset = loaded.get(name);
  if (!asset) loaded.set(name, (asset = { body: readFileSync(join(packageRoot(), 'assets', 'console', name), 'utf8'), type }));
  return asset;
}
