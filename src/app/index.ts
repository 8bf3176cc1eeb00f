// The GitHub App: wires webhook events to handlers, mounts the system API, and runs the drift check
// on a schedule. Handlers queue their work and return, so that GitHub gets its answer at once.
import type { ApplicationFunctionOptions, Probot } from 'probot';
import { createApiHandler, readApiTokens, type ApiToken } from '../system/api.js';
import { SystemService, type SystemChangeEvent } from '../system/service.js';
import { openStore, type Store } from '../system/store.js';
import { OctokitPort, type OctokitLike } from '../github/octokit-port.js';
import { applyPush, type PushEvent } from '../handlers/push.js';
import { checkPullRequest, CONFIG_REPOSITORY_SETTING, type PullRequestEvent } from '../handlers/pull-request.js';
import { handleCommand, type CommentEvent } from '../handlers/commands.js';
import { followWorkflowRun, type WorkflowRunEvent } from '../handlers/workflow-run.js';
import { ChangeBatch } from './change-batch.js';
import { checkDrift } from './drift.js';
import { exportSystemChanges } from './system-changes.js';
import { WorkQueue } from './queue.js';

export interface AppOptions {
  /** The store; by default DATABASE_URL, else the embedded SQLite file under ./data. */
  store?: Store;
  /** API tokens; by default from the JSON file named by ENVSYNC_API_TOKENS_FILE. */
  apiTokens?: ApiToken[];
  /** Minutes between drift checks (ENVSYNC_DRIFT_MINUTES); 0 turns them off. */
  driftMinutes?: number;
  /** Milliseconds that changes made through the system API are gathered before they go to Git (ENVSYNC_SYNC_DELAY_MS). */
  syncDelayMs?: number;
}

/** The running app's parts, for tests and a graceful stop. */
export interface EnvsyncApp {
  store: Store;
  service: SystemService;
  queue: WorkQueue;
  /** Jobs that failed since the start (also logged): a test asserts there are none. */
  failures: { key: string; error: unknown }[];
  stop(): Promise<void>;
}

const SETTING_INSTALLATION = 'installation-id';
const SETTING_DEFAULT_BRANCH = 'default-branch';

export function createEnvsyncApp(options: AppOptions = {}) {
  let running: EnvsyncApp | undefined;
  const appFn = async (app: Probot, fnOptions?: ApplicationFunctionOptions): Promise<void> => {
    const store = options.store ?? (await openStore({ ...(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : {}) }));
    const service = new SystemService(store);
    const failures: { key: string; error: unknown }[] = [];
    const queue = new WorkQueue((key, e) => {
      failures.push({ key, error: e });
      app.log.error({ err: e, key }, 'envsync job failed');
    });

    const tokens = options.apiTokens ?? (process.env.ENVSYNC_API_TOKENS_FILE ? readApiTokens(process.env.ENVSYNC_API_TOKENS_FILE) : undefined);
    const api = tokens ? createApiHandler(service, tokens, (e) => app.log.error({ err: e }, 'system API error')) : undefined;
    fnOptions?.addHandler(async (req, res) => {
      if (!req.url?.startsWith('/api/v1')) return false;
      if (api) await api(req, res);
      else {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'the system API is off: set ENVSYNC_API_TOKENS_FILE to a tokens file (envsync system token makes entries)' }));
      }
      return true;
    });

    app.on('push', async (context) => {
      const payload = context.payload as unknown as PushEvent & { installation?: { id: number } };
      if (!(await store.recordDelivery(context.id, 'push'))) {
        context.log.info({ delivery: context.id }, 'redelivered push: already handled');
        return;
      }
      const repo = `${payload.repository.owner.login}/${payload.repository.name}`;
      queueDelivery(context.id, repo, async () => {
        const outcome = await applyPush(new OctokitPort(context.octokit as unknown as OctokitLike), service, payload);
        if ('ignored' in outcome) {
          context.log.info({ repo, reason: outcome.ignored }, 'push not applied');
          return;
        }
        // The repository whose sync branch the system follows: what the drift check compares with.
        await store.setSetting(CONFIG_REPOSITORY_SETTING, repo);
        await store.setSetting(SETTING_DEFAULT_BRANCH, payload.repository.default_branch);
        if (payload.installation) await store.setSetting(SETTING_INSTALLATION, String(payload.installation.id));
        const { created, updated, deleted } = outcome.applied;
        context.log.info({ repo, revision: outcome.revision, created: created.length, updated: updated.length, deleted: deleted.length }, 'revision applied to the system');
      });
    });

    /** Queues a webhook's work; if it fails, its delivery is forgotten so that a redelivery retries it. */
    const queueDelivery = (delivery: string | undefined, key: string, job: () => Promise<void>) =>
      queue.push(key, async () => {
        try {
          await job();
        } catch (e) {
          if (delivery) await store.forgetDelivery(delivery);
          throw e;
        }
      });

    const checkLater = (port: OctokitPort, event: PullRequestEvent, log: { info: (o: object, m: string) => void }, delivery?: string) => {
      const key = `${event.repository.owner.login}/${event.repository.name}#${event.number}`;
      queueDelivery(delivery, key, async () => {
        const outcome = await checkPullRequest(port, service, store, event);
        log.info({ pullRequest: key, ...outcome }, 'pull request checked');
      });
    };

    app.on(['pull_request.opened', 'pull_request.reopened', 'pull_request.synchronize', 'pull_request.ready_for_review'], async (context) => {
      if (!(await store.recordDelivery(context.id, 'pull_request'))) return;
      checkLater(new OctokitPort(context.octokit as unknown as OctokitLike), context.payload as unknown as PullRequestEvent, context.log, context.id);
    });

    // A new base brings other rules (the base's configuration): the gates are checked anew.
    app.on('pull_request.edited', async (context) => {
      const changes = (context.payload as { changes?: { base?: unknown } }).changes;
      if (!changes?.base || !(await store.recordDelivery(context.id, 'pull_request'))) return;
      checkLater(new OctokitPort(context.octokit as unknown as OctokitLike), context.payload as unknown as PullRequestEvent, context.log, context.id);
    });

    app.on('issue_comment.created', async (context) => {
      if (!(await store.recordDelivery(context.id, 'issue_comment'))) return;
      const event = context.payload as unknown as CommentEvent;
      if (!event.issue.pull_request) return;
      const port = new OctokitPort(context.octokit as unknown as OctokitLike);
      const key = `${event.repository.owner.login}/${event.repository.name}#${event.issue.number}`;
      queueDelivery(context.id, key, async () => {
        const outcome = await handleCommand(port, store, event, () => checkLater(port, { number: event.issue.number, repository: event.repository }, context.log));
        context.log.info({ pullRequest: key, ...outcome }, 'comment handled');
      });
    });

    // Runner workflows report through GitHub: their progress and, once completed, their results.
    app.on(['workflow_run.requested', 'workflow_run.in_progress', 'workflow_run.completed'], async (context) => {
      if (!(await store.recordDelivery(context.id, 'workflow_run'))) return;
      const event = context.payload as unknown as WorkflowRunEvent;
      // The repository's key: a run's record is never written beside the push that started it.
      const key = `${event.repository.owner.login}/${event.repository.name}`;
      queueDelivery(context.id, key, async () => {
        const outcome = await followWorkflowRun(new OctokitPort(context.octokit as unknown as OctokitLike), store, event);
        context.log.info({ repository: key, workflowRun: event.workflow_run.id, ...outcome }, 'workflow run followed');
      });
    });

    /** Runs a job for the repository whose sync branch the system follows, once one has been applied. */
    const forSyncedRepository = async (name: string, job: (port: OctokitPort, repo: { owner: string; repo: string }, defaultBranch: string) => Promise<object>) => {
      const repository = await store.getSetting(CONFIG_REPOSITORY_SETTING);
      const installation = await store.getSetting(SETTING_INSTALLATION);
      if (!repository || !installation) {
        app.log.info({ job: name }, 'no repository applied yet: nothing to compare with');
        return;
      }
      // The repository's key: this never runs beside a push of the same repository.
      queue.push(repository, async () => {
        const [owner, repo] = repository.split('/') as [string, string];
        const octokit = await app.auth(Number(installation));
        const defaultBranch = (await store.getSetting(SETTING_DEFAULT_BRANCH)) ?? 'main';
        const outcome = await job(new OctokitPort(octokit as unknown as OctokitLike), { owner, repo }, defaultBranch);
        app.log.info({ repository, ...outcome }, name);
      });
    };

    const minutes = options.driftMinutes ?? Number(process.env.ENVSYNC_DRIFT_MINUTES ?? 0);
    const driftCheck = () => forSyncedRepository('drift check', (port, repo, defaultBranch) => checkDrift(port, service, repo, defaultBranch));
    const timer = minutes > 0 ? setInterval(() => void driftCheck().catch((e: unknown) => app.log.error({ err: e }, 'drift check failed')), minutes * 60_000) : undefined;
    timer?.unref();

    // A change made through the system API comes back to Git at once, a burst of them together.
    const syncDelay = options.syncDelayMs ?? Number(process.env.ENVSYNC_SYNC_DELAY_MS ?? 2000);
    let syncing: Promise<void> = Promise.resolve();
    const changes = new ChangeBatch<SystemChangeEvent>(syncDelay, (events) => {
      const actors = [...new Set(events.map((e) => e.actor ?? 'system'))];
      syncing = forSyncedRepository('system changes synced to git', async (port, repo, defaultBranch) => ({
        changes: events.length,
        delivered: (await exportSystemChanges(port, service, repo, defaultBranch, actors)).map((r) => r.outcome),
      })).catch((e: unknown) => app.log.error({ err: e }, 'system changes not synced to git'));
    });
    const unsubscribe = service.onChange((event) => changes.add(event));

    running = {
      store,
      service,
      queue,
      failures,
      stop: async () => {
        if (timer) clearInterval(timer);
        unsubscribe();
        changes.flushNow();
        await syncing; // the flush looks up the repository before it queues its job
        await queue.idle();
        if (!options.store) await store.close();
      },
    };
  };
  return { appFn, running: () => running };
}

/** The app as `probot run` loads it. */
export default createEnvsyncApp().appFn;
