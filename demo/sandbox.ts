// The world around envsync, played locally so that the whole story runs without accounts, cloud or
// containers: stand-ins for `tofu`, `docker` and `npm` on PATH, a local HTTP server for the
// endpoints the example's hooks call, and the infrastructure repository its resource templates
// check out. Used by `npm run demo`, the acceptance test and the runner test.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { defaultPackage } from '../src/runner/contract.js';
import { packageRoot, packageVersion } from '../src/version.js';

/** The example config repository shipped with envsync. */
export const exampleRepository = (): string => join(packageRoot(), 'examples', 'config-repo');

/** The envsync command of this checkout. */
export const envsyncBin = (): string => join(packageRoot(), 'bin', 'envsync.js');

/**
 * A stand-in for `tofu` and `docker` (and the example's `deploy`), NOT the real tools: it appends
 * one JSON line per call to $FAKE_LOG (arguments, working directory, stdin, TF_VAR_* and AWS_*
 * variables), prints what it was given (as a careless tool would, to prove that envsync masks it),
 * answers `tofu output -json` with an output named after the module, exits 3 when its arguments
 * contain $FAKE_FAIL and takes a minute when they contain $FAKE_SLOW.
 */
export const STAND_IN_TOOL = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const tool = path.basename(process.argv[1]);
const args = process.argv.slice(2);
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TF_VAR_') || k.startsWith('AWS_')));
if (process.env.FAKE_LOG) fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, args, cwd: process.cwd(), stdin, env }) + '\\n');
const mount = args.find((a) => a.endsWith(':/envsync/resource'));
if ((tool === 'tofu' && args[0] === 'output') || (tool === 'docker' && args.slice(-2).join(' ') === 'output -json')) {
  const module = path.basename(mount ? mount.slice(0, -':/envsync/resource'.length) : process.cwd());
  process.stdout.write(JSON.stringify({ id: { value: module + '-42', type: 'string', sensitive: false } }));
} else {
  console.log(tool + ' ' + args.join(' ') + ' ' + JSON.stringify(env) + ' ' + stdin);
}
const slow = process.env.FAKE_SLOW && args.join(' ').includes(process.env.FAKE_SLOW);
setTimeout(() => {
  if (process.env.FAKE_FAIL && args.join(' ').includes(process.env.FAKE_FAIL)) { console.error('fake failure'); process.exitCode = 3; }
}, slow ? 60000 : 0);
`;

/**
 * `npm` as a runner has it, for the one command the runner workflow gives it: `npm install --global
 * PACKAGE@VERSION` installs this checkout's envsync (not yet published to npm) as `envsync` beside
 * it on PATH, and only when the workflow asks for envsync's own package at this very version;
 * anything else fails, as it would offline.
 */
const npmStandIn = (dir: string, bin: string, spec: string) => `#!/usr/bin/env node
const args = process.argv.slice(2);
const named = args.filter((a) => !a.startsWith('-'));
if (named[0] !== 'install' || !args.includes('--global') || named.length !== 2 || named[1] !== ${JSON.stringify(spec)}) {
  console.error('npm stand-in: only npm install --global ${spec} works here, not npm ' + args.join(' '));
  process.exit(1);
}
const { writeFileSync, chmodSync } = require('node:fs');
const target = ${JSON.stringify(join(dir, 'envsync'))};
writeFileSync(target, '#!/bin/sh\\nexec ' + JSON.stringify(process.execPath) + ' ' + JSON.stringify(${JSON.stringify(bin)}) + ' "$@"\\n');
chmodSync(target, 0o755);
console.log('added 1 package: ${spec}');
`;

/** Writes the stand-ins into `dir` (to be put first on PATH); returns `dir`. */
export function installStandIns(dir: string, options: { npm?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const scripts: Record<string, string> = { tofu: STAND_IN_TOOL, docker: STAND_IN_TOOL, deploy: STAND_IN_TOOL };
  if (options.npm) scripts.npm = npmStandIn(dir, envsyncBin(), defaultPackage(packageVersion()));
  for (const [name, script] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), script);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Platform team', '-c', 'user.email=platform@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

/** The infrastructure repository the example's resource templates check out: modules network and database. */
export function infrastructureRepository(dir: string): string {
  for (const module of ['network', 'database']) {
    mkdirSync(join(dir, 'modules', module), { recursive: true });
    writeFileSync(join(dir, 'modules', module, 'main.tf'), `# ${module}\n`);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'commit', '-q', '--allow-empty', '-m', 'init');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'modules');
  return dir;
}

/** A local HTTP server standing in for every https://NAME.example.com the example calls; records each request. */
export class Endpoints {
  readonly requests: string[] = [];
  private readonly server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      this.requests.push(`${req.method} ${req.url} ${body}`.trim());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface PlantedSecrets {
  /** In place of the example's secret access key (a sensitive variable of a shared config context). */
  secretKey?: string;
  /** In place of its access key id (a sensitive env var). */
  accessKey?: string;
  /** In place of its registry pull password. */
  pullPassword?: string;
}

/**
 * A copy of the example config repository in `dir`, its endpoints pointed at `endpoints` and, where
 * its secrets are, the values given (canaries a test then looks for in every output).
 */
export function prepareConfigRepository(dir: string, options: { endpoints: string; secrets?: PlantedSecrets; edit?: (path: string, text: string) => string }): string {
  cpSync(exampleRepository(), dir, { recursive: true });
  const { secretKey, accessKey, pullPassword } = options.secrets ?? {};
  const rewrite = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) rewrite(path);
      else if (name.endsWith('.yaml')) {
        let text = readFileSync(path, 'utf8').replace(/https:\/\/([a-z]+)\.example\.com/g, `${options.endpoints}/$1`);
        if (secretKey) text = text.replace('example-secret-access-key', secretKey);
        if (accessKey) text = text.replace('example-access-key-id', accessKey);
        if (pullPassword) text = text.replace('example-pull-password', pullPassword);
        writeFileSync(path, options.edit ? options.edit(path, text) : text);
      }
    }
  };
  rewrite(join(dir, 'projects'));
  return dir;
}

/** A TCP port free on 127.0.0.1 right now, for a server started next. */
export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

/** Polls `probe` until it gives a value; on timeout the error says what was awaited and `context()`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000, context: () => string = () => ''): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Makes `dir` a git repository with everything in it committed on `main`; returns the commit. */
export function commitAll(dir: string, message: string, init = false): string {
  if (init) git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}
