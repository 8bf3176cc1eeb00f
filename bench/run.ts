// `npm run bench`: runs every benchmark and writes docs/benchmarks.md with the machine and command.
// `npm run bench -- NAME...` runs only the named ones and replaces just their sections: a whole run
// takes many minutes and keeps both cores busy.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './measure.js';
import { benchValidate } from './validate.js';
import { benchManyFindings } from './many-findings.js';
import { benchPlan } from './plan.js';
import { benchPlanScale } from './plan-scale.js';
import { benchEdit } from './edit.js';
import { benchApp } from './app.js';
import { benchAppScale } from './app-scale.js';
import { benchExecutor } from './executor.js';
import { benchRuntime } from './runtime.js';
import { benchConsole } from './console.js';

const workDir = fileURLToPath(new URL('../../bench/.work/', import.meta.url));
mkdirSync(workDir, { recursive: true });

const benchmarks: Record<string, () => string | Promise<string>> = {
  validate: () => benchValidate(workDir),
  'many-findings': () => benchManyFindings(),
  plan: () => benchPlan(workDir),
  'plan-scale': () => benchPlanScale(),
  edit: () => benchEdit(),
  app: () => benchApp(workDir),
  'app-scale': () => benchAppScale(workDir),
  runtime: () => benchRuntime(workDir),
  executor: () => benchExecutor(),
  start: async () => (await import('./start.js')).benchStart(),
  console: () => benchConsole(),
};
const docPath = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
const named = process.argv.slice(2);
const unknown = named.filter((name) => !(name in benchmarks));
if (unknown.length > 0) throw new Error(`no benchmark ${unknown.join(', ')}; there are: ${Object.keys(benchmarks).join(', ')}`);

/** `report` with `section` in place of the section under the same heading, or at its end. */
function withSection(report: string, section: string): string {
  const heading = section.split('\n', 1)[0]!;
  const start = report.indexOf(`\n${heading}\n`);
  if (start < 0) return `${report.trimEnd()}\n\n${section}`;
  const next = report.indexOf('\n## ', start + 1);
  return report.slice(0, start + 1) + section + (next < 0 ? '' : report.slice(next));
}

const sections: string[] = [];
// One after the other: each benchmark wants the machine to itself.
for (const name of named.length > 0 ? named : Object.keys(benchmarks)) sections.push(await benchmarks[name]!());
/** A benchmark's output, one `## ` section at a time: a benchmark may write several. */
const splitSections = (text: string): string[] => text.split(/\n(?=## )/).map((part) => `${part.trimEnd()}\n`);
const report =
  named.length > 0
    ? sections.flatMap(splitSections).reduce(withSection, readFileSync(docPath, 'utf8'))
    : `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}.

${sections.join('\n')}`;

writeFileSync(docPath, report);
console.log(named.length > 0 ? sections.join('\n') : report);
