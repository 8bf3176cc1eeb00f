// Loading and validation off the event loop. A large or hostile revision (a file of 100,000 unknown
// fields, 30,000 specs) keeps a worker thread busy, not the server: webhooks (GitHub gives up after
// 10 s), the system API and health checks go on answering meanwhile. Piscina keeps the threads warm
// (the schemas are compiled once per thread, not per check) and queues what exceeds them; a thread
// that runs out of its heap dies alone, and the check fails with a message instead of the server
// with an out-of-memory abort.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { validateLoaded, type ValidatedRevision } from '../engine/validate-change.js';
import type { SourceValidation } from '../engine/validate.js';
import type { Finding, PendingFinding } from '../specs/findings.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import { assembleLoad, fileLoader, loadFile, type FileLoad, type LoadedSpec, type LoadOptions } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';

/** A file's load as it crosses threads: its spec's kind by name, without the bytes the caller has. */
type ThreadLoad = Omit<FileLoad, 'spec'> & { spec?: Omit<LoadedSpec, 'kind'> & { kind: KindName } };

/** What a thread answers: each file's load, and for a whole revision its validation. */
export interface ThreadAnswer {
  loads: ThreadLoad[];
  validation?: { specRuleFindings: [string, readonly PendingFinding[]][]; findings: Finding[]; rechecked: number };
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

/**
 * Loads `files`, in a worker thread when the server runs from its build; with `whole`, validates
 * them as a revision there too (a revision read for the first time: every file is new).
 */
export async function loadOffThread(files: readonly SourceFile[], options: LoadOptions, whole: true): Promise<{ loads: FileLoad[]; validation: ValidatedRevision }>;
export async function loadOffThread(files: readonly SourceFile[], options: LoadOptions, whole: false): Promise<{ loads: FileLoad[] }>;
export async function loadOffThread(files: readonly SourceFile[], options: LoadOptions, whole: boolean): Promise<{ loads: FileLoad[]; validation?: ValidatedRevision }> {
  const threads = poolOf();
  if (!threads) {
    const loader = fileLoader(options);
    const loads = files.map((file) => loadFile(file, loader));
    return { loads, ...(whole ? { validation: validateLoaded(assembleLoad(files, loads)) } : {}) };
  }
  let answer: ThreadAnswer;
  try {
    answer = (await threads.run({ files, options, whole })) as ThreadAnswer;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new Error(`validating this revision needed more than ${heapMb()} MB (ENVSYNC_VALIDATION_HEAP_MB): it was stopped, and the server goes on; split the change or raise the limit`, { cause: e });
    }
    throw e;
  }
  // The specs point at the bytes this side holds (the thread's copies are not sent back).
  const loads = answer.loads.map(({ spec, ...load }, i): FileLoad => ({ ...load, ...(spec ? { spec: { ...spec, kind: KIND_BY_NAME.get(spec.kind)!, content: files[i]!.content } } : {}) }));
  if (!answer.validation) return { loads };
  const loaded = assembleLoad(files, loads);
  return { loads, validation: { ...answer.validation, loaded, specRuleFindings: new Map(answer.validation.specRuleFindings) } };
}

/** validateSources, in a worker thread when the server runs from its build. */
export async function validateOffThread(files: readonly SourceFile[], options: LoadOptions = {}): Promise<SourceValidation> {
  const { validation } = await loadOffThread(files, options, true);
  return { findings: validation.findings, loaded: validation.loaded };
}

/** Ends the threads (a server that stops). */
export async function stopValidationThreads(): Promise<void> {
  const running = pool;
  pool = undefined;
  await running?.destroy();
}
