// GitHub Actions' OIDC token issuer, played by the fake GitHub: a key pair made at start, its public
// key served as a JWKS, and a token endpoint a job calls with the request token its runner was given
// (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN), answering a JWT whose claims describe that job's workflow
// run as GitHub's would (repository, workflow_ref, sha, actor, run_id, event_name, the audience asked for).
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** What the issuer says of a workflow run in its jobs' tokens. */
export interface JobIdentity {
  repository: string;
  workflow: string;
  branch: string;
  sha: string;
  actor: string;
  runId: number;
  event: string;
}

export class FakeOidcIssuer {
  private key?: CryptoKey;
  private jwk?: JWK;
  /** Request tokens handed to runners, by token: the job each may ask a token for. */
  private readonly jobs = new Map<string, JobIdentity>();
  /** Every token it signed, for the canary search (a runner must not log one). */
  readonly issued: string[] = [];

  constructor(private readonly issuer: () => string) {}

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.key = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: 'fake-actions-1', alg: 'RS256', use: 'sig' };
  }

  /** What a runner of `job` gets in its environment when the workflow grants id-token: write. */
  requestFor(job: JobIdentity): { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string } {
    const token = randomBytes(16).toString('hex');
    this.jobs.set(token, job);
    return { ACTIONS_ID_TOKEN_REQUEST_URL: `${this.issuer()}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: token };
  }

  /** The issuer's answer to GET `path` (below its URL), or undefined when it has no such route. */
  async answer(path: string, url: URL, authorization: string | undefined): Promise<{ status: number; data: unknown } | undefined> {
    if (path === '/.well-known/jwks') return { status: 200, data: { keys: [this.jwk] } };
    if (path !== '/token') return undefined;
    const job = this.jobs.get(/^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '');
    if (!job) return { status: 401, data: { message: 'Bad credentials' } };
    const token = await new SignJWT({
      repository: job.repository,
      repository_owner: job.repository.split('/')[0],
      workflow_ref: `${job.repository}/.github/workflows/${job.workflow}@refs/heads/${job.branch}`,
      ref: `refs/heads/${job.branch}`,
      sha: job.sha,
      actor: job.actor,
      event_name: job.event,
      run_id: String(job.runId),
      run_attempt: '1',
    })
      .setProtectedHeader({ alg: 'RS256', kid: this.jwk!.kid! })
      .setIssuer(this.issuer())
      .setSubject(`repo:${job.repository}:ref:refs/heads/${job.branch}`)
      .setAudience(url.searchParams.get('audience') ?? `https://github.com/${job.repository.split('/')[0]}`)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('5m')
      .sign(this.key!);
    this.issued.push(token);
    return { status: 200, data: { value: token } };
  }
}
