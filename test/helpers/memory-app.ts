// The app on GitHub in memory: a webhook goes through Probot to its job and its flow as in
// production, and the flows read and write a MemoryPort, whose contents a test then asserts. Tests
// wait for the job queue to settle, never for a time.
import type { ApplicationFunctionOptions } from 'probot';
import { createEnvsyncApp, type AppOptions } from '../../src/app/index.js';
import type { MemoryPort } from '../../src/github/memory-port.js';
import { SystemService } from '../../src/system/service.js';
import type { Store } from '../../src/system/store.js';
import { testProbot } from './probot.js';

type Handler = Parameters<ApplicationFunctionOptions['addHandler']>[0];

export interface MemoryApp {
  app: ReturnType<typeof createEnvsyncApp>;
  /** Delivers a webhook as GitHub does (under a new delivery id unless given one), then waits until the jobs settle. */
  receive(name: string, payload: unknown, id?: string): Promise<void>;
  /** Delivers a webhook, then waits until no job is running or due: a failed attempt is left waiting for its retry. */
  deliver(name: string, payload: unknown, id?: string): Promise<void>;
  /** Until no job is running or due; see settle. */
  settled(): Promise<void>;
}

/** The app over `store`, its every installation seeing GitHub as `port`; no drift checks unless asked for. */
export async function startMemoryApp(store: Store, port: MemoryPort, options: Omit<AppOptions, 'system' | 'port'> & { addHandler?: (handler: Handler) => void } = {}): Promise<MemoryApp> {
  const { addHandler = () => {}, ...appOptions } = options;
  const app = createEnvsyncApp({ driftMinutes: 0, ...appOptions, system: new SystemService(store), port: () => port });
  const probot = testProbot();
  await probot.load(app.appFn, { cwd: process.cwd(), addHandler });
  const settled = () => settle(app);
  const deliver = async (name: string, payload: unknown, id = `d-${Math.random()}`) => {
    await probot.receive({ id, name, payload } as never);
    await app.running()!.queue.idle();
  };
  return {
    app,
    settled,
    deliver,
    receive: async (name, payload, id) => {
      await deliver(name, payload, id);
      await settled();
    },
  };
}

/**
 * Until no job is running or due. A job whose attempt failed waits its backoff (seconds) before it is
 * due again: it is made due at once, so that a test sees the retry without waiting for the clock.
 * Jobs scheduled for later (the daily prune, a follow-up of runs) never failed, and are left alone.
 */
export async function settle(app: ReturnType<typeof createEnvsyncApp>): Promise<void> {
  const queue = app.running()!.queue;
  for (;;) {
    await queue.idle();
    const retries = (await queue.list({ state: 'pending' })).filter((j) => j.attempts > 0);
    if (retries.length === 0) return;
    for (const job of retries) await queue.retry(job.id);
  }
}

/** Makes `port` fail the first `times` calls of `operation` whose detail holds `detail`, as GitHub answers `status`. */
export function failFirst(port: MemoryPort, operation: string, detail: string, answer: { status: number; message: string }, times = 1): void {
  let left = times;
  port.fail = (called, about) => (called === operation && about.includes(detail) && left-- > 0 ? Object.assign(new Error(answer.message), { status: answer.status }) : undefined);
}
