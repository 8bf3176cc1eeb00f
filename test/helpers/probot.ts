// A Probot instance for tests: a throwaway private key, no retries and no throttling (the function
// form of defaults, so that Probot's own throttle settings do not override ours).
import { generateKeyPairSync } from 'node:crypto';
import { Probot, ProbotOctokit } from 'probot';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

export function testProbot(): Probot {
  return new Probot({
    appId: 123,
    privateKey,
    secret: 'webhook-secret',
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
}
