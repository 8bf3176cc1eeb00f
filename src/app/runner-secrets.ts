// POST /api/v1/runs/{runId}/secrets: a runner proves which job it is with the OIDC token GitHub
// Actions gives it (no API token: nothing long-lived is stored in the repository) and gets its run's
// sealed secrets. The token is verified with jose against the issuer's published keys (fetched once,
// fetched again when a token names a key not seen yet), its issuer, audience and times; the flow
// then checks its claims against the run. Every refusal names the claim; no log line holds the token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { handOutSecrets, RunnerRefused, type RunnerGitHub } from '../flows/runs/hand-out-secrets.js';
import { SystemError, type SystemService } from '../system/service.js';
import { bearerOf, send } from './api.js';
import { readCapped } from '../http-body.js';
import { appUrlOf } from '../runner/contract.js';

const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';

export interface OidcSettings {
  /** The issuer runners' tokens come from; its keys are at `<issuer>/.well-known/jwks`. */
  issuer: string;
  /** The audience a runner asks its token for: the app's public URL unless set apart. */
  audience: string;
}

/** ENVSYNC_PUBLIC_URL, ENVSYNC_OIDC_AUDIENCE, ENVSYNC_OIDC_ISSUER; none without a public URL or an audience. */
export function oidcSettingsFrom(env: NodeJS.ProcessEnv): OidcSettings | undefined {
  // The public URL as `envsync init --app-url` writes it for the runner.
  const audience = env.ENVSYNC_OIDC_AUDIENCE || (env.ENVSYNC_PUBLIC_URL ? appUrlOf(env.ENVSYNC_PUBLIC_URL) : undefined);
  if (!audience) return undefined;
  return { issuer: (env.ENVSYNC_OIDC_ISSUER || GITHUB_OIDC_ISSUER).replace(/\/+$/, ''), audience };
}

/** Leeway for the clocks of GitHub's issuer and of this server (exp, nbf, iat). */
const CLOCK_TOLERANCE_S = 60;
/** A runner sends its references: a few KiB at most. */
const MAX_BODY = 64 * 1024;
const PATH = /^\/api\/v1\/runs\/([^/]+)\/secrets$/;

/** What a token's verification failed on, named as its claim (or part). */
function refusalOf(e: unknown): RunnerRefused | undefined {
  if (e instanceof errors.JWTExpired) return new RunnerRefused('exp', 'the token has expired: ask GitHub for a new one', 401);
  if (e instanceof errors.JWTClaimValidationFailed) return new RunnerRefused(e.claim, `the token's ${e.claim} claim does not hold: ${e.reason === 'check_failed' ? 'it is not what this app expects' : e.reason}`, 401);
  if (e instanceof errors.JWSSignatureVerificationFailed) return new RunnerRefused('signature', "the token's signature does not verify with the issuer's keys", 401);
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return new RunnerRefused('kid', "the token names no key the issuer publishes", 401);
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return new RunnerRefused('alg', 'the token is not signed with RS256', 401);
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return new RunnerRefused('token', 'the bearer value is not a signed JWT', 401);
  return undefined;
}

async function readReferences(req: IncomingMessage): Promise<string[]> {
  const bytes = await readCapped(req, MAX_BODY);
  if (!bytes) throw new SystemError(`request body over ${MAX_BODY} bytes`, 413);
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch {
    data = undefined;
  }
  const references = (data as { references?: unknown } | undefined)?.references;
  if (!Array.isArray(references) || !references.every((r) => typeof r === 'string')) throw new SystemError('send {"references": ["sealed://…", …]}', 400);
  return references as string[];
}

export type RefusalLog = (fields: { run: string; claim: string; status: number; subject?: string }, message: string) => void;

/** The handler of the secrets path (false for any other path), mounted before the token-guarded API. */
export function runnerSecretsHandler(service: SystemService, github: RunnerGitHub, settings: OidcSettings | undefined, log: { refused: RefusalLog; error: (e: unknown) => void }) {
  const keys = settings && createRemoteJWKSet(new URL(`${settings.issuer}/.well-known/jwks`));
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) return false;
    let runId = match[1]!;
    let claims: JWTPayload | undefined;
    try {
      try {
        runId = decodeURIComponent(runId);
      } catch {
        throw new SystemError('the run id in the URL is not valid percent-encoding', 400);
      }
      if (req.method !== 'POST') throw new SystemError('use POST', 405);
      if (!settings || !keys) throw new SystemError('runners cannot get secrets from this app: set ENVSYNC_PUBLIC_URL (the audience runners ask their OIDC token for)', 503);
      const bearer = bearerOf(req);
      if (!bearer) throw new RunnerRefused('token', 'send the job\'s OIDC token: Authorization: Bearer <token> (the workflow needs permissions: id-token: write)', 401);
      try {
        ({ payload: claims } = await jwtVerify(bearer, keys, { issuer: settings.issuer, audience: settings.audience, algorithms: ['RS256'], clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp', 'iat'] }));
      } catch (e) {
        throw refusalOf(e) ?? new SystemError(`cannot verify the token: the issuer's keys at ${settings.issuer}/.well-known/jwks could not be read (${(e as Error).message})`, 503);
      }
      const references = await readReferences(req);
      send(res, 200, await handOutSecrets(service, github, { runId, claims: claims as Record<string, unknown>, references }));
    } catch (e) {
      if (e instanceof RunnerRefused) {
        log.refused({ run: runId, claim: e.claim, status: e.status, ...(typeof claims?.sub === 'string' ? { subject: claims.sub } : {}) }, `runner refused secrets of run ${runId}: ${e.message}`);
        send(res, e.status, { error: e.message, claim: e.claim });
      } else if (e instanceof SystemError) send(res, e.status, { error: e.message });
      else {
        log.error(e);
        send(res, 500, { error: 'internal error: see the server log' });
      }
    }
    return true;
  };
}
