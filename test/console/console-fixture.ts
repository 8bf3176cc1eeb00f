// The console's handler over a system holding the example config repository, followed as acme/config
// with its runner settings; users' permissions on it are GitHub's answers a test sets. Sessions are
// made with the server's key, as its sign-in makes them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConsoleHandler } from '../../src/console/handler.js';
import { newToken, sealSession, SESSION_COOKIE } from '../../src/console/session.js';
import type { ConsoleSettings } from '../../src/console/settings.js';
import type { Permission } from '../../src/github/port.js';
import { MemoryPort } from '../../src/github/memory-port.js';
import { SystemService } from '../../src/system/service.js';
import { openStore, type Store } from '../../src/system/store.js';
import { exampleFiles } from '../golden/scenarios.js';

/** The revision of acme/config the system applied. */
export const REVISION = 'a'.repeat(40);
export const RUNNER = { branch: 'main', workflow: 'envsync-run.yml', labels: {}, defaultLabels: ['ubuntu-latest'] };

export interface ConsoleFixture {
  base: string;
  store: Store;
  service: SystemService;
  port: MemoryPort;
  permissions: Map<string, Permission>;
  /** Errors the console logged (a test asserts there are none). */
  errors: unknown[];
  /** Repositories whose system changes were asked to go to Git now, with who asked. */
  syncs: { repo: string; actor: string }[];
  /** A signed-in user's cookie header and form token. */
  session(login: string): Promise<{ cookie: string; csrf: string }>;
  get(path: string, login?: string): Promise<{ status: number; text: string; headers: Headers }>;
  post(path: string, login: string | undefined, fields: Record<string, string>, options?: { csrf?: string; origin?: string }): Promise<{ status: number; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export const SETTINGS: ConsoleSettings = { clientId: 'Iv1.test', clientSecret: 'test-client-secret', sessionKey: new Uint8Array(32).fill(7) };

export async function startConsole(): Promise<ConsoleFixture> {
  const store = await openStore({ url: ':memory:' });
  const service = new SystemService(store);
  await store.followRepository('acme/config');
  await store.updateRepository('acme/config', { installationId: 7, defaultBranch: 'main' });
  await service.applyRevision(exampleFiles(), REVISION, { trigger: 'manual', actor: 'test' }, { repo: 'acme/config', projects: ['*'], runner: RUNNER });
  // GitHub holds the revision the system applied: a revert to Git reads it.
  const port = new MemoryPort();
  port.commit({ branch: 'main', sha: REVISION, tree: Object.fromEntries(exampleFiles().flatMap((f) => (f.content ? [[f.path, f.content]] : []))) });
  const permissions = port.permissions;
  const syncs: { repo: string; actor: string }[] = [];
  const errors: unknown[] = [];
  const handler = createConsoleHandler({
    service,
    settings: SETTINGS,
    apiRoot: 'http://github.invalid/api/v3',
    webRoot: 'http://github.invalid',
    portOf: async () => port,
    requestSync: async (repo, actor) => void syncs.push({ repo, actor }),
    log: { error: (e) => errors.push(e), info: () => {} },
  });
  const server: Server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sessions = new Map<string, { cookie: string; csrf: string }>();
  const session = async (login: string) => {
    let held = sessions.get(login);
    if (!held) {
      const csrf = newToken();
      held = { cookie: `${SESSION_COOKIE}=${await sealSession({ login, id: login.length, csrf }, SETTINGS.sessionKey)}`, csrf };
      sessions.set(login, held);
    }
    return held;
  };
  const answer = async (res: Response) => ({ status: res.status, text: await res.text(), headers: res.headers });
  return {
    base,
    store,
    service,
    port,
    permissions,
    syncs,
    errors,
    session,
    get: async (path, login) => answer(await fetch(`${base}${path}`, { redirect: 'manual', headers: login ? { cookie: (await session(login)).cookie } : {} })),
    post: async (path, login, fields, options = {}) => {
      const held = login ? await session(login) : undefined;
      const body = new URLSearchParams({ ...(options.csrf ?? held?.csrf ? { _csrf: options.csrf ?? held!.csrf } : {}), ...fields });
      return answer(
        await fetch(`${base}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(held ? { cookie: held.cookie } : {}), ...(options.origin ? { origin: options.origin } : {}) },
          body,
        }),
      );
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}
