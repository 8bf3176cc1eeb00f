// Validation of a revision off the event loop. A large or hostile revision (a file of 100,000
// unknown fields, 30,000 specs) keeps a worker thread busy, not the server: webhooks (GitHub gives
// up after 10 s), the system API and health checks go on answering meanwhile. Piscina keeps the
// threads warm (the schemas are compiled once per thread, not per check) and queues what exceeds
// them; a thread that runs out of its heap dies alone, and the check fails with a message instead of
// the server with an out-of-memory abort.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { validateSources, type SourceValidation } from '../engine/validate.js';
import type { PendingFinding, Finding } from '../specs/findings.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import type { LoadedSpec, LoadOptions, LoadResult } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';

/** What a thread answers: the validation as plain data. */
export interface ThreadAnswer {
  findings: Finding[];
  specs: (Omit<LoadedSpec, 'kind'> & { kind: KindName })[];
  loadFindings: PendingFinding[];
  ignored: LoadResult['ignored'];
  fileCount: number;
}

/** Heap of one validation thread, in MB (ENVSYNC_VALIDATION_HEAP_MB): above it, that validation fails, not the server. */
const heapMb = () => Number(process.env.ENVSYNC_VALIDATION_HEAP_MB) || 2048;

let pool: Piscina | undefined;

/**
 * The compiled worker beside this file. Under a test runner that loads the TypeScript sources there
 * is none (Node cannot start a thread on a .ts file): validation then runs in-process, and the
 * end-to-end tests, which start the built server, cover the threads.
 */
function poolOf(): Piscina | undefined {
  if (pool) return pool;
  const worker = new URL('./validation-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.js')) return undefined;
  pool = new Piscina({ filename: fileURLToPath(worker), minThreads: 0, maxThreads: 2, idleTimeout: 60_000, resourceLimits: { maxOldGenerationSizeMb: heapMb() } });
  // A thread that dies outside a task (none should) is replaced at the next task; its error is the
  // task's, so there is nothing to add here but keeping it from crashing the process.
  pool.on('error', () => undefined);
  return pool;
}

/** validateSources, in a worker thread when the server runs from its build. */
export async function validateOffThread(files: readonly SourceFile[], options: LoadOptions = {}): Promise<SourceValidation> {
  const threads = poolOf();
  if (!threads) return validateSources(files, options);
  let answer: ThreadAnswer;
  try {
    answer = (await threads.run({ files, options })) as ThreadAnswer;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new Error(`validating this revision needed more than ${heapMb()} MB (ENVSYNC_VALIDATION_HEAP_MB): it was stopped, and the server goes on; split the change or raise the limit`, { cause: e });
    }
    throw e;
  }
  return { findings: answer.findings, loaded: loadResultOf(answer, files) };
}

/** The load result again, with its kinds and a textOf over the files this side already holds. */
function loadResultOf(answer: ThreadAnswer, files: readonly SourceFile[]): LoadResult {
  const bytes = new Map(files.flatMap((f) => (f.content ? [[f.path, f.content] as const] : [])));
  const decoder = new TextDecoder();
  return {
    specs: answer.specs.map((spec) => ({ ...spec, kind: KIND_BY_NAME.get(spec.kind)! })),
    findings: answer.loadFindings,
    textOf: (file) => {
      const content = bytes.get(file);
      return content && decoder.decode(content);
    },
    ignored: answer.ignored,
    fileCount: answer.fileCount,
  };
}

/** Ends the threads (a server that stops). */
export async function stopValidationThreads(): Promise<void> {
  const running = pool;
  pool = undefined;
  await running?.destroy();
}
