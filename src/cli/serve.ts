// `envsync serve`: the GitHub App server (Probot) with the embedded store by default. Probot reads
// its standard settings from the environment: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH),
// WEBHOOK_SECRET, WEBHOOK_PROXY_URL (smee), GHE_HOST, PORT. Without an APP_ID it serves its setup page.
import { run } from 'probot';
import { createEnvsyncApp } from '../app/index.js';
import { UsageError, type CommandIO } from './io.js';

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

export async function runServe(_argv: readonly string[], io: CommandIO): Promise<number> {
  const problem = credentialProblem(process.env);
  if (problem) throw new UsageError(problem);
  const { appFn, running } = createEnvsyncApp();
  const server = await run(appFn);
  await new Promise<void>((done) => {
    const stop = () => {
      io.stderr('envsync: stopping: finishing queued work\n');
      void server.stop().then(async () => {
        await running()?.stop();
        done();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
