// The GitHub App: a webhook accepted is a job committed to the store (the answer goes after the
// commit); workers take jobs from the store and run the flows. The system API, health, readiness and
// metrics are mounted beside the webhooks. Nothing lives only in this process's memory: a process
// killed at any point loses nothing that another replica (or the restart) does not take over.
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { apiRootOf, OctokitPort, webRootOf, type OctokitLike } from '../github/octokit-port.js';
import { createConsoleHandler } from '../console/handler.js';
import { consoleSettingsFrom } from '../console/settings.js';
import { botIdentity } from './bot-identity.js';
import { stopValidationThreads } from '../flows/validate-off-thread.js';
import { createApiHandler, readApiTokens, type ApiToken } from './api.js';
import type { JobQueue, QueueSettings } from '../system/jobs/queue.js';
import type { SystemService } from '../system/service.js';
import { openSystem } from '../system/open.js';
import type { GitHubPort } from '../github/port.js';
import { jobOfWebhook, repoRefOf, repositoryQueue, syncKey, TASKS } from './jobs.js';
import { Metrics } from './metrics.js';
import { operationsHandler } from './operations.js';
import { oidcSettingsFrom, runnerSecretsHandler } from './runner-secrets.js';
import { owningRepository, reachableRepositories } from '../flows/config-repository.js';
import { createWorker, enqueue, scheduleDrift, scheduleFollowUp, schedulePrune } from './worker.js';

export interface AppOptions {
  /** The system (its store); by default DATABASE_URL's, else the embedded SQLite file under ./data. */
  system?: SystemService;
  /** GitHub as each installation sees it; by default the Octokit port, authenticated as the installation (tests pass a port in memory). */
  port?: (installation: number) => GitHubPort;
  /** The job queue's attempts, lease and polling, when the app opens the store (ENVSYNC_JOB_*). */
  queue?: Partial<QueueSettings>;
  /** API tokens; by default from the JSON file named by ENVSYNC_API_TOKENS_FILE. */
  apiTokens?: ApiToken[];
  /** Minutes between drift checks (ENVSYNC_DRIFT_MINUTES); 0 turns them off. */
  driftMinutes?: number;
  /** Days that finished runs' GitHub tracking and webhook deliveries are kept (ENVSYNC_RETENTION_DAYS, default 30); 0 keeps them. */
  retentionDays?: number;
  /** Minutes after which a dispatched run that has not reported is asked about on GitHub (ENVSYNC_RUN_FOLLOW_UP_MINUTES, default 10); 0: never. */
  followUpMinutes?: number;
  /** Milliseconds that changes made through the system API are gathered before they go to Git (ENVSYNC_SYNC_DELAY_MS). */
  syncDelayMs?: number;
  /** Jobs this process runs at once (ENVSYNC_WORKER_CONCURRENCY). */
  concurrency?: number;
  /** The app's id, to tell its check runs and comments from other apps' (APP_ID). */
  appId?: number;
}

/** The running app's parts, for tests and a graceful stop. */
export interface EnvsyncApp {
  service: SystemService;
  queue: JobQueue;
  metrics: Metrics;
  /** Job attempts that failed since the start (also logged and counted): a test asserts there are none. */
  failures: { task: string; error: unknown }[];
  /** Stops taking jobs and waits at most `graceMs` for those running; true when all finished. */
  stop(graceMs?: number): Promise<boolean>;
}

/**
 * Past 9 s Probot's webhook middleware answers 202 on its own, whether the delivery was committed or
 * not: a commit that takes longer (the store failing over) must fail first, so that GitHub shows the
 * delivery failed rather than succeeded.
 */
const ACCEPT_TIMEOUT_MS = 7000;

function withinTime<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

/** A number setting of the environment, or its default; a value that is no number stops the start, saying which. */
export function numberFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number of 0 or more, not "${value}" (docs/guide.md, "Settings of the server")`);
  return number;
}

const NUMBER_SETTINGS = [
  'ENVSYNC_JOB_ATTEMPTS',
  'ENVSYNC_JOB_LEASE_SECONDS',
  'ENVSYNC_JOB_POLL_MS',
  'ENVSYNC_DRIFT_MINUTES',
  'ENVSYNC_WORKER_CONCURRENCY',
  'ENVSYNC_HEAVY_JOBS',
  'ENVSYNC_SPEC_CACHE_MB',
  'ENVSYNC_VALIDATION_HEAP_MB',
  'ENVSYNC_SYNC_DELAY_MS',
  'ENVSYNC_STOP_GRACE_SECONDS',
  'ENVSYNC_RETENTION_DAYS',
  'ENVSYNC_RUN_FOLLOW_UP_MINUTES',
];

/**
 * GitHub lets a delivery be redelivered for 3 days: a delivery forgotten sooner would run its job
 * again when redelivered.
 */
const MIN_RETENTION_DAYS = 3;

/** The retention setting, checked: 0 (keep everything) or at least the days GitHub redelivers within. */
export function retentionDaysFrom(env: NodeJS.ProcessEnv): number {
  const days = numberFrom(env, 'ENVSYNC_RETENTION_DAYS', 30);
  if (days !== 0 && days < MIN_RETENTION_DAYS) throw new Error(`ENVSYNC_RETENTION_DAYS must be 0 (keep everything) or at least ${MIN_RETENTION_DAYS}, the days GitHub can redeliver a webhook within, not "${env.ENVSYNC_RETENTION_DAYS}" (docs/guide.md, "Settings of the server")`);
  return days;
}

/** Throws, naming the setting, when a number setting of the environment is no number: checked before the server starts. */
export function checkNumberSettings(env: NodeJS.ProcessEnv): void {
  for (const name of NUMBER_SETTINGS) numberFrom(env, name, 0);
  retentionDaysFrom(env);
}

/** The queue settings the environment asks for. */
function queueSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<QueueSettings> {
  return {
    ...(env.ENVSYNC_JOB_ATTEMPTS ? { maxAttempts: numberFrom(env, 'ENVSYNC_JOB_ATTEMPTS', 0) } : {}),
    ...(env.ENVSYNC_JOB_LEASE_SECONDS ? { leaseSeconds: numberFrom(env, 'ENVSYNC_JOB_LEASE_SECONDS', 0) } : {}),
    ...(env.ENVSYNC_JOB_POLL_MS ? { pollMs: numberFrom(env, 'ENVSYNC_JOB_POLL_MS', 0) } : {}),
  };
}

export function createEnvsyncApp(options: AppOptions = {}) {
  let running: EnvsyncApp | undefined;
  const appFn = async (app: Probot, fnOptions?: ApplicationFunctionOptions): Promise<void> => {
    const log = app.log.child({ name: 'envsync' });
    const service =
      options.system ??
      (await openSystem({
        ...(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {}),
        queue: { ...queueSettingsFromEnv(), ...options.queue },
        log: (level, message, meta) => (level === 'error' ? log.error(meta ?? {}, message) : level === 'warning' ? log.warn(meta ?? {}, message) : log.debug(meta ?? {}, message)),
      }));
    const records = service.records;
    const metrics = new Metrics(records, records.jobs);
    const failures: EnvsyncApp['failures'] = [];
    let stopping = false;

    fnOptions?.addHandler(operationsHandler(records, metrics, () => stopping, (e, message) => log.error({ err: e }, message)));
    const tokens = options.apiTokens ?? (process.env.ENVSYNC_API_TOKENS_FILE ? readApiTokens(process.env.ENVSYNC_API_TOKENS_FILE) : undefined);
    const api = tokens ? createApiHandler(service, tokens, (e) => log.error({ err: e }, 'system API error')) : undefined;
    const appId = options.appId ?? (process.env.APP_ID ? Number(process.env.APP_ID) : undefined);
    const identity = botIdentity(app);
    const webRoot = webRootOf(process.env);
    /** GitHub as an installation sees it; `beforeWrite` holds each write until the job's lease is confirmed. */
    const portFor = async (installation: number, beforeWrite: () => Promise<void> = async () => {}) =>
      options.port?.(installation) ??
      new OctokitPort((await app.auth(installation)) as unknown as OctokitLike, { ...(appId ? { appId } : {}), observe: (r) => metrics.github(r), beforeWrite, identity: () => identity(installation), webRoot });

    // Runners present GitHub's OIDC token, not an API token: their path is answered before the API's guard.
    const runnerSecrets = runnerSecretsHandler(service, { portFor: (installation) => portFor(installation) }, oidcSettingsFrom(process.env), {
      refused: (fields, message) => log.warn(fields, message),
      error: (e) => log.error({ err: e }, 'runner secrets error'),
    });
    /** One pending job per repository brings the system's changes to Git: each change adds its actor; its time is kept (a window that fills, never moves). */
    const queueSync = async (name: string, actor: string, delayMs: number) => {
      const repo = repoRefOf(name);
      await enqueue(service, { task: 'sync-system-changes', queue: repositoryQueue(repo), key: syncKey(repo), keepRunAt: true, runAt: new Date(Date.now() + delayMs), payload: [{ repo: name, actor }] });
    };
    /**
     * The app's installation on a followed repository: learnt from its events, or, before the first
     * one (a repository just followed), asked of GitHub as the app and recorded.
     */
    const installationOf = async (repo: string): Promise<number> => {
      const known = (await records.getRepository(repo))?.installationId;
      if (known != null) return known;
      const octokit = (await app.auth()) as unknown as OctokitLike;
      const { data } = (await octokit.request('GET /repos/{owner}/{repo}/installation', { ...repoRefOf(repo) })) as { data: { id: number } };
      await records.updateRepository(repo, { installationId: data.id });
      return data.id;
    };
    // The console: pages for people, signed in with GitHub; its changes take the system API's path.
    const consoleHandler = createConsoleHandler({
      service,
      settings: consoleSettingsFrom(process.env),
      apiRoot: apiRootOf(process.env),
      webRoot,
      portOf: async (repo) => portFor(await installationOf(repo)),
      requestSync: (repo, actor) => queueSync(repo, actor, 0),
      log: { error: (e, message) => log.error({ err: e }, message), info: (fields, message) => log.info(fields, message) },
    });
    fnOptions?.addHandler(async (req, res) => {
      if (await runnerSecrets(req, res)) return true;
      if (await consoleHandler(req, res)) return true;
      if (!req.url?.startsWith('/api/v1')) return false;
      if (api) await api(req, res);
      else {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'the system API is off: set ENVSYNC_API_TOKENS_FILE to a tokens file (envsync system token makes entries)' }));
      }
      return true;
    });

    // Accepting a webhook is committing its job: the answer waits for the commit, and an error here
    // (the store unreachable) answers 500, so that GitHub shows the delivery failed and it can be
    // redelivered.
    app.onAny(async (event) => {
      const intake = jobOfWebhook(event.name, event.payload as never);
      if ('skip' in intake) {
        log.debug({ delivery: event.id, event: event.name, reason: intake.skip }, 'webhook needs no job');
        return;
      }
      // An installation on "All repositories" sends every repository's events: only those of a
      // followed config repository are worth a write.
      if (!(await records.getRepository(intake.repo))) {
        log.debug({ delivery: event.id, event: event.name, repo: intake.repo }, `webhook of ${intake.repo}, not a followed config repository (envsync system follow ${intake.repo}): nothing to do`);
        return;
      }
      const outcome = await withinTime(records.acceptDelivery({ id: event.id, event: event.name }, intake.job), ACCEPT_TIMEOUT_MS, `the store did not commit delivery ${event.id} within ${ACCEPT_TIMEOUT_MS / 1000} s: GitHub is told it failed, and may redeliver it`);
      log.info({ delivery: event.id, event: event.name, task: intake.job.task, queue: intake.job.queue, outcome }, `webhook ${outcome}`);
    });

    const driftMinutes = options.driftMinutes ?? numberFrom(process.env, 'ENVSYNC_DRIFT_MINUTES', 0);
    const retentionDays = options.retentionDays ?? retentionDaysFrom(process.env);
    const followUpMinutes = options.followUpMinutes ?? numberFrom(process.env, 'ENVSYNC_RUN_FOLLOW_UP_MINUTES', 10);
    const worker = createWorker({
      service,
      driftMinutes,
      retentionDays,
      followUpMinutes,
      log,
      portFor,
    });
    await records.jobs.start(worker, {
      concurrency: options.concurrency ?? numberFrom(process.env, 'ENVSYNC_WORKER_CONCURRENCY', 4),
      tasks: TASKS,
      onEvent: (event) => {
        metrics.job(event);
        if (event.type !== 'failed') return;
        failures.push({ task: event.job.task, error: event.error });
        const fields = { err: event.error, job: event.job.id, task: event.job.task, attempt: event.job.attempt };
        if (event.final) log.error(fields, `job failed for good: ${event.job.task} (envsync jobs retry ${event.job.id})`);
        else log.warn(fields, `job failed, will retry: ${event.job.task}`);
      },
      onError: (e) => log.error({ err: e }, 'job worker error'),
    });

    for (const followed of driftMinutes > 0 || followUpMinutes > 0 ? await reachableRepositories(records) : []) {
      // The drift check runs once across every replica: one pending job, by its key.
      if (driftMinutes > 0) await scheduleDrift(service, followed.repo, driftMinutes);
      // Runs dispatched before this start (a crash, a deploy of the app) are asked about too.
      if (followUpMinutes > 0) await scheduleFollowUp(service, followed.installation, followed.repo, followUpMinutes * 60_000);
    }
    // Pruning too, a minute after the start (a prune already pending keeps its time).
    if (retentionDays > 0) await schedulePrune(service, new Date(Date.now() + 60_000));

    // A change made through the system API comes back to Git soon, a burst of them together: each
    // adds its actor to one pending job whose time is kept (a window that fills, never moves).
    const syncDelay = options.syncDelayMs ?? numberFrom(process.env, 'ENVSYNC_SYNC_DELAY_MS', 2000);
    const unsubscribe = service.onChange((change) => {
      void (async () => {
        const target = await owningRepository(records, change.key.project);
        if (!target) return log.info({ change: change.key }, `no followed repository owns project ${change.key.project}: the change stays in the system`);
        await queueSync(target.repo, change.actor ?? 'system', syncDelay);
      })().catch((e: unknown) => log.error({ err: e }, 'system change not queued for git (the drift check will find it)'));
    });

    running = {
      service,
      queue: records.jobs,
      metrics,
      failures,
      stop: async (graceMs = 25_000) => {
        stopping = true;
        unsubscribe();
        const finished = await records.jobs.stop(graceMs);
        // After the jobs: a job cut short by the grace must not wait for a thread that is gone.
        await stopValidationThreads();
        if (!options.system) await service.close();
        return finished;
      },
    };
  };
  return { appFn, running: () => running };
}

/** The app as `probot run` loads it. */
export default createEnvsyncApp().appFn;
