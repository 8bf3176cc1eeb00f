// How long the command line takes to start: `envsync --version`, `--help` and `envsync validate` of
// the example repository, each a new process as a user runs it, against a Node process that does
// nothing. The ratio is what the code adds; the machine's own start is in the first row.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';

const ROUNDS = 7;
const bin = fileURLToPath(new URL('../../bin/envsync.js', import.meta.url));
const example = fileURLToPath(new URL('../../examples/config-repo', import.meta.url));

const COMMANDS: { label: string; args: string[]; target?: string }[] = [
  { label: '`node -e 0`', args: ['-e', '0'] },
  { label: '`envsync --version`', args: [bin, '--version'], target: '≤ 2×' },
  { label: '`envsync --help`', args: [bin, '--help'], target: '≤ 2×' },
  { label: '`envsync validate examples/config-repo`', args: [bin, 'validate', example] },
];

/** Wall time of one new process, from spawn to exit. */
function run(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return elapsed;
}

const spread = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;

export function benchStart(): string {
  // A first run of each fills the file cache; then the commands take turns, so that a busy moment
  // of the machine falls on all of them alike.
  for (const command of COMMANDS) run(command.args);
  const times = COMMANDS.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) COMMANDS.forEach((command, i) => times[i]!.push(run(command.args)));
  const base = median(times[0]!);
  const rows = COMMANDS.map((command, i) => {
    const values = times[i]!;
    const ratios = values.map((v) => v / base);
    const ratio = i === 0 ? '1×' : `**${(median(values) / base).toFixed(2)}×** (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
    return `| ${command.label} | ${median(values).toFixed(0)} ms (${spread(values)}) | ${ratio} | ${command.target ?? ''} |`;
  });
  return `## Start of the command line

Each command a new process, as a user runs it; median of ${ROUNDS} alternating rounds with their spread
(min–max), and the ratio to \`node -e 0\` (\`npm run bench -- start\`). A command imports its own code only
when it runs: the usage and the version load no package, and \`validate\` none of the server's or the store's.

| command | time | ratio to \`node -e 0\` | target |
| --- | --- | --- | --- |
${rows.join('\n')}

Load average of the machine when this ended: ${loadavg()[0]!.toFixed(1)}.
Before each command imported its code only when it ran (issue 19), every command loaded every other's,
Probot, the store's drivers and the job queue included: \`envsync --version\` took 0.53 s against 0.06 s for
\`node -e 0\`.
`;
}
