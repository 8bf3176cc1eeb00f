// The edges a newcomer meets first, through the real binary (built by `npm test` before vitest):
// `serve --help` prints and exits instead of starting a server, and a store or webhook proxy out of
// reach is said as such (what, at which URL without its password, what to check), exit code 2, with
// no stack, no "internal error", and no process left running.
import { generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionFailure, redactUrl, storeUnreachable, withoutPasswords } from '../../src/cli/io.js';

const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'envsync-edges-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs envsync to its end; a process still running after `timeoutMs` is killed and reported as such. */
function envsync(args: string[], env: Record<string, string> = {}, timeoutMs = 40_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, DATABASE_URL: '', WEBHOOK_PROXY_URL: '', NODE_ENV: 'test', LOG_LEVEL: 'fatal', ...env } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** A port nothing listens on when the server starts (taken and given back). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const app = async (env: Record<string, string> = {}) => ({ APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: 'secret', PORT: String(await freePort()), HOST: '127.0.0.1', ...env });

const UNREACHABLE_STORE = 'postgres://envsync:hunter2@127.0.0.1:1/envsync';

describe('envsync serve --help', () => {
  it('prints the usage of serve and exits 0, with no server started and nothing written', async () => {
    const result = await envsync(['serve', '--help'], await app());
    expect(result).toMatchObject({ code: 0, stderr: '', killed: false });
    expect(result.stdout).toMatch(/^Usage: envsync serve \[options\]\n\nRun the GitHub App server \(Probot\) until stopped/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a store out of reach', () => {
  const said =
    'envsync: could not reach the store at postgres://envsync@127.0.0.1:1/envsync: connect ECONNREFUSED 127.0.0.1:1\n' +
    'Is the PostgreSQL server running, at that host and port? Check DATABASE_URL.\n';

  it('`system list` says which store, without its password, and what to check, with exit code 2', async () => {
    expect(await envsync(['system', 'list'], { DATABASE_URL: UNREACHABLE_STORE })).toEqual({ code: 2, stdout: '', stderr: said, killed: false });
  });

  it('names --store when the URL came from it', async () => {
    const result = await envsync(['jobs', 'list', '--store', UNREACHABLE_STORE]);
    expect(result).toMatchObject({ code: 2, stdout: '', killed: false });
    expect(result.stderr).toBe(said.replace('Check DATABASE_URL.', 'Check --store.'));
  });

  it('says so for a database that does not exist on a server that runs', async () => {
    const result = await envsync(['system', 'list', '--store', 'postgres://postgres@127.0.0.1:5432/envsync_no_such_database']);
    expect(result).toMatchObject({ code: 2, stdout: '', killed: false });
    expect(result.stderr).toBe(
      'envsync: could not reach the store at postgres://postgres@127.0.0.1:5432/envsync_no_such_database: database "envsync_no_such_database" does not exist\n' +
        'Create the database, or name one that exists. Check --store.\n',
    );
  });

  it('`serve` stops with the same message, exit code 2, and leaves no process running', async () => {
    const result = await envsync(['serve'], await app({ DATABASE_URL: UNREACHABLE_STORE }));
    expect(result).toMatchObject({ code: 2, killed: false });
    expect(result.stderr).toBe(said);
  });
});

describe('a webhook proxy out of reach', () => {
  it('stops `serve` with what could not be reached and what to check, exit code 2, no process left running', async () => {
    const proxy = `http://127.0.0.1:${await freePort()}/envsync-channel`;
    const result = await envsync(['serve'], await app({ WEBHOOK_PROXY_URL: proxy }));
    expect(result).toMatchObject({ code: 2, killed: false });
    expect(result.stderr).toBe(
      `envsync: could not reach the webhook proxy at ${proxy}: fetch failed: connect ECONNREFUSED ${proxy.split('/')[2]}\n` +
        "Is the proxy up, and is that its channel's URL? Check WEBHOOK_PROXY_URL.\n",
    );
  });

  it('refuses a proxy URL that is no http(s) URL before anything starts', async () => {
    const result = await envsync(['serve'], await app({ WEBHOOK_PROXY_URL: 'smee.io/abc' }));
    expect(result).toMatchObject({ code: 2, stdout: '', killed: false });
    expect(result.stderr).toBe('envsync: WEBHOOK_PROXY_URL must be the http(s) URL of a smee.io channel (https://smee.io/new makes one), or unset\n');
  });
});

describe('a port in use', () => {
  let taken: Server;
  afterEach(() => new Promise<void>((r) => taken.close(() => r())));

  it('stops `serve` saying which port and what to do, exit code 2, no process left running', async () => {
    taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as { port: number };
    const result = await envsync(['serve'], await app({ PORT: String(port) }));
    expect(result).toMatchObject({ code: 2, killed: false });
    expect(result.stderr).toBe(`envsync: port ${port} is in use by another process: stop it, or set PORT to a free port\n`);
  });
});

describe('what a connection failure says', () => {
  it('removes the password of a URL, and query parameters that may hold a secret', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/envsync?sslmode=require&password=x')).toBe('postgres://app@db.internal:5432/envsync?sslmode=require');
    expect(redactUrl('sqlite:/var/lib/envsync.sqlite')).toBe('sqlite:/var/lib/envsync.sqlite');
    expect(withoutPasswords('cannot fetch http://u:p@proxy.local/chan, nor postgres://a:b@h/x')).toBe('cannot fetch http://u@proxy.local/chan, nor postgres://a@h/x');
  });

  it('finds the failure to connect behind the errors that wrap it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(connectionFailure(new Error('store migration failed: connect ECONNREFUSED 10.0.0.1:5432', { cause: refused }))).toEqual({ reason: 'connect ECONNREFUSED 10.0.0.1:5432', kind: 'refused' });
    expect(connectionFailure(Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' }))).toEqual({ reason: 'getaddrinfo ENOTFOUND db.internal', kind: 'unknown-host' });
    expect(connectionFailure(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }))?.kind).toBe('denied');
    expect(connectionFailure(new Error('timeout exceeded when trying to connect'))?.kind).toBe('refused');
    expect(connectionFailure(new Error('relation "resources" does not exist'))).toBeUndefined();
  });

  it('names the host name as the thing to check when it does not resolve', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' });
    expect(storeUnreachable(error, 'postgres://app:pw@db.internal/envsync', 'DATABASE_URL')?.message).toBe(
      'could not reach the store at postgres://app@db.internal/envsync: getaddrinfo ENOTFOUND db.internal\nIs the host name right? Check DATABASE_URL.',
    );
  });
});
