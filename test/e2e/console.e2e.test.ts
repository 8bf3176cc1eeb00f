// The console in a browser: Debian's Chromium, driven by Playwright, against the real app server
// process and the fake GitHub (its OAuth web flow, its git repositories, its Actions runner). People
// sign in with GitHub; what they may do follows their permission on the config repository. Each
// step waits for what the page or GitHub shows, never for a time. Screenshots of the pages go to
// ENVSYNC_SCREENSHOTS (docs/console takes them for the guide).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_BOT } from '../../demo/fake-github.js';
import { Story } from '../../demo/story.js';
import { launchBrowser } from '../helpers/browser.js';

const CANARY = `CANARY-console-${Math.random().toString(36).slice(2, 10)}`;
let work: string;
let story: Story;
let browser: Browser;
let shots: string;
/** Every page the browser was shown: the canary search reads them all. */
const seen: string[] = [];
/** What axe-core (the accessibility checker) found wrong on each page shown, by WCAG 2.1 A and AA. */
const violations: string[] = [];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'envsync-console-'));
  shots = process.env.ENVSYNC_SCREENSHOTS ? resolve(process.env.ENVSYNC_SCREENSHOTS) : join(work, 'screenshots');
  mkdirSync(shots, { recursive: true });
  story = new Story({ work, canary: CANARY, logLevel: 'debug' });
  [browser] = await Promise.all([launchBrowser(), story.start()]);
  await story.firstPush();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await story?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Keeps the page for the canary search, and checks it for accessibility. */
async function remember(page: Page): Promise<void> {
  seen.push(await page.content());
  await page.addScriptTag({ content: AXE });
  const found = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)) as string[];
  violations.push(...found.map((v) => `${new URL(page.url()).pathname}: ${v}`));
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/**
 * A browser of its own for `login` (a laptop's screen), signed in through the fake GitHub's
 * authorization page; with `keyboard`, by keys alone. The accessibility checker is injected into
 * pages, which the console's own policy would refuse: the test's context does not apply it.
 */
async function signIn(login: string, how: 'mouse' | 'keyboard' = 'mouse'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(story.consoleUrl);
  await remember(page);
  if (how === 'keyboard') {
    // Skip link, the brand, then the sign-in link: Enter follows it.
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Sign in with GitHub');
    await page.keyboard.press('Enter');
    await page.getByLabel('Username').waitFor();
    // GitHub's page puts the focus in its username field.
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('login');
    await page.keyboard.type(login);
    await page.keyboard.press('Enter');
  } else {
    await page.getByRole('link', { name: 'Sign in with GitHub' }).click();
    await page.getByLabel('Username').fill(login);
    await page.getByRole('button', { name: 'Authorize envsync' }).click();
  }
  await page.getByText(`Signed in as ${login}`).waitFor();
  return page;
}

const fieldErrors = (page: Page) =>
  page.locator('.field.has-error').evaluateAll((fields) => fields.map((f) => [f.querySelector('label')!.textContent, [...f.querySelectorAll('ul.error li')].map((li) => li.textContent)]));

let alice: Page;
let botPull = 0;

describe('the console in a browser', () => {
  it('signs a user in with GitHub and shows the environments of the repositories they may read', async () => {
    alice = await signIn('alice');
    expect(new URL(alice.url()).pathname).toBe('/console');
    await expect(alice.locator('main h2').allTextContents()).resolves.toEqual(['payments from acme/config', 'platform from acme/config']);
    await expect(alice.locator('section[aria-labelledby=project-payments] tbody th').allTextContents()).resolves.toEqual(['dev', 'staging']);
    await remember(alice);
    await shoot(alice, 'environments');
  });

  it('shows a required value missing and JSON that does not parse on their fields, and sends nothing', async () => {
    const requests = story.github.requests.length;
    await alice.locator('section[aria-labelledby=project-payments]').getByRole('link', { name: 'Launch an environment' }).click();
    await alice.getByRole('link', { name: 'web-stack v1' }).click();
    await alice.getByLabel('Name').fill('qa');
    await alice.getByLabel('tags').fill('{"cost-center": payments');
    await alice.getByRole('button', { name: 'Launch' }).click();
    await alice.locator('.field.has-error').first().waitFor();
    const errors = await fieldErrors(alice);
    expect(errors.map(([label]) => label)).toEqual(['owner_team', 'tags']);
    expect(errors[1]![1]![0]).toMatch(/^variable "tags" has valueType json but its value does not parse: /);
    await expect(alice.getByLabel('tags').getAttribute('aria-invalid')).resolves.toBe('true');
    // Keyboard and screen reader users start at the summary of the problems, each a link to its field.
    await expect(alice.evaluate('document.activeElement.className')).resolves.toBe('error-summary');
    await expect(alice.locator('.error-summary a').allTextContents()).resolves.toEqual(['owner_team', 'tags']);
    await remember(alice);
    await shoot(alice, 'launch-problems');
    // The answer was the decision: nothing stored, so nothing for the app to take to GitHub.
    await story.settled();
    expect(story.github.requests.slice(requests)).toEqual([]);
    expect((await story.api('GET', '/resources/Environment/payments/qa')).status).toBe(404);
  });

  it('launches an environment from the template: the bot pull request holds exactly the new file and is linked from the page', async () => {
    await alice.getByLabel('owner_team').fill('qa-team');
    await alice.getByLabel('tags').fill('');
    await alice.getByLabel('replicas').selectOption('4');
    await alice.getByRole('button', { name: 'Launch' }).click();
    await alice.waitForURL(`${story.consoleUrl}/projects/payments/environments/qa`);
    await expect(alice.locator('.notice').textContent()).resolves.toContain('Launched payments/qa');
    const link = alice.getByRole('link', { name: /^bot pull request #\d+$/ });
    await link.waitFor({ timeout: 30_000 });
    botPull = Number(/#(\d+)$/.exec((await link.textContent())!)![1]);
    expect(await link.getAttribute('href')).toBe(`${story.github.webRoot}/acme/config/pull/${botPull}`);
    const pull = story.github.pulls.find((p) => p.number === botPull)!;
    expect(pull.author).toBe(FAKE_BOT.name);
    expect(story.github.diff(botPull).replace(/^index 0000000\.\.[0-9a-f]{7}$/m, 'index 0000000..(blob)')).toBe(
      [
        'diff --git a/projects/payments/environments/qa.yaml b/projects/payments/environments/qa.yaml',
        'new file mode 100644',
        'index 0000000..(blob)',
        '--- /dev/null',
        '+++ b/projects/payments/environments/qa.yaml',
        '@@ -0,0 +1,14 @@',
        '+apiVersion: eaas.envmgmt.io/v1',
        '+kind: Environment',
        '+metadata:',
        '+  name: qa',
        '+  project: payments',
        '+spec:',
        '+  template:',
        '+    name: web-stack',
        '+    version: v1',
        '+  variables:',
        '+  - name: replicas',
        '+    value: "4"',
        '+  - name: owner_team',
        '+    value: qa-team',
        '',
      ].join('\n'),
    );
    await expect(alice.getByRole('button', { name: 'Run' }).count()).resolves.toBe(0);
    await remember(alice);
    await shoot(alice, 'environment-launched');
    // Until its pull request is merged, the launch is a spec changed outside Git: to adopt or to revert.
    await alice.getByRole('link', { name: 'Sync events' }).click();
    await expect(alice.locator('#drift-heading + p + table tbody th').allTextContents()).resolves.toEqual(['Environment payments/qa']);
    await expect(alice.locator('td.row-actions button').allTextContents()).resolves.toEqual(['Adopt into Git', 'Revert to Git']);
    await remember(alice);
    await shoot(alice, 'drift');
  });

  it('shows a reader no button that changes anything, and refuses a change they forge', async () => {
    const bob = await signIn('bob');
    await bob.goto(`${story.consoleUrl}/projects/payments/environments/dev`);
    await expect(bob.locator('main form, main a.button').count()).resolves.toBe(0);
    await expect(bob.locator('main h1').textContent()).resolves.toBe('payments/dev');
    await remember(bob);
    const before = await story.api('GET', '/resources/Environment/payments/dev');
    // Bob's own session and form token, sent as a form would be: his permission is what refuses it.
    const csrf = await bob.locator('header form.user input[name=_csrf]').getAttribute('value');
    const forged = await bob.request.post(`${story.consoleUrl}/projects/payments/environments/dev`, { form: { _csrf: csrf!, 'var.replicas': '4', 'var.owner_team': 'bob' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await forged.text()).toContain('you may read project payments but not change it');
    // Alice's session, from a page of another site: refused by the form token and the origin.
    const elsewhere = await alice.request.post(`${story.consoleUrl}/projects/payments/environments/dev`, { form: { 'var.replicas': '4' }, headers: { origin: 'http://evil.example' }, maxRedirects: 0 });
    expect(elsewhere.status()).toBe(403);
    const after = await story.api('GET', '/resources/Environment/payments/dev');
    expect(after.data).toEqual(before.data);
    await bob.context().close();
  });

  it('follows a run on its page to success: started by one user, approved by another, carried out by the runner', async () => {
    // The launch comes to Git when its pull request is merged: the environment is then run from there.
    await story.mergeBotPullRequest(botPull);
    await alice.goto(`${story.consoleUrl}/projects/payments/environments/qa`);
    await expect(alice.locator('dl.facts .badge').textContent()).resolves.toBe('in Git');
    await alice.getByRole('button', { name: 'Run' }).click();
    await alice.waitForURL(/\/console\/runs\/manual-/);
    await alice.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await expect(alice.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    await remember(alice);
    await shoot(alice, 'run-waiting');

    const carol = await signIn('carol', 'keyboard');
    await carol.goto(alice.url());
    const dispatched = story.github.dispatches.length;
    await carol.getByRole('button', { name: 'Approve' }).click();
    await carol.locator('.notice', { hasText: 'Approved.' }).waitFor();
    await story.until('the run dispatched', () => story.github.dispatches.length > dispatched);
    const [run] = await story.runDispatched();
    expect(run!.result.conclusion).toBe('success');

    // Alice's page, never reloaded, follows the run to its end.
    await alice.locator('#run-state[data-finished=yes]').waitFor({ timeout: 30_000 });
    await expect(alice.locator('#run-state dl.facts .badge').first().textContent()).resolves.toBe('success');
    const statuses = await alice.locator('svg.graph g.node').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('class')!.split(' ')[1]));
    expect(statuses.length).toBeGreaterThan(3);
    // Every activity succeeded but the hooks that run only on a failure, skipped.
    expect(new Set(statuses)).toEqual(new Set(['status-success', 'status-skipped']));
    expect(statuses.filter((s) => s === 'status-success').length).toBeGreaterThan(3);
    await remember(alice);
    await shoot(alice, 'run-succeeded');
    await carol.context().close();
  });

  it('shows the audit trail with who changed what through which path', async () => {
    await alice.getByRole('link', { name: 'Sync events' }).click();
    const rows = await alice.locator('section[aria-labelledby=events-heading] tbody tr').evaluateAll((trs) => trs.slice(0, 2).map((tr) => [...tr.querySelectorAll('td')].slice(1, 4).map((td) => td.textContent)));
    // The launch, through the console; the merge of its pull request only restamped it (no event).
    expect(rows[0]).toEqual(['Internal', 'alice', 'create Environment payments/qa']);
    // Before it, the operator's `envsync system apply`, by hand.
    expect(rows[1]![0]).toBe('Manual');
    await remember(alice);
    await shoot(alice, 'sync-events');
  });

  it('shows pages that meet WCAG 2.1 AA as axe-core checks them (labels, contrast, names, structure)', () => {
    expect(seen.length).toBeGreaterThan(8);
    expect(violations).toEqual([]);
  });

  it('lets no secret out: not in a page, the app log, nor a runner log', async () => {
    expect(seen.filter((page) => page.includes(CANARY))).toEqual([]);
    expect(story.leaks()).toEqual([]);
  });
});
