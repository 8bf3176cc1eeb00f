// `npm run demo`: envsync's whole loop for a person, on this machine, with no GitHub account. It
// plays demo/story.ts (the acceptance test's story), says what happens at each step, and writes
// what GitHub would show (checks, comments, the bot's diff, run summaries and logs) as files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Story } from './story.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'demo-output' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('npm run demo [-- --out DIR] [-- --keep]\n\nPlays envsync\'s whole loop locally and writes what GitHub would show into DIR (default demo-output).\n--keep leaves the work folder (repositories, store, runner workspaces) for you to look around.');
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
const step = (n: number | string, title: string) => console.log(`\n${bold(typeof n === 'number' ? `[${n}/7] ${title}` : `[${n}] ${title}`)}`);
const write = (name: string, text: string) => {
  writeFileSync(join(out, name), text);
  written.push(name);
  console.log(`${clock()}   ${dim(`wrote ${relative(process.cwd(), join(out, name))}`)}`);
};

const story = new Story({ work, canary: CANARY, say, logLevel: 'trace' });
const checkText = (c: Story['github']['checks'][number]) => {
  const output = (c.output ?? {}) as { title?: string; summary?: string; text?: string };
  const notes = c.annotations.map((a) => `- \`${a.path}:${a.start_line}:${a.start_column ?? 1}\` ${a.annotation_level} ${a.title}: ${a.message}`);
  return `## ${c.name}: ${c.conclusion ?? c.status}\n\n**${output.title ?? ''}**\n\n${output.summary ?? ''}\n${output.text ? `\n${output.text}\n` : ''}${notes.length ? `\n### Annotations\n\n${notes.join('\n')}\n` : ''}`;
};

async function main(): Promise<void> {
  console.log(`${bold('envsync demo')}: pull request → checks, plan, approvals → merge → runs → status → system change → bot pull request`);
  console.log(dim(`Everything runs here: the app server, a fake GitHub on real git repositories, a local Actions runner with`));
  console.log(dim(`stand-ins for tofu and docker, and the system API. A secret (${CANARY}) is planted in the specs.`));

  step('setup', 'A platform team adopts envsync');
  await story.start();
  ok('ready');

  step(1, 'Alice opens a pull request that breaks a spec');
  const opened = await story.openBrokenPullRequest();
  const note = opened.validate.annotations[0];
  ok(`envsync/validate: ${red(opened.validate.conclusion ?? '')}${note ? `, annotation on ${note.path}:${note.start_line}:${note.start_column}: ${note.message}` : ''}`);
  write('1-validate-check.md', checkText(opened.validate));
  write('1-plan-comment.md', opened.comment.body);

  step(2, 'Alice pushes a fix, and a new preflight image in the template both environments use');
  const fixed = await story.pushFix(opened.number);
  ok(`plan comment ${fixed.comment.id} updated in place (${fixed.comment.edits} edit${fixed.comment.edits === 1 ? '' : 's'}); checks: ${fixed.checks.map((c) => `${c.name} ${c.conclusion ?? c.status}`).join(', ')}`);
  write('2-plan-comment.md', fixed.comment.body);
  write('2-checks.md', fixed.checks.map(checkText).join('\n'));

  step(3, '/approve from the author, from a reader, from an approver');
  const answers = [];
  for (const user of ['alice', 'bob', 'carol']) {
    const answer = await story.approve(opened.number, user, fixed.head);
    answers.push(answer.reply ? `@${user}: refused\n\n> ${answer.replyText}\n` : `@${user}: accepted\n\n${checkText(answer.gate)}`);
    if (answer.reply) ok(`refused: ${answer.replyText}`);
    else ok(`accepted: ${answer.gate.name} ${green(answer.gate.conclusion ?? '')} (${(answer.gate.output as { title: string }).title})`);
  }
  write('3-approvals.md', answers.join('\n'));

  step(4, 'Carol merges: the system takes the revision and the environments run on runners');
  const merged = await story.merge(opened.number);
  const { data: template } = await story.api('GET', '/resources/EnvironmentTemplate/payments/web-stack?version=v1');
  ok(`system API: web-stack v1 now runs ${JSON.stringify(template.spec).match(/ghcr\.io\/example\/preflight:\d/)?.[0] ?? '?'}`);
  ok(`dispatched: ${merged.dispatches.map((d) => `${d.inputs.environment} (${d.inputs['run-id']})`).join(', ')}`);
  const runs = await story.runDispatched();
  for (const run of runs) {
    const environment = run.dispatch.inputs.environment!;
    const deployment = story.github.deployments.find((d) => d.environment === environment && d.ref === merged.merge)!;
    ok(`${environment}: ${run.result.conclusion === 'success' ? green('success') : red(run.result.conclusion)}; deployment ${deployment.statuses.map((s) => s.state).join(' → ')}`);
    const slug = environment.replace('/', '-');
    write(`4-run-${slug}-summary.md`, story.runSummary(run)?.body ?? '(no summary)');
    write(`4-run-${slug}.log`, run.result.log);
  }
  write(
    '4-deployments.md',
    story.github.deployments
      .filter((d) => d.ref === merged.merge)
      .map((d) => `## ${d.environment} at ${d.ref.slice(0, 7)}\n\n${d.statuses.map((s) => `- ${s.state}: ${s.description}`).join('\n')}\n`)
      .join('\n'),
  );

  step(5, 'Someone changes staging in the platform console (the system API)');
  const changed = await story.changeThroughApi();
  ok(`bot pull request #${changed.pull.number}: "${changed.pull.title}"`);
  for (const line of changed.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))) say(`diff ${line.startsWith('+') ? green(line) : red(line)}`);
  write('5-bot-pull-request.md', `# ${changed.pull.title}\n\n${changed.pull.body}`);
  write('5-bot-pull-request.diff', changed.diff);

  step(6, 'Carol merges the bot\'s pull request');
  const counts = () => ({ runs: story.github.dispatches.length, pullRequests: story.github.pulls.length });
  const before = counts();
  await story.mergeBotPullRequest(changed.pull.number);
  const after = counts();
  ok(`the system already held the change: runs ${before.runs} → ${after.runs}, pull requests ${before.pullRequests} → ${after.pullRequests}`);

  step(7, 'GitHub delivers every webhook of the story again');
  const redelivered = await story.redeliverAll();
  ok(`${redelivered.statuses.length} deliveries answered, ${redelivered.requests.length} requests to GitHub: nothing happened twice`);
  write('7-redeliveries.md', story.webhooks.deliveries.map((d) => `- ${d.id}: ${d.event}${d.payload.action ? `.${d.payload.action}` : ''}`).join('\n') + '\n');

  step('end', 'What GitHub received, and where the planted secret went');
  ok(`a stranger presents an OIDC-shaped token to the system API: ${await story.presentForeignToken()}`);
  write('github-requests.txt', story.github.requests.map((r) => `${r.method} ${r.path}`).join('\n') + '\n');
  write('app.log', story.serverLog);
  const leaks = story.leaks([out]);
  if (leaks.length > 0) throw new Error(`a secret or credential leaked: ${leaks.join(', ')}`);
  ok(`${story.github.requests.length} requests, ${story.github.comments.length} comments, ${story.github.checks.length} checks, the app's log (at trace), the runner logs and every file above: the secret is in none, nor the API token, the OIDC-shaped token, the webhook secret, the installation token or the private key`);
  console.log(`\n${bold('Files')} (what GitHub would show), in ${relative(process.cwd(), out) || '.'}/:`);
  for (const name of written) console.log(`  ${name}`);
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
