// `envsync plan [DIR] [--base REF] [--head REF] [--format markdown|json]`: what merging head into base
// would change and run. Head defaults to the working tree, base to HEAD.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { planChange } from '../engine/plan/plan.js';
import { assembleLoad, fileLoader, loadFile } from '../specs/load.js';
import { DEFAULT_PARSE_LIMITS } from '../specs/parse.js';
import { readDirectory } from '../specs/read-directory.js';
import { GitError, readGitRevision, resolveRevision } from '../specs/read-git.js';
import type { SourceFile } from '../specs/source.js';
import { validateRepository } from '../engine/validate.js';
import { renderPlanMarkdown } from '../render/plan-markdown.js';
import { UsageError, type CommandIO } from './io.js';
import { maxFileSizeOf, parseFolderCommand } from './folder-command.js';
import { PLAN_COMMAND } from './plan-spec.js';
import { readRepositoryConfig } from './repository-config.js';

export interface PlanArgs {
  dir: string;
  base?: string;
  /** Plan against the system's live state in this store instead of a base revision. */
  store?: string;
  head?: string;
  format: string;
  root: string | undefined;
  maxFileSize: number;
}

const FORMATS = ['markdown', 'json'];

/** The system's specs, from a store opened for this alone: its drivers load only for --store. */
async function systemSnapshot(url: string, io: CommandIO) {
  const { openSystemAt } = await import('./system.js');
  const service = await openSystemAt(url, io);
  try {
    return await service.snapshot();
  } finally {
    await service.close();
  }
}

/** `envsync plan` as typed: its arguments read against its usage. */
export function planCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, folder } = parseFolderCommand(PLAN_COMMAND, argv);
  return runPlan(
    {
      dir: folder,
      ...(values.base !== undefined ? { base: values.base } : {}),
      ...(values.head !== undefined ? { head: values.head } : {}),
      ...(values.store !== undefined ? { store: values.store } : {}),
      format: values.format,
      root: values.root,
      maxFileSize: maxFileSizeOf(values['max-file-size']),
    },
    io,
  );
}

export async function runPlan(args: PlanArgs, io: CommandIO): Promise<number> {
  if (!FORMATS.includes(args.format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${args.format}"`);
  const dir = resolve(io.cwd, args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${args.dir} is not a folder: give the path of a config repository checkout`);
  const { config } = readRepositoryConfig(dir);
  const root = args.root ?? config.root;
  const options = { root, maxFileBytes: args.maxFileSize };

  const side = (ref: string | undefined, fallback: 'working tree' | 'HEAD'): { revision: string; files: SourceFile[] } => {
    const wanted = ref ?? fallback;
    if (wanted === 'working tree') return { revision: 'working tree', files: readDirectory(dir, options) };
    try {
      return { revision: resolveRevision(dir, wanted), files: readGitRevision(dir, wanted, options) };
    } catch (e) {
      if (e instanceof GitError) throw new UsageError(ref === undefined ? `${e.message} (without --base, the base is HEAD: give --base REF)` : e.message);
      throw e;
    }
  };
  if (args.store && args.base) throw new UsageError('give --base or --store, not both: the base is either a revision or the system');
  const head = side(args.head, 'working tree');
  const limits = { ...DEFAULT_PARSE_LIMITS, maxFileBytes: args.maxFileSize };
  const loader = fileLoader({ root, limits });
  const headLoads = head.files.map((file) => loadFile(file, loader));
  const headLoaded = assembleLoad(head.files, headLoads);
  const base = args.store ? { revision: 'system', loaded: await systemSnapshot(args.store, io) } : (() => {
    const b = side(args.base, 'HEAD');
    // A change touches a few files of many: a base file with the head's bytes at the same path keeps
    // the head's load, so only the changed files are parsed twice.
    const heads = new Map(head.files.map((file, i) => [file.path, { file, load: headLoads[i]! }]));
    const same = (a: SourceFile, b: SourceFile) => a.link === b.link && a.skipped === b.skipped && a.size === b.size && a.content !== undefined && b.content !== undefined && Buffer.compare(a.content, b.content) === 0;
    const loads = b.files.map((file) => {
      const twin = heads.get(file.path);
      return twin && same(twin.file, file) ? twin.load : loadFile(file, loader);
    });
    return { revision: b.revision, loaded: assembleLoad(b.files, loads) };
  })();
  const plan = planChange({ base, head: { revision: head.revision, loaded: headLoaded }, sensitiveNames: config.sensitive?.names ?? [] });

  io.stdout(args.format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : renderPlanMarkdown(plan));
  const invalid = validateRepository(headLoaded).filter((f) => f.severity === 'error').length;
  if (invalid > 0) io.stderr(`envsync: the head has ${invalid} validation error${invalid === 1 ? '' : 's'}, so the plan may be incomplete: run \`envsync validate\` to see them\n`);
  return plan.summary.errors > 0 || invalid > 0 ? 1 : 0;
}
