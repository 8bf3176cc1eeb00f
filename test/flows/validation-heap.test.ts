// A validation that needs more memory than its thread may have fails alone, with a message that
// says what to do; the process that asked goes on. (Its own file: the heap is set when the threads start.)
import { afterAll, expect, it } from 'vitest';
import type * as OffThread from '../../src/flows/validate-off-thread.js';
import { assembleLoad } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';

process.env.ENVSYNC_VALIDATION_HEAP_MB = '64';
const built = (await import(new URL('../../dist/src/flows/validate-off-thread.js', import.meta.url).href)) as typeof OffThread;
afterAll(() => built.stopValidationThreads());
/** Loads and validates files as a revision is, without blocking the loop (large files in a thread). */
const validateOffThread = async (files: SourceFile[]) => built.validateInSlices(assembleLoad(files, await built.loadFiles(files, {})));

it('stops a validation that outgrows its heap with a message, and validates the next revision', async () => {
  const spec = (i: number) => ['apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', `  name: r${i}`, '  project: p', 'spec:', ...Array.from({ length: 2000 }, (_, k) => `  k${k}: ${'x'.repeat(40)}`)].join('\n') + '\n';
  const files: SourceFile[] = Array.from({ length: 200 }, (_, i) => {
    const content = new TextEncoder().encode(spec(i));
    return { path: `projects/p/resources/r${i}.yaml`, size: content.length, content };
  });
  await expect(validateOffThread(files)).rejects.toThrow('validating this revision needed more than 64 MB (ENVSYNC_VALIDATION_HEAP_MB): it was stopped, and the server goes on; split the change or raise the limit');
  const ok = new TextEncoder().encode('apiVersion: eaas.envmgmt.io/v1\nkind: Resource\nmetadata:\n  name: ok\n  project: p\nspec: {}\n');
  const small = await validateOffThread([{ path: 'projects/p/resources/ok.yaml', size: ok.length, content: ok }]);
  expect(small.loaded.specs.map((s) => s.name)).toEqual(['ok']);
});
