// Loading and validation without blocking the event loop. A large or hostile revision (a file of
// 100,000 unknown fields, 30,000 specs) must not keep the server from answering webhooks (GitHub gives
// up after 10 s), the system API and health checks: large files load in a worker thread, and the rest
// a slice at a time, pausing in between. Piscina keeps the threads warm
// (the schemas are compiled once per thread, not per check) and queues what exceeds them; a thread
// that runs out of its heap dies alone, and the check fails with a message instead of the server
// with an out-of-memory abort.
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { validationSteps, type ValidatedRevision, type ValidationBase } from '../engine/validate-change.js';
import { KIND_BY_NAME, type KindName } from '../specs/kinds.js';
import { fileLoader, loadFile, type FileLoad, type LoadedSpec, type LoadOptions, type LoadResult } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';

/** A file's load as it crosses threads: its spec's kind by name, without the bytes the caller has. */
type ThreadLoad = Omit<FileLoad, 'spec'> & { spec?: Omit<LoadedSpec, 'kind'> & { kind: KindName } };

/** What a thread answers: each file's load. */
export interface ThreadAnswer {
  loads: ThreadLoad[];
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
 * A file this large goes to a worker thread: one file can hold 100,000 unknown fields (seconds of
 * work, and memory the thread's heap limit bounds). Smaller files load on the event loop, a slice at
 * a time: sending 30,000 of them to a thread and their loads back would hold the revision twice.
 */
const THREAD_BYTES = 64 * 1024;
/** Files loaded on the event loop between two pauses: about 30 ms of parsing. */
const SLICE = 200;

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Loads `files` (`loads[i]` is `files[i]`'s): the large ones in a worker thread, the others a slice at a time. */
export async function loadFiles(files: readonly SourceFile[], options: LoadOptions): Promise<FileLoad[]> {
  const loads: FileLoad[] = new Array(files.length);
  const large = files.flatMap((file, i) => (file.size > THREAD_BYTES ? [i] : []));
  const threads = large.length > 0 ? poolOf() : undefined;
  const offLoop = threads ? loadInThread(threads, large.map((i) => files[i]!), options) : undefined;
  const loader = fileLoader(options);
  let done = 0;
  for (let i = 0; i < files.length; i++) {
    if (threads && files[i]!.size > THREAD_BYTES) continue;
    loads[i] = loadFile(files[i]!, loader);
    if (++done % SLICE === 0) await pause();
  }
  if (offLoop) (await offLoop).forEach((load, k) => (loads[large[k]!] = load));
  return loads;
}

async function loadInThread(threads: Piscina, files: readonly SourceFile[], options: LoadOptions): Promise<FileLoad[]> {
  let answer: ThreadAnswer;
  try {
    answer = (await threads.run({ files, options })) as ThreadAnswer;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
      throw new Error(`validating this revision needed more than ${heapMb()} MB (ENVSYNC_VALIDATION_HEAP_MB): it was stopped, and the server goes on; split the change or raise the limit`, { cause: e });
    }
    throw e;
  }
  // The specs point at the bytes this side holds (the thread's copies are not sent back).
  return answer.loads.map(({ spec, ...load }, i): FileLoad => ({ ...load, ...(spec ? { spec: { ...spec, kind: KIND_BY_NAME.get(spec.kind)!, content: files[i]!.content } } : {}) }));
}

/** validateLoaded, pausing between slices of specs (see validationSteps). */
export async function validateInSlices(loaded: LoadResult, from?: ValidationBase): Promise<ValidatedRevision> {
  const steps = validationSteps(loaded, from);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** Ends the threads (a server that stops). */
export async function stopValidationThreads(): Promise<void> {
  const running = pool;
  pool = undefined;
  await running?.destroy();
}
