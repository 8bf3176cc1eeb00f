// `envsync validate [DIR] [--format text|json|github]`: exit 0 clean, 1 errors, 2 usage or internal failure.
import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { noProjectsFinding, validateDirectory, type RootSource } from '../validate-directory.js';
import { renderGithub, renderJson, renderText, summarize } from '../render/findings.js';
import { UsageError, type CommandIO } from './io.js';
import { maxFileSizeOf, parseFolderCommand } from './folder-command.js';
import { VALIDATE_COMMAND } from './validate-spec.js';
import { parseRepositoryConfig } from '../config/config.js';
import { readConfigFile } from '../config/read-config.js';
import { compareFindings } from '../specs/findings.js';
import { layoutRoot } from '../specs/layout.js';

const FORMATS = ['text', 'json', 'github'] as const;

export interface ValidateArgs {
  dir: string;
  format: string;
  /** From --root; else the configuration's root. */
  root: string | undefined;
  maxFileSize: number;
  verbose: boolean;
}

/** `envsync validate` as typed: its arguments read against its usage. */
export function validateCommand(argv: readonly string[], io: CommandIO): number {
  const { values, folder } = parseFolderCommand(VALIDATE_COMMAND, argv);
  return runValidate({ dir: folder, format: values.format, root: values.root, maxFileSize: maxFileSizeOf(values['max-file-size']), verbose: values.verbose }, io);
}

export function runValidate(args: ValidateArgs, io: CommandIO): number {
  if (!(FORMATS as readonly string[]).includes(args.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${args.format}"`);
  }
  const dir = resolve(io.cwd, args.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${args.dir} is not a folder: give the path of a config repository checkout`);
  }
  // Read here rather than through readRepositoryConfig: a link is a finding, not a file to read.
  const configFile = readConfigFile(dir);
  const { config, findings: configFindings } = parseRepositoryConfig(configFile.text);
  const root = args.root ?? config.root;
  const result = validateDirectory(dir, { root, maxFileBytes: args.maxFileSize, listOutside: args.verbose });
  const missing = result.hasProjects ? [] : [noProjectsFinding(args.dir, rootSource(args.root, config.root, configFile.text))];
  const findings = [...configFile.findings, ...configFindings, ...result.findings, ...missing].sort(compareFindings);
  const summary = summarize(findings, result.files, result.specs);

  if (args.verbose) {
    for (const { file, reason } of result.ignored) io.stderr(`ignored ${file}: ${reason}\n`);
  }
  if (args.format === 'json') {
    io.stdout(renderJson(findings, summary));
  } else if (args.format === 'github') {
    const pathFor = (file: string) => relative(io.cwd, resolve(dir, file)).split(sep).join('/');
    io.stdout(renderGithub(findings, summary, pathFor));
  } else {
    io.stdout(renderText(findings, summary));
  }
  return summary.errors > 0 ? 1 : 0;
}

function rootSource(flag: string | undefined, configured: string, configText: string | undefined): RootSource {
  if (flag !== undefined) return layoutRoot(flag) === '' ? { from: 'default' } : { from: 'flag', root: flag };
  return layoutRoot(configured) === '' ? { from: 'default' } : { from: 'config', root: configured, configText };
}
