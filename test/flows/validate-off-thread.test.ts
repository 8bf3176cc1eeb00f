// Validation that does not block the event loop, as the built server runs it: the loop keeps turning while a file of
// 20,000 unknown fields is validated in a worker thread, and the answer is the one validating in
// process gives. (Imported from dist/: a thread cannot start on the TypeScript sources.)
import { afterAll, expect, it } from 'vitest';
import type * as OffThread from '../../src/flows/validate-off-thread.js';
import { validateSources } from '../../src/engine/validate.js';
import { assembleLoad } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';

const built = (await import(new URL('../../dist/src/flows/validate-off-thread.js', import.meta.url).href)) as typeof OffThread;
afterAll(() => built.stopValidationThreads());
/** Loads and validates files as a revision is, without blocking the loop (large files in a thread). */
const validateOffThread = async (files: SourceFile[]) => built.validateInSlices(assembleLoad(files, await built.loadFiles(files, {})));

const HEAD = ['apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', '  name: r', '  project: p', 'spec:'];
const file = (path: string, text: string): SourceFile => {
  const content = new TextEncoder().encode(text);
  return { path, size: content.length, content };
};

it('keeps the event loop turning while a hostile file is validated, and answers as validating in process does', async () => {
  const files = [file('projects/p/resources/r.yaml', [...HEAD, ...Array.from({ length: 20_000 }, (_, i) => `  k${i}: 1`)].join('\n') + '\n')];
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  const off = await validateOffThread(files);
  clearInterval(timer);
  // Validating in process is synchronous: the loop could not have turned once.
  expect(turns).toBeGreaterThan(0);
  const inProcess = validateSources(files);
  expect(off.findings).toEqual(inProcess.findings);
  expect(off.loaded.specs.map((s) => [s.kind.kind, s.project, s.name, s.valid])).toEqual(inProcess.loaded.specs.map((s) => [s.kind.kind, s.project, s.name, s.valid]));
  expect(off.loaded.textOf('projects/p/resources/r.yaml')).toBe(inProcess.loaded.textOf('projects/p/resources/r.yaml'));
});

it('keeps the event loop turning while thousands of small files are loaded and checked on it, a slice at a time', async () => {
  const files = Array.from({ length: 3_000 }, (_, i) => file(`projects/p/resources/r${i}.yaml`, ['apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', `  name: r${i}`, '  project: p', 'spec: {}'].join('\n') + '\n'));
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  const off = await validateOffThread(files);
  clearInterval(timer);
  expect(turns).toBeGreaterThan(0);
  expect(off.findings).toEqual(validateSources(files).findings);
  expect(off.loaded.specs).toHaveLength(3_000);
});
