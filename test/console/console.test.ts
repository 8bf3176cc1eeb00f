// The console's pages and actions over HTTP, on a system holding the example repository: who may see
// and change what (GitHub's permission on the owning repository), CSRF, and each change taking the
// system API's path: validated, stored as exactly the change, nothing stored when a field is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSession, SESSION_COOKIE } from '../../src/console/session.js';
import { dom, texts } from '../helpers/html-dom.js';
import { REVISION, startConsole, type ConsoleFixture } from './console-fixture.js';

let c: ConsoleFixture;

beforeAll(async () => {
  c = await startConsole();
  c.permissions.set('alice', 'write');
  c.permissions.set('carol', 'admin');
  c.permissions.set('bob', 'read');
});
afterAll(async () => {
  expect(c.errors).toEqual([]);
  await c.close();
});

const environment = (name: string) => c.service.find({ kind: 'Environment', project: 'payments', name });

describe('signing in', () => {
  it('shows a signed-out visitor the way to sign in with GitHub, coming back to the page asked for', async () => {
    const page = await c.get('/console/runs');
    expect(page.status).toBe(200);
    expect(dom(page.text).querySelector('main a.button')?.getAttribute('href')).toBe('/console/sign-in?back=%2Fconsole%2Fruns');
  });

  it('sends the visitor to GitHub with the app\'s client id, a state and the callback, the state kept in a signed cookie', async () => {
    const answer = await c.get('/console/sign-in?back=%2Fconsole%2Fruns');
    expect(answer.status).toBe(303);
    const location = new URL(answer.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('http://github.invalid/login/oauth/authorize');
    expect(location.searchParams.get('client_id')).toBe('Iv1.test');
    expect(location.searchParams.get('redirect_uri')).toBe(`${c.base}/console/sign-in/callback`);
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    expect(answer.headers.get('set-cookie')).toMatch(/^envsync_sign_in=[\w.-]+; Path=\/console; HttpOnly; SameSite=Lax; Max-Age=600$/);
  });

  it('names its cookies __Host- over HTTPS, for this host only, and takes no cookie without the prefix there', async () => {
    const answer = await fetch(`${c.base}/console/sign-in`, { redirect: 'manual', headers: { 'x-forwarded-proto': 'https' } });
    expect(answer.headers.get('set-cookie')).toMatch(/^__Host-envsync_sign_in=[\w.-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/);
    const { cookie } = await c.session('alice');
    const plain = await fetch(`${c.base}/console`, { headers: { cookie, 'x-forwarded-proto': 'https' } });
    expect(dom(await plain.text()).querySelector('header .user')).toBeNull();
    const prefixed = await fetch(`${c.base}/console`, { headers: { cookie: `__Host-${cookie}`, 'x-forwarded-proto': 'https' } });
    expect(texts(dom(await prefixed.text()), 'header .user strong')).toEqual(['alice']);
  });

  it('refuses a callback whose state this server did not hand out', async () => {
    const answer = await c.get('/console/sign-in/callback?code=abc&state=made-up');
    expect(answer.status).toBe(400);
    expect(texts(dom(answer.text), '[role=alert]')).toEqual(['This sign-in was not started here, or took more than 10 minutes, or was answered twice.']);
  });

  it('takes no session signed with another key for one', async () => {
    const forged = await sealSession({ login: 'carol', id: 1, csrf: 'x' }, new Uint8Array(32).fill(1));
    const page = await fetch(`${c.base}/console`, { headers: { cookie: `${SESSION_COOKIE}=${forged}` } });
    expect(dom(await page.text()).querySelector('header .user')).toBeNull();
  });
});

describe('what a user may see and change follows their permission on the owning repository', () => {
  it('shows a writer every environment with its template, last run and Git state, and the launch buttons', async () => {
    const doc = dom((await c.get('/console', 'alice')).text);
    expect(texts(doc, 'main h2')).toEqual(['payments from acme/config', 'platform from acme/config']);
    expect(texts(doc, 'section[aria-labelledby=project-payments] tbody tr')).toEqual(['dev web-stack v1 never run in Git —', 'staging web-stack v1 never run in Git —']);
    expect(texts(doc, 'main a.button')).toEqual(['Launch an environment', 'Launch an environment']);
  });

  it('shows a reader the same environments without a button that changes anything', async () => {
    const overview = dom((await c.get('/console', 'bob')).text);
    expect(texts(overview, 'section[aria-labelledby=project-payments] tbody th')).toEqual(['dev', 'staging']);
    expect(overview.querySelectorAll('main a.button, main form')).toHaveLength(0);
    const page = dom((await c.get('/console/projects/payments/environments/dev', 'bob')).text);
    expect(page.querySelectorAll('main form, main a.button')).toHaveLength(0);
  });

  it('shows someone without access no project, and answers their request for one as not found', async () => {
    const doc = dom((await c.get('/console', 'mallory')).text);
    expect(doc.querySelectorAll('main section')).toHaveLength(0);
    expect((await c.get('/console/projects/payments/environments/dev', 'mallory')).status).toBe(404);
  });

  it('refuses a change a reader forges, with a valid form token: nothing is stored', async () => {
    const answer = await c.post('/console/projects/payments/environments/dev', 'bob', { 'var.replicas': '4', 'var.owner_team': 'bob' });
    expect(answer.status).toBe(403);
    expect(texts(dom(answer.text), '[role=alert]')).toEqual(['you may read project payments but not change it: ask for write access to acme/config on GitHub']);
    expect((await environment('dev'))!.spec).toMatchObject({ spec: { variables: [{ name: 'owner_team', value: 'payments-dev' }, { name: 'replicas', value: '1' }] } });
  });

  it('refuses a writer\'s change without the session\'s form token, or sent from another site', async () => {
    const without = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '4' }, { csrf: 'guessed' });
    expect(without.status).toBe(403);
    expect(texts(dom(without.text), '[role=alert]')).toEqual(["Refused: a change without this session's form token (reload the page and try again). Nothing was changed."]);
    const elsewhere = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '4' }, { origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect(texts(dom(elsewhere.text), '[role=alert]')).toEqual(['Refused: a change sent from https://evil.example, not from this console. Nothing was changed.']);
    const signedOut = await c.post('/console/projects/payments/environments/dev', undefined, { 'var.replicas': '4' });
    expect(signedOut.status).toBe(401);
    expect((await environment('dev'))!.generation).toBe(1);
  });
});

describe('repository settings, for admins', () => {
  it('shows an admin what envsync learnt of each repository they administer, and its latest pushes', async () => {
    await c.store.recordPush({ repo: 'acme/config', sha: 'c'.repeat(40), outcome: 'stale', detail: 'older than the applied revision' });
    const doc = dom((await c.get('/console/repositories', 'carol')).text);
    expect(texts(doc, 'main h2')).toEqual(['acme/config']);
    expect(texts(doc, 'dl.facts dd').slice(0, 4)).toEqual(['*', 'main', REVISION.slice(0, 12), 'envsync-run.yml on main, labels ubuntu-latest']);
    expect([...doc.querySelectorAll('tbody tr')].map((row) => texts(row, 'td').slice(1))).toEqual([['cccccccccccc', 'stale', 'older than the applied revision']]);
  });

  it('shows them to no one who only writes or reads', async () => {
    for (const login of ['alice', 'bob', 'mallory']) expect(dom((await c.get('/console/repositories', login)).text).querySelectorAll('main h2')).toHaveLength(0);
  });
});

describe('launching an environment from a template', () => {
  it('offers the templates the project may use', async () => {
    const doc = dom((await c.get('/console/projects/payments/launch', 'alice')).text);
    expect(texts(doc, 'ul.choices li')).toEqual(['web-stack v1 — Network, database and service of one payments environment']);
  });

  it('makes a form of the template\'s variables: types, allowed values, required, defaults, override rules, secrets', async () => {
    const doc = dom((await c.get('/console/projects/payments/launch?template=web-stack@v1', 'alice')).text);
    const fields = [...doc.querySelectorAll('fieldset .field')].map((f) => {
      const control = f.querySelector('input, select, textarea')!;
      return {
        label: f.querySelector('label')!.textContent,
        control: control.tagName.toLowerCase() + (control.getAttribute('type') ? `:${control.getAttribute('type')}` : ''),
        disabled: control.hasAttribute('disabled'),
        required: control.hasAttribute('required'),
        options: [...control.querySelectorAll('option')].map((o) => o.getAttribute('value')),
        help: f.querySelector('.help')!.textContent,
      };
    });
    expect(fields).toEqual([
      { label: 'replicas', control: 'select', disabled: false, required: false, options: ['', '1', '2', '4'], help: "one of 1, 2, 4 · empty: the template's value, 2" },
      { label: 'owner_team', control: 'input:text', disabled: false, required: true, options: [], help: 'Team that owns the environment · required' },
      { label: 'database_subnet', control: 'input:text', disabled: true, required: false, options: [], help: 'expression · set by the template; environments may not change it' },
      { label: 'tags', control: 'textarea', disabled: false, required: false, options: [], help: 'json · empty: the template\'s value, {"cost-center": "payments"}' },
      { label: 'aws_secret_access_key', control: 'input:text', disabled: true, required: false, options: [], help: 'set by the template; environments may not change it · secret: never shown again' },
    ]);
  });

  it('shows each problem on its field and stores nothing: a value not allowed, JSON that does not parse, a required one missing', async () => {
    const before = (await c.store.listSyncEvents()).length;
    const answer = await c.post('/console/projects/payments/launch', 'alice', { template: 'web-stack@v1', name: 'qa', 'var.replicas': '3', 'var.owner_team': '', 'var.tags': '{not json' });
    expect(answer.status).toBe(422);
    const doc = dom(answer.text);
    const problems = Object.fromEntries([...doc.querySelectorAll('.field.has-error')].map((f) => [f.querySelector('label')!.textContent, texts(f, 'ul.error li')]));
    expect(Object.keys(problems)).toEqual(['replicas', 'owner_team', 'tags']);
    expect(problems.replicas).toEqual(['variable "replicas" is "3", but EnvironmentTemplate "web-stack" restricts it to: "1", "2", "4": did you mean "1"? (override-restricted)']);
    expect(problems.owner_team).toEqual(['required: give it a value (required-missing)']);
    expect(problems.tags![0]).toMatch(/^variable "tags" has valueType json but its value does not parse: .* \(invalid-json\)$/);
    expect([...doc.querySelectorAll('.error-summary a')].map((a) => a.getAttribute('href'))).toEqual(['#var-replicas', '#var-owner_team', '#var-tags']);
    expect(doc.querySelector('#var-replicas')!.getAttribute('aria-invalid')).toBe('true');
    expect(doc.querySelector('#var-replicas')!.getAttribute('aria-describedby')).toBe('var-replicas-help var-replicas-error');
    // What was typed is kept.
    expect(doc.querySelector('#env-name')!.value).toBe('qa');
    expect(doc.querySelector('#var-tags')!.value).toBe('{not json');
    expect(await environment('qa')).toBeUndefined();
    expect((await c.store.listSyncEvents()).length).toBe(before);
  });

  it('refuses a name that is no name, or taken, on the name field', async () => {
    const bad = dom((await c.post('/console/projects/payments/launch', 'alice', { template: 'web-stack@v1', name: 'QA env', 'var.owner_team': 'qa' })).text);
    expect(texts(bad, '#env-name-error li')).toEqual(['a name of lowercase letters, digits and dashes, starting and ending with a letter or digit']);
    const taken = dom((await c.post('/console/projects/payments/launch', 'alice', { template: 'web-stack@v1', name: 'dev', 'var.owner_team': 'qa' })).text);
    expect(texts(taken, '#env-name-error li')).toEqual(['payments/dev exists already: change it on its own page, or choose another name']);
  });

  it('stores the new environment with the values that differ from the template\'s, in the actor\'s name, and asks nothing more of GitHub', async () => {
    const answer = await c.post('/console/projects/payments/launch', 'alice', { template: 'web-stack@v1', name: 'qa', description: 'For <QA>', 'var.replicas': '', 'var.owner_team': 'qa-team', 'var.tags': '' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/console/projects/payments/environments/qa');
    expect((await environment('qa'))!.spec).toEqual({
      apiVersion: 'eaas.envmgmt.io/v1',
      kind: 'Environment',
      metadata: { name: 'qa', project: 'payments', description: 'For <QA>' },
      spec: { template: { name: 'web-stack', version: 'v1' }, variables: [{ name: 'owner_team', value: 'qa-team' }] },
    });
    expect((await c.store.listSyncEvents({ newest: true, limit: 1 }))[0]).toMatchObject({ trigger: 'internal', actor: 'alice', operation: 'create', kind: 'Environment', name: 'qa' });
    // The page it lands on says what happened, once, and marks the environment as not in Git yet.
    const page = await fetch(`${c.base}/console/projects/payments/environments/qa`, { headers: { cookie: `${(await c.session('alice')).cookie}; envsync_notice=${/envsync_notice=([^;]+)/.exec(answer.headers.get('set-cookie')!)![1]}` } });
    const doc = dom(await page.text());
    expect(texts(doc, '.notice')).toEqual(["Launched payments/qa: envsync brings it to Git (the bot's pull request, or a commit where the repository asks for commits); run it here once it is there."]);
    expect(texts(doc, 'dl.facts dd')).toContain('For <QA>');
    expect(doc.querySelector('a[data-bot-pull-request]')!.getAttribute('href')).toBe('/console/projects/payments/bot-pull-request');
    expect([...c.port.calls, ...c.port.reads.filter((r) => !r.startsWith('permissionOf'))]).toEqual([]);
  });
});

describe('changing and destroying an environment', () => {
  it('changes only the entry whose value changed, keeping every other line of the spec', async () => {
    const before = (await environment('dev'))!;
    const answer = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '2', 'var.owner_team': 'payments-dev', 'var.tags': '' });
    expect(answer.status).toBe(303);
    const after = (await environment('dev'))!;
    const expected = structuredClone(before.spec) as { spec: { variables: { name: string; value: string }[] } };
    expected.spec.variables.find((v) => v.name === 'replicas')!.value = '2';
    expect(after.spec).toEqual(expected);
    expect(after.origin).toBe('system');
  });

  it('saves nothing when nothing changed', async () => {
    const generation = (await environment('dev'))!.generation;
    const answer = await c.post('/console/projects/payments/environments/dev', 'alice', { 'var.replicas': '2', 'var.owner_team': 'payments-dev', 'var.tags': '' });
    expect(answer.status).toBe(303);
    expect((await environment('dev'))!.generation).toBe(generation);
  });

  it('deletes an environment nothing runs for only when its name is typed to confirm', async () => {
    const confirm = dom((await c.get('/console/projects/payments/environments/qa/destroy', 'alice')).text);
    expect(texts(confirm, 'label')).toEqual(["Type the environment's name, qa, to confirm"]);
    expect(texts(confirm, 'main form button')).toEqual(['Delete qa']);
    const wrong = await c.post('/console/projects/payments/environments/qa/destroy', 'alice', { step: 'delete', confirm: 'dev' });
    expect(wrong.status).toBe(400);
    expect(await environment('qa')).toBeDefined();
    const done = await c.post('/console/projects/payments/environments/qa/destroy', 'alice', { step: 'delete', confirm: 'qa' });
    expect(done.status).toBe(303);
    expect(await environment('qa')).toBeUndefined();
  });
});

describe('runs', () => {
  it('starts a manual run that someone other than its starter approves on its page', async () => {
    // The environment must be as Git holds it to be run: staging is.
    const started = await c.post('/console/projects/payments/environments/staging/runs', 'alice', { action: 'deploy' });
    expect(started.status).toBe(303);
    const href = started.headers.get('location')!;
    expect(href).toMatch(/^\/console\/runs\/manual-[0-9a-f-]{36}$/);

    const own = dom((await c.get(href, 'alice')).text);
    expect(texts(own, '#approval-heading')).toEqual(['Waiting for approval']);
    expect(own.querySelector('#run-state form')).toBeNull();
    expect(texts(own, '.approval p')).toEqual(['You started this run: someone else with write access approves it.']);
    expect(own.querySelectorAll('svg.graph g.node').length).toBeGreaterThan(3);
    expect([...own.querySelectorAll('svg.graph g.node')].every((n) => n.getAttribute('class')!.includes('status-waiting'))).toBe(true);

    const reader = dom((await c.get(href, 'bob')).text);
    expect(reader.querySelector('#run-state form')).toBeNull();

    const approver = dom((await c.get(href, 'carol')).text);
    expect(texts(approver, '#run-state form button')).toEqual(['Approve']);
    expect((await c.post(`${href}/approvals`, 'carol', {})).status).toBe(303);
    const id = decodeURIComponent(href.split('/').pop()!);
    const approvals = await c.store.listApprovals('acme/config', 0);
    expect(approvals.map((a) => [a.user, a.gate])).toContainEqual(['carol', 'hook/onInit/change-approval']);
    expect((await c.get('/console/runs', 'bob')).text).toContain(id);
    expect((await c.get('/console/runs', 'mallory')).text).not.toContain(id);
  });

  it('starts no destroy run from the Run button: destroying takes the typed confirmation of its page', async () => {
    const runs = (await c.store.listRuns({ project: 'payments', environment: 'staging' })).length;
    const answer = await c.post('/console/projects/payments/environments/staging/runs', 'alice', { action: 'destroy' });
    expect(answer.status).toBe(400);
    expect(texts(dom(answer.text), '[role=alert]')).toEqual(['the Run button deploys; destroy an environment from its Destroy page']);
    expect((await c.store.listRuns({ project: 'payments', environment: 'staging' })).length).toBe(runs);
  });

  it('answers the part of a run\'s page that changes, for the page to follow it', async () => {
    const [run] = await c.store.listRuns({ limit: 1 });
    const part = await c.get(`/console/runs/${run!.id}?part=state`, 'bob');
    expect(part.status).toBe(200);
    expect(part.text.startsWith('<div id="run-state" data-finished="no">')).toBe(true);
  });
});

describe('destroying an environment that runs', () => {
  it('starts a destroy run first, and deletes the spec only once a destroy run has succeeded', async () => {
    const [deployed] = await c.store.listRuns({ project: 'payments', environment: 'staging', limit: 1 });
    await c.store.updateRun(deployed!.id, { status: 'success', finishedAt: new Date().toISOString() });
    const first = dom((await c.get('/console/projects/payments/environments/staging/destroy', 'alice')).text);
    expect(texts(first, 'main form button')).toEqual(['Start the destroy run of staging']);
    // A page made before the deploy ran cannot delete what now runs.
    expect((await c.post('/console/projects/payments/environments/staging/destroy', 'alice', { step: 'delete', confirm: 'staging' })).status).toBe(409);
    expect(await environment('staging')).toBeDefined();

    const started = await c.post('/console/projects/payments/environments/staging/destroy', 'alice', { step: 'run', confirm: 'staging' });
    expect(started.status).toBe(303);
    const [destroyRun] = await c.store.listRuns({ project: 'payments', environment: 'staging', limit: 1 });
    expect(started.headers.get('location')).toBe(`/console/runs/${encodeURIComponent(destroyRun!.id)}`);
    expect(destroyRun).toMatchObject({ action: 'destroy', trigger: 'manual', actor: 'alice', status: 'waiting' });
    expect(await environment('staging')).toBeDefined();

    await c.store.updateRun(destroyRun!.id, { status: 'success', finishedAt: new Date().toISOString() });
    const second = dom((await c.get('/console/projects/payments/environments/staging/destroy', 'alice')).text);
    expect(texts(second, 'main form button')).toEqual(['Delete staging']);
    expect((await c.post('/console/projects/payments/environments/staging/destroy', 'alice', { step: 'delete', confirm: 'staging' })).status).toBe(303);
    expect(await environment('staging')).toBeUndefined();
  });
});

describe('sync events and drift', () => {
  it('lists the audit trail and, per spec changed outside Git, adopt and revert for writers only', async () => {
    const doc = dom((await c.get('/console/events', 'alice')).text);
    expect(texts(doc, '#drift-heading + p + table tbody th')).toEqual(['Environment payments/dev']);
    expect(texts(doc, 'td.row-actions button')).toEqual(['Adopt into Git', 'Revert to Git']);
    const rows = [...doc.querySelectorAll('section[aria-labelledby=events-heading] tbody tr')].map((row) => texts(row, 'td').slice(1));
    expect(rows.slice(0, 3)).toEqual([
      ['Internal', 'alice', 'delete Environment payments/staging', '—'],
      ['Internal', 'alice', 'delete Environment payments/qa', '—'],
      ['Internal', 'alice', 'update Environment payments/dev changed: replicas', '—'],
    ]);
    expect(rows.at(-1)).toEqual(['Manual', 'test', 'create Cluster payments/edge-mks', 'aaaaaaaaaaaa']);
    const reader = dom((await c.get('/console/events', 'bob')).text);
    expect(reader.querySelectorAll('td.row-actions button')).toHaveLength(0);
  });

  it('adopts a spec by asking for the bot pull request now', async () => {
    const answer = await c.post('/console/drift/adopt', 'alice', { kind: 'Environment', project: 'payments', name: 'dev' });
    expect(answer.status).toBe(303);
    expect(c.syncs).toEqual([{ repo: 'acme/config', actor: 'alice' }]);
    expect((await c.post('/console/drift/adopt', 'bob', { kind: 'Environment', project: 'payments', name: 'dev' })).status).toBe(403);
  });

  it('reverts a spec to the revision Git holds: the system holds Git\'s version again, from Git, and the bot pull request is asked to drop it', async () => {
    const answer = await c.post('/console/drift/revert', 'alice', { kind: 'Environment', project: 'payments', name: 'dev' });
    expect(answer.status).toBe(303);
    const dev = (await environment('dev'))!;
    expect(dev.origin).toBe('git');
    expect(dev.revision).toBe(REVISION);
    expect(dev.spec).toMatchObject({ spec: { variables: [{ name: 'owner_team', value: 'payments-dev' }, { name: 'replicas', value: '1' }] } });
    expect(c.syncs.at(-1)).toEqual({ repo: 'acme/config', actor: 'alice' });
    expect((await c.store.listSyncEvents({ newest: true, limit: 1 }))[0]).toMatchObject({ trigger: 'manual', actor: 'alice', operation: 'update', name: 'dev', revision: REVISION });
    const doc = dom((await c.get('/console/events', 'alice')).text);
    expect(texts(doc, '#drift-heading + p')).toEqual(['Every spec you may see is as Git holds it.']);
  });

  it('reverts a spec Git does not hold by deleting it', async () => {
    await c.post('/console/projects/payments/launch', 'alice', { template: 'web-stack@v1', name: 'scratch', 'var.owner_team': 'x' });
    expect(await environment('scratch')).toBeDefined();
    expect((await c.post('/console/drift/revert', 'alice', { kind: 'Environment', project: 'payments', name: 'scratch' })).status).toBe(303);
    expect(await environment('scratch')).toBeUndefined();
  });
});

describe('the bot pull request of a project', () => {
  const ask = (format = '') => c.get(`/console/projects/payments/bot-pull-request${format}`, 'bob');

  it('says there is none open yet, and which, once GitHub has one: open, merged (history), closed without merging (delivery stopped)', async () => {
    expect(JSON.parse((await ask('?format=json')).text)).toEqual({ state: 'none', delivery: 'pull-request' });
    expect(texts(dom((await ask()).text), 'main p')).toEqual(['The bot has no pull request open for acme/config: changes are gathered a moment before they go to Git, or they are there already. Try again in a few seconds.']);

    c.port.commit({ branch: 'envsync/system-sync/main', parents: [REVISION], files: { 'projects/payments/environments/qa.yaml': 'kind: Environment\n' } });
    const number = c.port.openPullRequest({ head: 'envsync/system-sync/main', base: 'main' });
    expect(JSON.parse((await ask('?format=json')).text)).toEqual({ state: 'open', number, url: c.port.webUrl(`/acme/config/pull/${number}`) });
    const redirect = await ask();
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe(c.port.webUrl(`/acme/config/pull/${number}`));

    // Merged, it is history: the next change opens another.
    c.port.mergePullRequest(number);
    expect(JSON.parse((await ask('?format=json')).text)).toEqual({ state: 'none', delivery: 'pull-request' });

    c.port.commit({ branch: 'envsync/system-sync/main', files: { 'projects/payments/environments/qb.yaml': 'kind: Environment\n' } });
    const closed = c.port.openPullRequest({ head: 'envsync/system-sync/main', base: 'main' });
    c.port.pullRequests.find((p) => p.number === closed)!.state = 'closed';
    expect(JSON.parse((await ask('?format=json')).text)).toMatchObject({ state: 'blocked', number: closed, branch: 'envsync/system-sync/main' });
    expect(texts(dom((await ask()).text), 'main p')[0]).toMatch(/^The bot's pull request #\d+ was closed without merging, so envsync does not bring changes to Git for acme\/config any more: delete its branch envsync\/system-sync\/main on GitHub/);
  });

  it('is nothing to someone who may not see the project', async () => {
    expect((await c.get('/console/projects/payments/bot-pull-request?format=json', 'mallory')).status).toBe(404);
  });
});

describe('what a run recorded, read with care', () => {
  it('shows a run whose recorded activities are malformed: what can be read of them, and no server error', async () => {
    const activities = [{ id: 'a', type: 'stage', status: 'success', dependsOn: 'b', startedAt: 'soon', attempts: 2 }, null, { type: 'no id' }, { id: 'b', dependsOn: [1, 'a'], logTail: ['line', 7] }];
    await c.store.createRun({ id: 'odd-run', project: 'payments', environment: 'dev', action: 'deploy', revision: REVISION, status: 'failure', activities, outputs: {} });
    const page = await c.get('/console/runs/odd-run', 'bob');
    expect(page.status).toBe(200);
    const doc = dom(page.text);
    expect([...doc.querySelectorAll('#run-state tbody tr')].map((row) => texts(row, 'th, td').slice(0, 4))).toEqual([
      ['a', 'stage', 'success 2 attempts', '—'],
      ['b', 'activity', 'not run', '—'],
    ]);
    expect(texts(doc, '#run-state tbody details pre')).toEqual(['line']);
  });
});

describe('templates a project launches from', () => {
  it('offers a template shared with the project only where its own of that name does not hide it', async () => {
    const shared = (version: string) => ({
      apiVersion: 'eaas.envmgmt.io/v1',
      kind: 'EnvironmentTemplate',
      metadata: { name: 'web-stack', project: 'platform' },
      spec: { version, resources: [], sharing: { enabled: true, projects: [{ name: 'payments' }] } },
    });
    // platform shares web-stack v9 and v1 with payments; payments has its own web-stack v1, which hides platform's.
    for (const version of ['v9', 'v1']) await c.service.put(shared(version), { trigger: 'internal', actor: 'test' });
    const doc = dom((await c.get('/console/projects/payments/launch', 'alice')).text);
    expect(texts(doc, 'ul.choices li a')).toEqual(['web-stack v1']);
  });
});

