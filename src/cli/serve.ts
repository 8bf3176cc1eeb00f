// `envsync serve`: the GitHub App server with the embedded store by default. Probot's standard
// settings come from the environment: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET,
// WEBHOOK_PROXY_URL (smee), GHE_HOST, PORT, HOST, LOG_LEVEL. Without an APP_ID it serves Probot's
// setup page, which registers the app.
import { serverLogger } from '../app/logger.js';
import { createProbot, ProbotOctokit, run, type ApplicationFunction, type Probot } from 'probot';
import { SmeeClient } from 'smee-client';
import { checkNumberSettings, createEnvsyncApp, numberFrom } from '../app/index.js';
import { startServer, type RunningServer } from '../app/server.js';
import { parseCommandArgs, redactUrl, SetupError, storeUnreachable, UsageError, withoutPasswords, type CommandIO } from './io.js';
import { SERVE_COMMAND } from './serve-spec.js';

/** Seconds a stop waits for running jobs before it hands them back and exits (ENVSYNC_STOP_GRACE_SECONDS). */
const DEFAULT_GRACE_SECONDS = 25;

/**
 * What keeps the server from starting, said so that the user can fix it. Outside production,
 * Probot serves its setup page instead (it registers the app and writes the credentials); in
 * production (a container) the credentials must be given.
 */
export function credentialProblem(env: NodeJS.ProcessEnv): string | undefined {
  if (env.NODE_ENV !== 'production') return undefined;
  const missing = [!env.APP_ID && 'APP_ID', !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH && 'PRIVATE_KEY (or PRIVATE_KEY_PATH)', !env.WEBHOOK_SECRET && 'WEBHOOK_SECRET'].filter(Boolean);
  if (missing.length === 0) return undefined;
  return `the GitHub App's credentials are missing: set ${missing.join(', ')} (docs/guide.md, "Install the GitHub App"), or run without NODE_ENV=production to get the setup page that registers the app`;
}

const signalled = () =>
  new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

/**
 * What a logger can say of an error, or of the error event of an event source (which is no Error),
 * without the password of a URL it quotes.
 */
function describe(e: unknown): string {
  const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
  // The event source quotes the error it got whole, its class included: `TypeError: fetch failed: …`.
  if (typeof message === 'string' && message) return withoutPasswords(message.replace(/^[A-Za-z]*Error: /, ''));
  return code === undefined ? withoutPasswords(String(e)) : `status ${String(code)}`;
}

/** Checked before anything starts: a proxy URL that is no URL is a mistake in the settings. */
function proxyProblem(url: string | undefined): string | undefined {
  if (!url || (URL.canParse(url) && /^https?:$/.test(new URL(url).protocol))) return undefined;
  return 'WEBHOOK_PROXY_URL must be the http(s) URL of a smee.io channel (https://smee.io/new makes one), or unset';
}

/**
 * Forwards the webhooks of a smee.io channel to the server. A channel that cannot be reached stops
 * the start: a server that would never get a webhook is no server to leave running.
 */
async function startProxy(source: string, target: string, logError: (message: string) => void) {
  const client = new SmeeClient({ source, target, logger: { info: () => undefined, error: (...a: unknown[]) => logError(a.map(describe).join(' ')) } });
  try {
    return await client.start();
  } catch (e) {
    // It would go on trying to connect, and keep the process alive.
    await client.stop();
    throw new SetupError(`could not reach the webhook proxy at ${redactUrl(source)}: ${describe(e)}\nIs the proxy up, and is that its channel's URL? Check WEBHOOK_PROXY_URL.`);
  }
}

/** What keeps the server from starting, in the user's terms: the store out of reach, the port taken. */
function startProblem(e: unknown, port: number): Error | undefined {
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return new SetupError(`port ${port} is in use by another process: stop it, or set PORT to a free port`);
  return process.env.DATABASE_URL ? storeUnreachable(e, process.env.DATABASE_URL, 'DATABASE_URL') : undefined;
}

/**
 * Stops what runs, the server first (deliveries in flight are committed and answered while the store
 * is open), then the jobs, all within the grace period; what is still running then goes back to the
 * queue, for another replica or the restart. Says whether every job finished.
 */
async function stop(server: RunningServer | undefined, running: () => { stop: (graceMs: number) => Promise<boolean> } | undefined, graceMs: number): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  if (server) await Promise.race([server.close(), new Promise((r) => setTimeout(r, graceMs).unref())]);
  return (await running()?.stop(Math.max(0, deadline - Date.now()))) ?? true;
}

/**
 * Starts the server (which opens the store and starts the job workers) and the webhook proxy. When
 * either fails, what did start is stopped, so that it cannot keep the process alive, and the error
 * says what is wrong in the user's terms.
 */
async function start(probot: Probot, appFn: ApplicationFunction, running: () => { stop: (graceMs: number) => Promise<boolean> } | undefined) {
  const webhookPath = process.env.WEBHOOK_PATH || '/api/github/webhooks';
  const port = Number(process.env.PORT) || 3000;
  let server: RunningServer | undefined;
  try {
    server = await startServer(probot, appFn, { port, ...(process.env.HOST ? { host: process.env.HOST } : {}), webhookPath });
    const proxy = process.env.WEBHOOK_PROXY_URL ? await startProxy(process.env.WEBHOOK_PROXY_URL, `${server.url}${webhookPath}`, (m) => probot.log.error(m)) : undefined;
    return { server, proxy };
  } catch (e) {
    await stop(server, running, 0);
    exitSoon();
    throw startProblem(e, port) ?? e;
  }
}

/** Sockets or timers of a request that never answered must not keep the process alive. */
const exitSoon = () => setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();

export async function runServe(argv: readonly string[], io: CommandIO): Promise<number> {
  const { positionals } = parseCommandArgs(SERVE_COMMAND, argv);
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got ${positionals.join(' ')}: its settings come from the environment (envsync serve --help)`);
  const problem = credentialProblem(process.env);
  if (problem) throw new UsageError(problem);
  const badProxy = proxyProblem(process.env.WEBHOOK_PROXY_URL);
  if (badProxy) throw new SetupError(badProxy);
  let graceMs: number;
  try {
    checkNumberSettings(process.env);
    graceMs = numberFrom(process.env, 'ENVSYNC_STOP_GRACE_SECONDS', DEFAULT_GRACE_SECONDS) * 1000;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { appFn, running } = createEnvsyncApp();
  if (!process.env.APP_ID || (!process.env.PRIVATE_KEY && !process.env.PRIVATE_KEY_PATH)) {
    // Not registered yet: Probot's setup page walks the user through it.
    const server = await run(appFn);
    await signalled();
    await server.stop();
    return 0;
  }

  const env = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    LOG_FORMAT: process.env.LOG_FORMAT || (process.env.NODE_ENV === 'production' ? 'json' : 'pretty'),
  };
  // GitHub asks apps to write about once a second, and Probot's client waits to keep to it. Off
  // (ENVSYNC_GITHUB_THROTTLE=off) only where the limits are yours: GitHub Enterprise Server with rate
  // limiting off, or a benchmark against a stand-in.
  const throttleOff = process.env.ENVSYNC_GITHUB_THROTTLE === 'off';
  const log = await serverLogger(env);
  const probot = createProbot({
    env,
    overrides: {
      log,
      ...(throttleOff ? { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } })) } : {}),
    },
  });
  await probot.ready();
  const { server, proxy } = await start(probot, appFn, running);

  const signal = await signalled();
  io.stderr(`envsync: ${signal}: stopping (at most ${graceMs / 1000} s for running jobs)\n`);
  proxy?.close();
  const finished = await stop(server, running, graceMs);
  io.stderr(finished ? 'envsync: stopped\n' : 'envsync: stopped; jobs still running were handed back to the queue\n');
  exitSoon();
  return 0;
}
