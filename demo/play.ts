// The story's eight steps, played once: `npm run demo` narrates them and writes what GitHub would
// show, and the acceptance test (test/e2e/story.e2e.test.ts) runs that same built demo and asserts
// on the record it returns, so that the loop is played once for both.
import type { Story } from './story.js';

type Check = Story['github']['checks'][number];
type Comment = Story['github']['comments'][number];

/** Where the play tells what happens and writes what GitHub would show. */
export interface Narrator {
  step(n: number | string, title: string): void;
  ok(line: string): void;
  say(line: string): void;
  /** A file of the demo's output folder. */
  write(name: string, text: string): void;
  /** Paint a word as a success or a failure (the terminal's colours). */
  good(text: string): string;
  bad(text: string): string;
}

/** What each step came to: plain data the acceptance test asserts on. */
export interface StoryRecord {
  opened: { number: number; head: string; validate: Check; comment: Comment };
  fixed: { head: string; comment: Comment; checks: Check[]; commentIdBefore: number; botComments: number };
  approvals: { user: string; replyText?: string; gate: Check }[];
  merged: {
    merge: string;
    dispatches: { workflow: string; ref: string; inputs: Record<string, string> }[];
    template: unknown;
    runs: { title: string; conclusion: string; artifacts: string[]; log: string; results: string | undefined }[];
    deployments: { environment: string; ref: string; statuses: { state: string; log_url?: string }[] }[];
    webRoot: string;
    summary: { issue: number; body: string } | undefined;
  };
  changed: { status: number; pull: Story['github']['pulls'][number]; diff: string; botCommit: string };
  botMerged: { applied: string; countsBefore: number[]; countsAfter: number[]; writes: string[] };
  redelivered: { deliveries: string[]; statuses: number[]; requests: number };
  rotated: {
    status: number;
    pull: { title: string; author: string };
    /** The lines the bot's pull request removes and adds. */
    changedLines: string[];
    applied: string;
    run: { status: number; id: string; approved: number };
    conclusion: string;
    /** Whether a stand-in tool was given the rotated value (it must be: the run needs it). */
    toolGotValue: boolean;
    /** How the run's log shows where the value would be. */
    logMasked: boolean;
  };
  foreignToken: number;
  requests: number;
  leaks: string[];
  serverLogHasFailedJob: boolean;
}

const checkText = (c: Check) => {
  const output = (c.output ?? {}) as { title?: string; summary?: string; text?: string };
  const notes = c.annotations.map((a) => `- \`${a.path}:${a.start_line}:${a.start_column ?? 1}\` ${a.annotation_level} ${a.title}: ${a.message}`);
  return `## ${c.name}: ${c.conclusion ?? c.status}\n\n**${output.title ?? ''}**\n\n${output.summary ?? ''}\n${output.text ? `\n${output.text}\n` : ''}${notes.length ? `\n### Annotations\n\n${notes.join('\n')}\n` : ''}`;
};

/** Plays the story (started) step by step; `outputs` are the folders whose files the canary search also reads. */
export async function playStory(story: Story, show: Narrator, outputs: string[]): Promise<StoryRecord> {
  const { github } = story;

  show.step(1, 'Alice opens a pull request that breaks a spec');
  // Each step's objects as they were then: GitHub's comments and checks change later in the story.
  const opened = structuredClone(await story.openBrokenPullRequest());
  const note = opened.validate.annotations[0];
  show.ok(`envsync/validate: ${show.bad(opened.validate.conclusion ?? '')}${note ? `, annotation on ${note.path}:${note.start_line}:${note.start_column}: ${note.message}` : ''}`);
  show.write('1-validate-check.md', checkText(opened.validate));
  show.write('1-plan-comment.md', opened.comment.body);

  show.step(2, 'Alice pushes a fix, and a new preflight image in the template both environments use');
  const commentIdBefore = story.planComment(opened.number)!.id;
  const fixed = structuredClone(await story.pushFix(opened.number));
  show.ok(`plan comment ${fixed.comment.id} updated in place (${fixed.comment.edits} edit${fixed.comment.edits === 1 ? '' : 's'}); checks: ${fixed.checks.map((c) => `${c.name} ${c.conclusion ?? c.status}`).join(', ')}`);
  show.write('2-plan-comment.md', fixed.comment.body);
  show.write('2-checks.md', fixed.checks.map(checkText).join('\n'));
  const botComments = github.comments.filter((c) => c.issue === opened.number && c.user.type === 'Bot').length;

  show.step(3, '/approve from the author, from a reader, from an approver');
  const approvals: StoryRecord['approvals'] = [];
  for (const user of ['alice', 'bob', 'carol']) {
    const answer = await story.approve(opened.number, user, fixed.head);
    approvals.push({ user, ...(answer.replyText !== undefined ? { replyText: answer.replyText } : {}), gate: structuredClone(answer.gate) });
    if (answer.reply) show.ok(`refused: ${answer.replyText}`);
    else show.ok(`accepted: ${answer.gate.name} ${show.good(answer.gate.conclusion ?? '')} (${(answer.gate.output as { title: string }).title})`);
  }
  show.write('3-approvals.md', approvals.map((a) => (a.replyText !== undefined ? `@${a.user}: refused\n\n> ${a.replyText}\n` : `@${a.user}: accepted\n\n${checkText(a.gate)}`)).join('\n'));

  show.step(4, 'Carol merges: the system takes the revision and the environments run on runners');
  const merged = await story.merge(opened.number);
  const { data: template } = await story.api('GET', '/resources/EnvironmentTemplate/payments/web-stack?version=v1');
  show.ok(`system API: web-stack v1 now runs ${JSON.stringify(template.spec).match(/ghcr\.io\/example\/preflight:\d/)?.[0] ?? '?'}`);
  show.ok(`dispatched: ${merged.dispatches.map((d) => `${d.inputs.environment} (${d.inputs['run-id']})`).join(', ')}`);
  const runs = await story.runDispatched();
  const deployments = github.deployments.filter((d) => d.ref === merged.merge);
  for (const run of runs) {
    const environment = run.dispatch.inputs.environment!;
    const deployment = deployments.find((d) => d.environment === environment)!;
    show.ok(`${environment}: ${run.result.conclusion === 'success' ? show.good('success') : show.bad(run.result.conclusion)}; deployment ${deployment.statuses.map((s) => s.state).join(' → ')}`);
    const slug = environment.replace('/', '-');
    show.write(`4-run-${slug}-summary.md`, story.runSummary(run)?.body ?? '(no summary)');
    show.write(`4-run-${slug}.log`, run.result.log);
  }
  show.write('4-deployments.md', deployments.map((d) => `## ${d.environment} at ${d.ref.slice(0, 7)}\n\n${d.statuses.map((s) => `- ${s.state}: ${s.description}`).join('\n')}\n`).join('\n'));
  const summary = runs[0] && story.runSummary(runs[0]);

  show.step(5, 'Someone changes staging in the platform console (the system API)');
  const changed = structuredClone(await story.changeThroughApi());
  show.ok(`bot pull request #${changed.pull.number}: "${changed.pull.title}"`);
  for (const line of changed.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))) show.say(`diff ${line.startsWith('+') ? show.good(line) : show.bad(line)}`);
  show.write('5-bot-pull-request.md', `# ${changed.pull.title}\n\n${changed.pull.body}`);
  show.write('5-bot-pull-request.diff', changed.diff);
  const botCommit = github.git(['log', '-1', '--format=%an <%ae> / %cn <%ce>', 'envsync/system-sync/main']);

  show.step(6, "Carol merges the bot's pull request");
  const counts = () => [github.dispatches.length, github.deployments.length, github.pulls.length, github.comments.length];
  const countsBefore = counts();
  const requestsBefore = github.requests.length;
  const botMerged = await story.mergeBotPullRequest(changed.pull.number);
  const countsAfter = counts();
  // The app only reads: the configuration and the merged revision.
  const writes = github.requests.slice(requestsBefore).filter((r) => r.method !== 'GET' && !r.path.endsWith('/access_tokens')).map((r) => `${r.method} ${r.path}`);
  show.ok(`the system already held the change: runs ${countsBefore[0]} → ${countsAfter[0]}, pull requests ${countsBefore[2]} → ${countsAfter[2]}`);

  show.step(7, 'GitHub delivers every webhook of the story again');
  const deliveries = story.webhooks.deliveries.map((d) => `${d.event}.${(d.payload.action as string | undefined) ?? ''}`);
  const redelivered = await story.redeliverAll();
  show.ok(`${redelivered.statuses.length} deliveries answered, ${redelivered.requests.length} requests to GitHub: nothing happened twice`);
  show.write('7-redeliveries.md', story.webhooks.deliveries.map((d) => `- ${d.id}: ${d.event}${d.payload.action ? `.${d.payload.action}` : ''}`).join('\n') + '\n');

  show.step(8, 'A platform engineer rotates the shared access key in the console; a run gets it through OIDC');
  // The new key holds the planted secret too: the canary search follows it wherever it goes.
  const rotatedValue = `${story.options.canary}-rotated`;
  const rotation = structuredClone(await story.rotateSharedSecret(rotatedValue));
  const changedLines = rotation.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l));
  show.ok(`bot pull request #${rotation.pull.number}: "${rotation.pull.title}": Git gets a sealed:// reference, the system keeps the key`);
  // The line it removes holds the old key as Git held it (the planted secret): written out as a name.
  show.write('8-bot-pull-request.diff', rotation.diff.split(story.options.canary).join('(the planted secret)'));
  const rotationMerged = await story.mergeBotPullRequest(rotation.pull.number);
  const started = await story.startRun('payments/staging');
  const [rotatedRun] = await story.runDispatched();
  show.ok(`run ${started.id} of payments/staging: ${rotatedRun!.result.conclusion === 'success' ? show.good('success') : show.bad(rotatedRun!.result.conclusion)}; the runner proved with its OIDC token which run it is and got the key, masked in its log`);
  show.write('8-run-payments-staging.log', rotatedRun!.result.log);

  show.step('end', 'What GitHub received, and where the planted secret went');
  const foreignToken = await story.presentForeignToken();
  show.ok(`a stranger presents an OIDC-shaped token to the system API: ${foreignToken}`);
  show.write('github-requests.txt', github.requests.map((r) => `${r.method} ${r.path}`).join('\n') + '\n');
  show.write('app.log', story.serverLog);
  const leaks = story.leaks(outputs);
  if (leaks.length > 0) throw new Error(`a secret or credential leaked: ${leaks.join(', ')}`);
  show.ok(`${github.requests.length} requests, ${github.comments.length} comments, ${github.checks.length} checks, the app's log (at trace), the runner logs and every file above: the secret is in none, nor the API token, the OIDC-shaped token, the webhook secret, the installation token, the console's OAuth client secret or the private key`);

  return {
    opened: { number: opened.number, head: opened.head, validate: opened.validate, comment: opened.comment },
    fixed: { head: fixed.head, comment: fixed.comment, checks: fixed.checks, commentIdBefore, botComments },
    approvals,
    merged: {
      merge: merged.merge,
      dispatches: merged.dispatches.map((d) => ({ workflow: d.workflow, ref: d.ref, inputs: d.inputs })),
      template: template.spec,
      runs: runs.map((r) => ({ title: r.result.title, conclusion: r.result.conclusion, artifacts: r.result.artifacts, log: r.result.log, results: r.written['envsync-results.json'] })),
      deployments: deployments.map((d) => ({ environment: d.environment, ref: d.ref, statuses: d.statuses.map((s) => ({ state: s.state, ...(s.log_url ? { log_url: s.log_url } : {}) })) })),
      webRoot: github.webRoot,
      summary: summary && { issue: summary.issue, body: summary.body },
    },
    changed: { status: changed.status, pull: changed.pull, diff: changed.diff, botCommit },
    botMerged: { applied: botMerged.applied, countsBefore, countsAfter, writes },
    redelivered: { deliveries, statuses: redelivered.statuses, requests: redelivered.requests.length },
    rotated: {
      status: rotation.status,
      pull: { title: rotation.pull.title, author: rotation.pull.author },
      // The removed line holds the old key, which Git held (the planted secret): the record says so instead of holding it.
      changedLines: changedLines.map((l) => (l.includes(story.options.canary) ? `${l.slice(0, l.indexOf(story.options.canary))}(the planted secret)` : l)),
      applied: rotationMerged.applied,
      run: started,
      conclusion: rotatedRun!.result.conclusion,
      toolGotValue: story.toolCalls().includes(rotatedValue),
      logMasked: rotatedRun!.result.log.includes('***'),
    },
    foreignToken,
    requests: github.requests.length,
    leaks,
    serverLogHasFailedJob: story.serverLog.includes('envsync job failed'),
  };
}
