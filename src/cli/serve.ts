// `envsync serve`: the GitHub App server (Probot) with the embedded store by default. Probot reads
// its standard settings from the environment: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH),
// WEBHOOK_SECRET, WEBHOOK_PROXY_URL (smee), GHE_HOST, PORT. Without an APP_ID it serves its setup page.
import { run } from 'probot';
import { createEnvsyncApp } from '../app/index.js';
import type { CommandIO } from './io.js';

export async function runServe(_argv: readonly string[], io: CommandIO): Promise<number> {
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
