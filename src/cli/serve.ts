// `envsync serve`: the GitHub App server with the embedded store by default. Probot's standard
// settings come from the environment: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET,
// WEBHOOK_PROXY_URL (smee), GHE_HOST, PORT, HOST, LOG_LEVEL. Without an APP_ID it serves Probot's
// setup page, which registers the app.
import { createProbot, ProbotOctokit, run } from 'probot';
import { SmeeClient } from 'smee-client';
import { checkNumberSettings, createEnvsyncApp, numberFrom } from '../app/index.js';
import { startServer } from '../app/server.js';
import { UsageError, type CommandIO } from './io.js';

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

export async function runServe(_argv: readonly string[], io: CommandIO): Promise<number> {
  const problem = credentialProblem(process.env);
  if (problem) throw new UsageError(problem);
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
  const probot = createProbot({
    env,
    ...(throttleOff ? { overrides: { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } })) } } : {}),
  });
  await probot.ready();
  const webhookPath = process.env.WEBHOOK_PATH || '/api/github/webhooks';
  const server = await startServer(probot, appFn, { port: Number(process.env.PORT) || 3000, ...(process.env.HOST ? { host: process.env.HOST } : {}), webhookPath });
  const proxy = process.env.WEBHOOK_PROXY_URL
    ? await new SmeeClient({ source: process.env.WEBHOOK_PROXY_URL, target: `${server.url}${webhookPath}`, logger: { info: () => undefined, error: (...a: unknown[]) => probot.log.error(a.map(String).join(' ')) } }).start()
    : undefined;

  const signal = await signalled();
  io.stderr(`envsync: ${signal}: stopping (at most ${graceMs / 1000} s for running jobs)\n`);
  proxy?.close();
  // The server first (deliveries in flight are committed and answered while the store is open), then
  // the jobs, all within the grace period; what is still running then goes back to the queue, for
  // another replica or the restart.
  const deadline = Date.now() + graceMs;
  await Promise.race([server.close(), new Promise((r) => setTimeout(r, graceMs).unref())]);
  const finished = (await running()?.stop(Math.max(0, deadline - Date.now()))) ?? true;
  io.stderr(finished ? 'envsync: stopped\n' : 'envsync: stopped; jobs still running were handed back to the queue\n');
  // Sockets or timers of a request that never answered must not keep the process alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  return 0;
}
