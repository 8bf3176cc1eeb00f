// `npm run demo`: envsync's whole loop for a person, on this machine, with no GitHub account. It
// plays demo/story.ts through demo/play.ts, says what happens at each step, and writes what GitHub
// would show (checks, comments, the bot's diff, run summaries and logs) as files. The acceptance
// test runs this very program and asserts on what it writes (--record).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { playStory, type Narrator } from './play.js';
import { Story } from './story.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'demo-output' }, record: { type: 'string' }, keep: { type: 'boolean', default: false }, serve: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('npm run demo [-- --out DIR] [-- --keep] [-- --serve]\n\nPlays envsync\'s whole loop locally and writes what GitHub would show into DIR (default demo-output).\n--keep leaves the work folder (repositories, store, runner workspaces) for you to look around.\n--serve keeps the app server and the fake GitHub running after the story, for the console, until Ctrl-C.\n--record FILE writes what each step came to as JSON (the acceptance test asserts on it).');
  process.exit(0);
}

const CANARY = `CANARY-demo-${Math.random().toString(36).slice(2, 10)}`;
const out = resolve(values.out);
const work = mkdtempSync(join(tmpdir(), 'envsync-demo-'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const [bold, dim, green, red] = [paint(1), paint(2), paint(32), paint(31)];
const started = Date.now();
const clock = () => dim(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`);
const written: string[] = [];

const say = (line: string) => console.log(`${clock()}   ${dim('→')} ${line}`);
const ok = (line: string) => console.log(`${clock()}   ${green('✓')} ${line}`);
const step = (n: number | string, title: string) => console.log(`\n${bold(typeof n === 'number' ? `[${n}/8] ${title}` : `[${n}] ${title}`)}`);
const write = (name: string, text: string) => {
  writeFileSync(join(out, name), text);
  written.push(name);
  console.log(`${clock()}   ${dim(`wrote ${relative(process.cwd(), join(out, name))}`)}`);
};

const story = new Story({ work, canary: CANARY, say, logLevel: 'trace' });
const narrator: Narrator = { step, ok, say, write, good: green, bad: red };

async function main(): Promise<void> {
  console.log(`${bold('envsync demo')}: pull request → checks, plan, approvals → merge → runs → status → system change → bot pull request`);
  console.log(dim(`Everything runs here: the app server, a fake GitHub on real git repositories, a local Actions runner with`));
  console.log(dim(`stand-ins for tofu and docker, and the system API. A secret (${CANARY}) is planted in the specs.`));

  step('setup', 'A platform team adopts envsync');
  await story.start();
  ok('ready');
  console.log(`\n${bold('Console')}: ${story.consoleUrl}  (sign in on the fake GitHub as alice or carol, who may write, or bob, who may read)`);
  if (!values.serve) console.log(dim('It closes with the demo: run npm run demo -- --serve to keep it open afterwards.'));
  const record = await playStory(story, narrator, [out]);
  console.log(`\n${bold('Files')} (what GitHub would show), in ${relative(process.cwd(), out) || '.'}/:`);
  for (const name of written) console.log(`  ${name}`);
  if (values.record) writeFileSync(resolve(values.record), JSON.stringify(record, null, 2));
  if (values.serve) {
    console.log(`\n${bold('Console')}: ${story.consoleUrl} is open (sign in as alice, carol or bob). Ctrl-C stops it.`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  }
}

main()
  .then(
    () => 0,
    (e: unknown) => {
      console.error(`\n${red('demo failed')}: ${(e as Error).stack ?? String(e)}`);
      return 1;
    },
  )
  .then(async (code) => {
    await story.stop().catch(() => undefined);
    if (values.keep) console.log(`\nwork folder kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
    process.exitCode = code;
  });
