// `envsync system ...` (the system API's operations from the command line, against the configured
// store) and `envsync export` (the system's state written into a checkout, comment-preserving).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { createApiHandler, hashToken, readApiTokens, type Access, type ApiToken } from '../app/api.js';
import { etagOf, PreconditionFailed, SystemError, type SystemService } from '../system/service.js';
import type { ExportPlan } from '../engine/export.js';
import type { ResourceKey, RunAction } from '../system/records.js';
import { openSystem } from '../system/open.js';
import { loadSpecs } from '../specs/load.js';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_PARSE_LIMITS, parseSpecFile } from '../specs/parse.js';
import { locateFindings } from '../specs/locate.js';
import { readDirectory } from '../specs/read-directory.js';
import { readGitRevision, resolveRevision } from '../specs/read-git.js';
import { renderText, summarize } from '../render/findings.js';
import { commandOf, parseCommandArgs, rejectUnknownOptions, storeUnreachable, UsageError, type CommandIO } from './io.js';
import { configAt } from '../flows/config-repository.js';
import { approveManualRun, startManualRun } from '../flows/runs/manual-run.js';
import { EXPORT_COMMAND, RECONCILE_COMMAND, SYSTEM_GROUP, SYSTEM_OPTIONS, TOKEN_COMMAND } from './system-spec.js';
import { readRepositoryConfig } from './repository-config.js';
import { CONFIG_PATH, ownedScope, syncs } from '../config/config.js';
import { Octokit } from '@octokit/core';
import { OctokitPort } from '../github/octokit-port.js';
import { exportOptionsFor, syncSystemToGit, syncTarget } from '../flows/sync/system-sync.js';
import { reconcile, type DriftMode } from '../flows/sync/reconcile.js';
import { REPOSITORY_NAME } from '../system/config-repositories.js';
import { deletionsBetween, describeDeletions } from '../engine/deletion.js';

/** The store named by --store, else DATABASE_URL, else the embedded SQLite file under ./data. */
export function storeUrl(flag: string | undefined, io: CommandIO): string {
  return flag || process.env.DATABASE_URL || `sqlite:${join(io.cwd, 'data', 'envsync.sqlite')}`;
}

/**
 * Opens the system whose store is at storeUrl. One that cannot be reached (a PostgreSQL server down, a host or
 * database misnamed) is the user's to fix: the error names the URL, without its password, and the
 * setting it came from.
 */
export async function openSystemAt(flag: string | undefined, io: CommandIO): Promise<SystemService> {
  const url = storeUrl(flag, io);
  try {
    return await openSystem({ url });
  } catch (e) {
    throw storeUnreachable(e, url, flag ? '--store' : 'DATABASE_URL') ?? e;
  }
}

/** `KIND/PROJECT/NAME[@VERSION]`, or `Project/NAME`. */
function parseKey(text: string | undefined): ResourceKey {
  const match = /^([A-Za-z]+)\/([^/@]+)(?:\/([^/@]+))?(?:@(.+))?$/.exec(text ?? '');
  if (!match) throw new UsageError(`name a spec as KIND/PROJECT/NAME[@VERSION] (e.g. Environment/payments/dev), not "${text ?? ''}"`);
  const [, kind, first, second, version] = match;
  const key = kind === 'Project' ? { kind: kind!, project: first!, name: first! } : { kind: kind!, project: first!, name: second ?? '' };
  if (!key.name) throw new UsageError(`name a spec as KIND/PROJECT/NAME, not "${text}"`);
  return { ...key, ...(version ? { version } : {}) };
}

const actor = () => process.env.ENVSYNC_ACTOR ?? process.env.USER ?? null;

/**
 * `get` heads what it prints with the version it read, so that `put` of the edited file sends it as
 * If-Match: a change someone made in between is then refused, not overwritten.
 */
const ETAG_LINE = '# envsync etag: ';
const etagHeader = (etag: string) => `${ETAG_LINE}${etag} (keep this line: envsync system put refuses the file if the spec changed since)\n`;

/** An etag as given on the command line, where its quotes are easily lost to the shell. */
const quoted = (etag: string) => (/^".*"$/.test(etag) ? etag : `"${etag}"`);

/** The version a file says it was read at: its `get` header line, among the comments that open it. */
function etagInFile(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) return undefined;
    const match = /^# envsync etag: ("[^"]*")/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** What `put` and `delete` say when the spec is not at the version they read: what happened, and what to do. */
function staleMessage(e: PreconditionFailed, sent: string, operation: 'put' | 'delete'): string {
  const spec = `${e.key.kind}/${e.key.project}/${e.key.name}${e.key.version ? `@${e.key.version}` : ''}`;
  const what = e.current === null ? `${spec} was deleted since it was read (at etag ${sent})` : `${spec} changed since it was read (at etag ${sent}; the system now holds ${e.current})`;
  const todo =
    operation === 'delete'
      ? `Run envsync system get ${spec} to see what it holds now, and delete it again if that is still meant`
      : e.current === null
        ? `Remove the "${ETAG_LINE.trim()}" line to create it again`
        : `Run envsync system get ${spec} > FILE to read what it holds now, reapply your change to that, and put it`;
  return `envsync: ${what}: nothing was ${operation === 'delete' ? 'deleted' : 'stored'}. ${todo}\n`;
}

export async function runSystem(argv: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub) throw new UsageError('name a system command (envsync system --help lists them)');
  const command = commandOf(SYSTEM_GROUP, sub);
  if (sub === 'token') return makeToken(rest, io);
  rejectUnknownOptions(command, rest);
  const { values, positionals } = parseArgs({ args: [...rest], allowPositionals: true, options: SYSTEM_OPTIONS });
  const service = await openSystemAt(values.store, io);
  const change = { trigger: 'manual' as const, actor: actor() };
  try {
    switch (sub) {
      case 'list': {
        const list = await service.list({ ...(values.project ? { project: values.project } : {}), ...(values.kind ? { kind: values.kind } : {}) });
        if (values.format === 'json') io.stdout(JSON.stringify(await service.maskedAll(list), null, 2) + '\n');
        else for (const r of list) io.stdout(`${r.kind}/${r.project}/${r.name}${r.version ? `@${r.version}` : ''}\t${r.origin}\t${r.revision ?? '-'}\t${r.updatedAt}\n`);
        return 0;
      }
      case 'get': {
        const resource = await service.masked(await service.get(parseKey(positionals[0])));
        io.stdout(etagHeader(etagOf(resource)) + stringify(resource.spec, { lineWidth: 0, indentSeq: false }));
        return 0;
      }
      case 'put': {
        if (!positionals[0]) throw new UsageError('give the YAML file of the spec: envsync system put FILE');
        const bytes = readFileSync(resolve(io.cwd, positionals[0]));
        const parsed = parseSpecFile(positionals[0], bytes, bytes.length);
        if (!parsed.ok) {
          const findings = locateFindings(parsed.findings, () => parsed.text);
          io.stderr(renderText(findings, summarize(findings, 1, 0)));
          return 1;
        }
        const etag = values['if-match'] !== undefined ? quoted(values['if-match']) : etagInFile(parsed.text);
        try {
          io.stdout(`${(await service.put(parsed.data, change, parsed.text, etag === undefined ? {} : { ifMatch: [etag] })).outcome}\n`);
        } catch (e) {
          if (!(e instanceof PreconditionFailed) || etag === undefined) throw e;
          io.stderr(staleMessage(e, etag, 'put'));
          return 1;
        }
        return 0;
      }
      case 'delete': {
        const key = parseKey(positionals[0]);
        // Without --if-match, the version deleted is the one read here: a change another process
        // commits in between is reported, not deleted unseen.
        const etag = values['if-match'] !== undefined ? quoted(values['if-match']) : etagOf(await service.get(key));
        try {
          await service.delete(key, change, { ifMatch: [etag] });
        } catch (e) {
          if (!(e instanceof PreconditionFailed)) throw e;
          io.stderr(staleMessage(e, etag, 'delete'));
          return 1;
        }
        io.stdout('deleted\n');
        return 0;
      }
      case 'launch': {
        const [project, name] = (positionals[0] ?? '').split('/');
        const template = /^([^@]+)@(.+)$/.exec(values.template ?? '');
        if (!project || !name || !template) throw new UsageError('envsync system launch PROJECT/NAME --template NAME@VERSION [--var KEY=VALUE ...]');
        const variables = Object.fromEntries(
          (values.var ?? []).map((pair) => {
            const at = pair.indexOf('=');
            if (at < 1) throw new UsageError(`--var takes KEY=VALUE, not "${pair}"`);
            return [pair.slice(0, at), pair.slice(at + 1)];
          }),
        );
        io.stdout(`${(await service.launch({ project, name, template: { name: template[1]!, version: template[2]! }, variables }, change)).outcome}\n`);
        return 0;
      }
      case 'run': {
        const [project, name] = (positionals[0] ?? '').split('/');
        if (!project || !name) throw new UsageError('envsync system run PROJECT/NAME [--action deploy|destroy]');
        if (values.action !== 'deploy' && values.action !== 'destroy') throw new UsageError('--action must be deploy or destroy');
        const run = await startManualRun(service, { project, environment: name, action: values.action as RunAction, actor: change.actor ?? 'cli' });
        io.stdout(`${run.id}\t${run.status}: the app dispatches it at ${run.revision.slice(0, 7)} (envsync system runs ${project}/${name} follows it)\n`);
        return 0;
      }
      case 'approve': {
        if (!positionals[0]) throw new UsageError('envsync system approve RUN [--gate GATE]');
        const run = await approveManualRun(service, { runId: positionals[0], actor: change.actor ?? 'cli', ...(values.gate ? { gate: values.gate } : {}) });
        io.stdout(`approved run ${run.id}${values.gate ? ` (${values.gate})` : ''}: the app dispatches it\n`);
        return 0;
      }
      case 'runs': {
        const [project, environment] = (positionals[0] ?? '').split('/');
        const runs = await service.records.listRuns({ ...(project ? { project } : {}), ...(environment ? { environment } : {}) });
        if (values.format === 'json') io.stdout(JSON.stringify(runs.map(({ activities: _a, outputs: _o, ...run }) => run), null, 2) + '\n');
        else for (const r of runs) io.stdout(`${r.id}\t${r.status}\t${r.project}/${r.environment} ${r.action}\t${r.trigger}\t${r.actor ?? '-'}\t${r.revision.slice(0, 12)}${r.reason ? `\t${r.reason}` : ''}\n`);
        return 0;
      }
      case 'events': {
        for (const e of await service.records.listSyncEvents(values.project ? { project: values.project } : {})) {
          io.stdout(`${e.id}\t${e.at}\t${e.trigger}\t${e.actor ?? '-'}\t${e.operation}\t${e.kind}/${e.project}/${e.name}${e.version ? `@${e.version}` : ''}\t${e.revision ?? '-'}\n`);
        }
        return 0;
      }
      case 'apply': {
        const dir = resolve(io.cwd, positionals[0] ?? '.');
        const { config } = readRepositoryConfig(dir);
        const options = { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES };
        const files = values.ref ? readGitRevision(dir, values.ref, options) : readDirectory(dir, options);
        const revision = values.ref ? resolveRevision(dir, values.ref) : 'working tree';
        const scope = ownedScope(config, 'git-to-system');
        const checked = service.checkRevision(files, revision, config.root);
        const deletions = deletionsBetween(await service.snapshot(), checked.loaded, scope, config.deletion.maxShare);
        if (deletions.length > 0 && !values['allow-deletion']) {
          io.stderr(`envsync: ${revision} was not applied: it ${describeDeletions(deletions)}. Check --store and the folder; apply it with --allow-deletion if this is meant.\n`);
          return 1;
        }
        const result = await service.applyRevision(checked, revision, change, { root: config.root, scope, sensitiveNames: config.sensitive?.names ?? [] });
        io.stdout(`applied ${revision}: ${result.created.length} created, ${result.updated.length} updated, ${result.deleted.length} deleted\n`);
        return 0;
      }
      case 'follow': {
        const name = positionals[0];
        if (!name || !REPOSITORY_NAME.test(name)) throw new UsageError('name the config repository as OWNER/NAME: envsync system follow OWNER/NAME');
        const added = await service.records.followRepository(name);
        io.stdout(added ? `following ${name}: its pushes, pull requests and commands are acted on from now (its projects come from its ${CONFIG_PATH})\n` : `${name} is followed already\n`);
        return 0;
      }
      case 'unfollow': {
        const name = positionals[0];
        if (!name) throw new UsageError('name the repository: envsync system unfollow OWNER/NAME');
        if (!(await service.records.unfollowRepository(name))) throw new UsageError(`${name} is not followed (envsync system repositories lists those that are)`);
        io.stdout(`stopped following ${name}: its events are ignored from now; the specs it applied stay in the system\n`);
        return 0;
      }
      case 'repositories': {
        const list = await service.records.listRepositories();
        if (values.format === 'json') io.stdout(JSON.stringify(list, null, 2) + '\n');
        else if (list.length === 0) io.stdout('no followed repository: envsync system follow OWNER/NAME\n');
        else for (const r of list) io.stdout(`${r.repo}\tprojects ${r.projects ? r.projects.join(',') : '(none yet: no push applied)'}\tapplied ${r.appliedRevision ?? '-'}\tinstallation ${r.installationId ?? '-'}\n`);
        return 0;
      }
      case 'serve':
        return await serve(service, values.port, values.tokens, io);
      default:
        throw new UsageError(`unknown system command "${sub}": see envsync system --help`);
    }
  } catch (e) {
    if (e instanceof SystemError) {
      io.stderr(`envsync: ${e.message}\n`);
      if (e.findings.length > 0) io.stderr(renderText(e.findings, summarize(e.findings, 1, 1)));
      return 1;
    }
    throw e;
  } finally {
    if (sub !== 'serve') await service.close();
  }
}

function makeToken(args: readonly string[], io: CommandIO): number {
  const { values, positionals } = parseCommandArgs(TOKEN_COMMAND, args);
  const name = positionals[0];
  if (!name || !values.project?.length) throw new UsageError('envsync system token NAME --project PROJECT=read|write [--project ...]');
  const projects: Record<string, Access> = {};
  for (const grant of values.project) {
    const [project, access] = grant.split('=');
    if (!project || (access !== 'read' && access !== 'write')) throw new UsageError(`--project takes PROJECT=read or PROJECT=write, not "${grant}"`);
    projects[project] = access;
  }
  const token = randomBytes(24).toString('base64url');
  const entry: ApiToken = { name, sha256: hashToken(token), projects };
  io.stdout(`token (shown once; give it to the client): ${token}\nconfiguration entry (add it to the tokens file):\n${JSON.stringify(entry)}\n`);
  return 0;
}

async function serve(service: SystemService, port: string, tokensFile: string | undefined, io: CommandIO): Promise<number> {
  const file = tokensFile ?? process.env.ENVSYNC_API_TOKENS_FILE;
  if (!file) throw new UsageError('give --tokens FILE (a JSON list of {name, sha256, projects}; `envsync system token` makes entries)');
  let tokens: ApiToken[];
  try {
    tokens = readApiTokens(resolve(io.cwd, file));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const server = createServer(createApiHandler(service, tokens, (e) => io.stderr(`envsync api: ${(e as Error).stack ?? String(e)}\n`)));
  await new Promise<void>((ready) => server.listen(Number(port), ready));
  io.stdout(`envsync system API on http://localhost:${port}/api/v1\n`);
  await new Promise<void>((closed) => {
    const stop = () => server.close(() => closed());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.close();
  return 0;
}

/** Writes an export plan's files into a checkout (and deletes those it drops); returns them. */
function writeExport(dir: string, plan: ExportPlan): ExportPlan['files'] {
  const inside = resolve(dir) + sep;
  for (const file of plan.files) {
    const path = resolve(dir, file.path);
    // Paths come from names the system checked; this is the last line of defence all the same.
    if (!path.startsWith(inside)) throw new UsageError(`refusing to write ${file.path}: it is outside ${dir}`);
  }
  for (const file of plan.files) {
    const path = join(dir, file.path);
    if (file.content === null) rmSync(path, { force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
  }
  return plan.files;
}

/** `envsync export [DIR]`: writes the system's specs into a checkout, editing files in place. */
export async function runExport(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(EXPORT_COMMAND, argv);
  if (values.github) return exportToGitHub(values.github, values.branch, values.store, io);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${positionals[0] ?? '.'} is not a folder: give the path of a config repository checkout`);
  const { config, findings } = readRepositoryConfig(dir);
  if (findings.length > 0) throw new UsageError(`${findings[0]!.file}:${findings[0]!.line}:${findings[0]!.column}: ${findings[0]!.message}`);
  if (values.secrets !== undefined && values.secrets !== 'seal' && values.secrets !== 'keep') throw new UsageError('--secrets must be seal or keep');
  const root = values.root ?? config.root;
  const service = await openSystemAt(values.store, io);
  try {
    const checkout = loadSpecs(readDirectory(dir, { root, maxFileBytes: DEFAULT_MAX_FILE_BYTES }), { root, limits: DEFAULT_PARSE_LIMITS });
    const plan = await service.exportTo(
      checkout,
      exportOptionsFor(config, {
        root,
        // --secrets for every project, else each project's setting.
        ...(values.secrets ? { secrets: values.secrets as 'seal' | 'keep' } : {}),
        scope: (kind, project) => syncs(config, project, kind, 'system-to-git'),
        ...(values.include ? { include: values.include.split(',') } : {}),
        ...(values.exclude ? { exclude: values.exclude.split(',') } : {}),
      }),
    );
    for (const file of writeExport(dir, plan)) {
      io.stdout(`${file.content === null ? 'deleted' : 'wrote'} ${file.path}${plan.rewritten.includes(file.path) ? ' (rewritten whole: an in-place edit could not express the change)' : ''}\n`);
    }
    for (const note of plan.secrets) io.stdout(`secret ${note.file} ${note.path}: ${note.outcome === 'sealed' ? 'written as a sealed:// reference' : 'left as Git has it'}\n`);
    io.stdout(`${plan.files.length} file${plan.files.length === 1 ? '' : 's'} changed\n`);
    return 0;
  } finally {
    await service.close();
  }
}

/**
 * `envsync export --github OWNER/REPO`: the same change delivered on GitHub (bot pull request or
 * direct commit, as `.github/envsync.yml` of that repository says), with a token from GITHUB_TOKEN.
 */
async function exportToGitHub(target: string, branch: string | undefined, storeFlag: string | undefined, io: CommandIO): Promise<number> {
  const [owner, name] = target.split('/');
  if (!owner || !name) throw new UsageError(`--github takes OWNER/REPO, not "${target}"`);
  const token = process.env.GITHUB_TOKEN;
  if (!token) throw new UsageError('set GITHUB_TOKEN to a token that may push to the repository and open pull requests');
  const octokit = new Octokit({ auth: token, ...(process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {}) });
  const port = new OctokitPort(octokit);
  const repo = { owner, repo: name };
  const { config, findings } = await configAt(port, repo, branch);
  if (findings.length > 0) throw new UsageError(`${target}:${findings[0]!.file}:${findings[0]!.line}:${findings[0]!.column}: ${findings[0]!.message}`);
  const service = await openSystemAt(storeFlag, io);
  try {
    const results = await syncSystemToGit({ port, service, config, target: syncTarget(config, repo, branch ?? 'main'), ...(actor() ? { actors: [actor()!] } : {}) });
    for (const r of results) {
      if (r.outcome === 'pull-request') io.stdout(`${r.created ? 'opened' : 'updated'} pull request #${r.number} from ${r.branch}\n`);
      else if (r.outcome === 'committed') io.stdout(`committed ${r.sha}\n`);
      else if (r.outcome === 'skipped') io.stdout(`skipped: ${r.reason}\n`);
      else io.stdout('nothing to do: the repository holds what the system holds\n');
    }
    return 0;
  } finally {
    await service.close();
  }
}

const DRIFT_TEXT = { changed: 'differs between the system and Git', 'only-in-git': 'only in Git', 'only-in-system': 'only in the system' } as const;

function driftModeOf(text: string | undefined): DriftMode | undefined {
  if (text === undefined || text === 'git-wins' || text === 'system-wins') return text;
  throw new UsageError(`--mode must be git-wins or system-wins, not "${text}"`);
}

/**
 * `envsync reconcile [DIR]`: lists where the system and Git differ and, only when --mode says which
 * side wins, settles it: git-wins applies Git to the system (recorded as a manual sync), system-wins
 * writes the system into the checkout.
 */
export async function runReconcile(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(RECONCILE_COMMAND, argv);
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${positionals[0] ?? '.'} is not a folder: give the path of a config repository checkout`);
  const { config } = readRepositoryConfig(dir);
  // The configuration's drift.mode is the app's scheduled check: from the command line, changing the
  // system or the checkout takes an explicit --mode.
  const mode = driftModeOf(values.mode);
  if (mode === 'system-wins' && values.ref) throw new UsageError('--ref goes with git-wins: system-wins writes into the working tree');
  const options = { root: config.root, maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  const files = values.ref ? readGitRevision(dir, values.ref, options) : readDirectory(dir, options);
  const checkout = loadSpecs(files, { root: config.root });
  const revision = values.ref ? resolveRevision(dir, values.ref) : 'working tree';
  const service = await openSystemAt(values.store, io);
  try {
    const outcome = await reconcile(service, { config, checkout, apply: () => files, revision, mode, actor: actor() ?? 'envsync reconcile', allowDeletion: values['allow-deletion'] });
    if (outcome.settled === 'in-sync') {
      io.stdout('in sync: the system holds what Git holds\n');
      return 0;
    }
    const { drift } = outcome;
    io.stdout(`drift: ${drift.length} spec${drift.length === 1 ? '' : 's'}\n`);
    for (const d of drift) io.stdout(`  ${d.kind}/${d.project}/${d.name}${d.version ? `@${d.version}` : ''}: ${DRIFT_TEXT[d.state]}\n`);
    if (outcome.settled === 'listed') {
      io.stdout('nothing changed: settle it with --mode git-wins (apply Git to the system) or --mode system-wins (write the system into the checkout)\n');
      return 0;
    }
    if ('refused' in outcome) {
      io.stderr(`envsync: ${revision} was not applied: it ${describeDeletions(outcome.refused)}. Check --store and the folder; apply it with --allow-deletion if this is meant.\n`);
      return 1;
    }
    if ('applied' in outcome) {
      const { created, updated, deleted } = outcome.applied;
      io.stdout(`git wins: applied ${revision} to the system: ${created.length} created, ${updated.length} updated, ${deleted.length} deleted\n`);
      return 0;
    }
    const plan = await service.exportTo(checkout, exportOptionsFor(config, { root: config.root, scope: ownedScope(config, 'system-to-git') }));
    writeExport(dir, plan);
    io.stdout(`system wins: ${plan.files.length} file${plan.files.length === 1 ? '' : 's'} written into ${positionals[0] ?? '.'}; commit them (the app opens a bot pull request instead)\n`);
    return 0;
  } catch (e) {
    if (e instanceof SystemError) {
      io.stderr(`envsync: ${e.message}\n`);
      if (e.findings.length > 0) io.stderr(renderText(e.findings, summarize(e.findings, 1, 1)));
      return 1;
    }
    throw e;
  } finally {
    await service.close();
  }
}
