// The usage of `envsync serve`. Apart from its code (serve.ts), which loads Probot and the store:
// asking for help loads none of it.
import type { CommandSpec } from './io.js';

export const SERVE_COMMAND = {
  name: 'serve',
  summary: 'the GitHub App server (Probot), with the embedded store by default',
  about: `Run the GitHub App server (Probot) until stopped (Ctrl-C or SIGTERM). It takes no arguments: its
settings come from the environment, as Probot reads them: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH),
WEBHOOK_SECRET, WEBHOOK_PROXY_URL (a smee.io channel, for development), GHE_HOST, PORT (default 3000)
and HOST. Without APP_ID it serves Probot's setup page, which registers the app.
DATABASE_URL chooses PostgreSQL (default: the SQLite file ./data/envsync.sqlite);
ENVSYNC_API_TOKENS_FILE turns on the system API under /api/v1; ENVSYNC_DRIFT_MINUTES runs the drift
check on a schedule; /healthz, /readyz and /metrics are for operators. docs/guide.md lists every setting.`,
  options: {},
} as const satisfies CommandSpec;
