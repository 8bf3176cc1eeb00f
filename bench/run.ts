// `npm run bench`: runs every benchmark and writes docs/benchmarks.md with the machine and command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './measure.js';
import { benchValidate } from './validate.js';
import { benchPlan } from './plan.js';
import { benchEdit } from './edit.js';
import { benchApp } from './app.js';
import { benchExecutor } from './executor.js';
import { benchRuntime } from './runtime.js';

const workDir = fileURLToPath(new URL('../../bench/.work/', import.meta.url));
mkdirSync(workDir, { recursive: true });

const sections = [benchValidate(workDir), benchPlan(), await benchEdit(), await benchApp(workDir), await benchRuntime(workDir), await benchExecutor()];
const report = `# Benchmarks

Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}.

${sections.join('\n')}`;

writeFileSync(fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url)), report);
console.log(report);
