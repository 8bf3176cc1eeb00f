// The values behind a run's `sealed://` references, asked of the app that dispatched the run: the
// job asks GitHub Actions for its OIDC token (audience: the app), and presents it to the app's
// secrets path with the references. Only a job of the runner workflow with `permissions: id-token:
// write` can ask; nothing secret travels in the dispatch's inputs, and the token never reaches a log.
import { appUrlOf, secretsPath, type SecretsAnswer, type SecretsRequest } from './contract.js';

export interface SecretsSource {
  /** The app's public URL (ENVSYNC_APP_URL, written into the workflow by `envsync init --app-url`). */
  appUrl: string;
  /** The audience the token is asked for: the app's URL unless ENVSYNC_OIDC_AUDIENCE sets another. */
  audience: string;
  /** The envsync run this job carries out (the dispatch's `run-id`). */
  runId: string;
  /** Actions' token endpoint and its bearer, set in a job that may ask for an OIDC token. */
  tokenUrl: string;
  tokenRequestToken: string;
}

/** Where a token and secrets may go: https, or plain http to this machine (a local app, the tests). */
export function isSafeAppUrl(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || (protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname));
  } catch {
    return false;
  }
}

/** Thrown with what to change: the run stops before anything runs. */
export class UnsealError extends Error {}

/** The source of a job's secrets from its environment, or what is missing and how to set it. */
export function secretsSourceFrom(env: NodeJS.ProcessEnv): SecretsSource | { missing: string } {
  const appUrl = env.ENVSYNC_APP_URL;
  if (!appUrl) return { missing: 'ENVSYNC_APP_URL is not set: write the workflow again with envsync init --app-url URL (the app\'s ENVSYNC_PUBLIC_URL)' };
  if (!env.ENVSYNC_RUN_ID) return { missing: 'ENVSYNC_RUN_ID is not set: only a run the app dispatched gets its secrets' };
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    return { missing: "the job cannot ask GitHub for an OIDC token: the runner workflow needs permissions: id-token: write (envsync init writes it), and a run from a fork's pull request never gets one" };
  }
  const url = appUrlOf(appUrl);
  if (!isSafeAppUrl(url)) return { missing: `ENVSYNC_APP_URL is ${url}: the token and the secrets go only to an https:// URL (or http:// on this machine)` };
  // The app's default audience is its public URL without a trailing slash: the same here.
  return { appUrl: url, audience: env.ENVSYNC_OIDC_AUDIENCE || url, runId: env.ENVSYNC_RUN_ID, tokenUrl: env.ACTIONS_ID_TOKEN_REQUEST_URL, tokenRequestToken: env.ACTIONS_ID_TOKEN_REQUEST_TOKEN };
}

async function answerOf(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const said = (data as { error?: unknown } | undefined)?.error;
    throw new UnsealError(`${what} answered ${res.status}${typeof said === 'string' ? `: ${said}` : ''}`);
  }
  return data;
}

/** The value of each reference, from the app; throws UnsealError, saying why, when the app refuses. */
export async function fetchSealedSecrets(source: SecretsSource, references: readonly string[], fetchImpl: typeof fetch = fetch): Promise<Map<string, string>> {
  const tokenUrl = new URL(source.tokenUrl);
  tokenUrl.searchParams.set('audience', source.audience);
  const issued = (await answerOf(await fetchImpl(tokenUrl, { headers: { authorization: `bearer ${source.tokenRequestToken}`, accept: 'application/json' } }), "GitHub's OIDC token endpoint")) as { value?: unknown };
  if (typeof issued?.value !== 'string') throw new UnsealError("GitHub's OIDC token endpoint answered no token");
  const body: SecretsRequest = { references: [...references] };
  const res = await fetchImpl(`${source.appUrl}${secretsPath(source.runId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${issued.value}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await answerOf(res, `the app at ${source.appUrl}`)) as SecretsAnswer | undefined;
  const secrets = answer?.secrets ?? {};
  const missing = references.filter((r) => typeof secrets[r] !== 'string');
  if (missing.length > 0) throw new UnsealError(`the app answered no value for ${missing.join(', ')}`);
  return new Map(references.map((r) => [r, secrets[r]!]));
}
