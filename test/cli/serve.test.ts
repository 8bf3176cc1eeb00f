// `envsync serve` in production (as the container image runs it) without the app's credentials:
// a message that says which are missing and how to get them, not a stack trace.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { credentialProblem } from '../../src/cli/serve.js';

const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));

describe('envsync serve', () => {
  it('names every missing credential in production, and none outside it (the setup page handles that)', () => {
    expect(credentialProblem({ NODE_ENV: 'production' })).toBe(
      'the GitHub App\'s credentials are missing: set APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET (docs/guide.md, "Install the GitHub App"), or run without NODE_ENV=production to get the setup page that registers the app',
    );
    expect(credentialProblem({ NODE_ENV: 'production', APP_ID: '1', PRIVATE_KEY_PATH: 'app.pem' })).toMatch(/set WEBHOOK_SECRET \(/);
    expect(credentialProblem({ NODE_ENV: 'production', APP_ID: '1', PRIVATE_KEY: 'k', WEBHOOK_SECRET: 's' })).toBeUndefined();
    expect(credentialProblem({})).toBeUndefined();
  });

  it('exits 2 with that message when started in production without credentials', async () => {
    const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', APP_ID: '', PRIVATE_KEY: '', PRIVATE_KEY_PATH: '', WEBHOOK_SECRET: '' };
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'serve'], { env, timeout: 20_000 }, (e, _stdout, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stderr })),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^envsync: the GitHub App's credentials are missing: set APP_ID, PRIVATE_KEY \(or PRIVATE_KEY_PATH\), WEBHOOK_SECRET/);
  });
});
