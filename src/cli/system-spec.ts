// The usage of `envsync system`, `export` and `reconcile`: what their --help prints and what they
// parse. Apart from their code (system.ts), which loads the store: asking for help loads none of it.
import type { CommandGroup, CommandSpec, OptionSpecs } from './io.js';

export const STORE_OPTION = {
  store: { type: 'string', value: 'URL', help: "the system's store: sqlite:PATH or postgres://USER@HOST/DB", defaultText: '$DATABASE_URL, else sqlite:./data/envsync.sqlite' },
} as const satisfies OptionSpecs;

/**
 * The options of every `envsync system` command but token (whose --project differs): one parser for
 * them all, and each command's spec picks those it takes, so its usage lists them and the parse
 * refuses the others.
 */
export const SYSTEM_OPTIONS = {
  ...STORE_OPTION,
  project: { type: 'string', value: 'P', help: 'only those of this project' },
  kind: { type: 'string', value: 'K', help: 'only specs of this kind (Environment, Resource, ...)' },
  template: { type: 'string', value: 'NAME@VERSION', help: 'the environment template and version to launch from (required)' },
  var: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'a variable of the environment' },
  action: { type: 'string', default: 'deploy', value: 'deploy|destroy', help: 'deploy the environment, or destroy it' },
  gate: { type: 'string', value: 'GATE', help: 'only this approval gate', defaultText: 'every gate of the run' },
  ref: { type: 'string', value: 'REF', help: 'apply this revision of the checkout', defaultText: 'the working tree' },
  port: { type: 'string', default: '3000', value: 'N', help: 'the port to listen on' },
  tokens: { type: 'string', value: 'FILE', help: 'the API tokens file: a JSON list of {name, sha256, projects}', defaultText: '$ENVSYNC_API_TOKENS_FILE' },
  format: { type: 'string', default: 'text', value: 'text|json', help: 'how to print' },
  'allow-deletion': { type: 'boolean', default: false, help: "apply a revision that deletes all of a project's specs" },
  'if-match': { type: 'string', value: 'ETAG', help: 'change the spec only if it is still at this etag (as get prints it)', defaultText: "put: the file's etag line; delete: the etag it reads" },
} as const satisfies OptionSpecs;

const pick = <K extends keyof typeof SYSTEM_OPTIONS>(...keys: K[]) => Object.fromEntries(keys.map((k) => [k, SYSTEM_OPTIONS[k]])) as Pick<typeof SYSTEM_OPTIONS, K>;

export const TOKEN_COMMAND = {
  name: 'system token',
  args: 'NAME',
  summary: 'make an API token and its configuration entry',
  about: `Make a token for the API client NAME, scoped to projects, and print it once with the entry to add to
the tokens file (which holds only its SHA-256). Needs no store.`,
  options: {
    project: { type: 'string', multiple: true, value: 'PROJECT=read|write', help: 'what the token may do in a project (* for every project)' },
  },
} as const satisfies CommandSpec;

export const SYSTEM_GROUP: CommandGroup = {
  name: 'system',
  title: 'envsync system: read and change the system (the store), as the API does',
  summary: 'read and change the system (the store), as the API does',
  footer: 'Every command but token takes --store URL (default: $DATABASE_URL, else sqlite:./data/envsync.sqlite).',
  commands: [
    { name: 'system list', summary: 'the specs the system holds', about: 'List the specs the system holds, each with its origin (git or system), revision and time of change.', options: pick('store', 'project', 'kind', 'format') },
    { name: 'system get', args: 'KIND/PROJECT/NAME[@VERSION]', summary: 'one spec, secrets masked', about: 'Print one spec as YAML, its secrets masked, headed by its etag (the version read). Name a Project as\nProject/NAME.', options: pick('store') },
    { name: 'system put', args: 'FILE', summary: 'store a spec changed outside Git (validated)', about: 'Store the spec in the YAML file FILE, as a change made outside Git. It is validated with the rules of\n`envsync validate`, against everything the system holds: nothing invalid is stored. A secret left\nmasked as get prints it, (sensitive), keeps the value the system holds. A file get printed carries its\netag: the put is refused if the spec changed since, instead of overwriting that change.', options: pick('store', 'if-match') },
    { name: 'system delete', args: 'KIND/PROJECT/NAME[@VERSION]', summary: 'delete a spec nothing else uses', about: 'Delete one spec from the system; refused while other specs use it, and if it changes between\nreading it and deleting it.', options: pick('store', 'if-match') },
    { name: 'system launch', args: 'PROJECT/NAME', summary: 'create an environment from a template', about: 'Create environment NAME in project PROJECT from an environment template (validated, like put).', options: pick('store', 'template', 'var') },
    { name: 'system run', args: 'PROJECT/NAME', summary: 'start a run of an environment', about: 'Start a run of environment NAME of project PROJECT at the revision its config repository applied,\nand print its id and status. The app dispatches it as it does a merge\'s runs, one run of an environment\nat a time; approval gates hold it until someone else approves it (envsync system approve). Refused\nwhile the environment reads specs changed outside Git. The actor recorded is $ENVSYNC_ACTOR, else $USER.', options: pick('store', 'action') },
    { name: 'system approve', args: 'RUN', summary: "approve a manual run's gates", about: 'Approve the approval gates of manual run RUN (all of them, or the one --gate names) as $ENVSYNC_ACTOR,\nelse $USER: someone other than who started it. A merge\'s runs are approved on their pull request.', options: pick('store', 'gate') },
    { name: 'system runs', args: '[PROJECT[/NAME]]', summary: 'runs, newest first, with how they started', about: 'List the runs of every environment (or of one project or environment), newest first: id, status,\nenvironment and action, trigger and actor, revision, and why a run waits, was not run or was superseded.', options: pick('store', 'format') },
    { name: 'system events', summary: 'who changed what, through which path', about: 'List the sync events: who changed which spec, when, through which path (webhook, internal, manual).', options: pick('store', 'project') },
    { name: 'system apply', args: '[DIR]', summary: 'Git to system: apply a checkout or a revision', about: "Apply the config repository checked out in DIR (default: the current folder) to the system, as a merge\ndoes. A revision that deletes all of a project's specs is refused unless --allow-deletion.", options: pick('store', 'ref', 'allow-deletion') },
    { name: 'system follow', args: 'OWNER/NAME', summary: "act on this config repository's events", about: "Follow the config repository OWNER/NAME: the app acts on its pushes, pull requests and commands from\nnow (and ignores every repository not followed).", options: pick('store') },
    { name: 'system unfollow', args: 'OWNER/NAME', summary: 'stop acting on its events (its specs stay)', about: 'Stop following the config repository OWNER/NAME: its events are ignored from now; the specs it\napplied stay in the system.', options: pick('store') },
    { name: 'system repositories', summary: 'the followed repositories and what they applied', about: 'List the followed config repositories, the projects each owns and the revision each applied.', options: pick('store', 'format') },
    TOKEN_COMMAND,
    { name: 'system serve', summary: 'run the REST API alone (/api/v1)', about: 'Serve the system API under /api/v1 until stopped (Ctrl-C), with bearer tokens from the tokens file.', options: pick('store', 'port', 'tokens') },
  ],
};

export const EXPORT_COMMAND = {
  name: 'export',
  args: '[DIR]',
  summary: "write the system's specs into a checkout, or deliver them on GitHub",
  about: `Write the system's specs into the config repository checked out in DIR (default: the current folder):
files edited in place (comments and formatting kept), new specs at their layout path, deleted ones
removed; secrets never in clear. With --github, the same change is delivered on GitHub instead
(GITHUB_TOKEN): a bot pull request, or direct commits, as the repository's .github/envsync.yml says.`,
  options: {
    ...STORE_OPTION,
    root: { type: 'string', value: 'PATH', help: 'where projects/ lives in DIR', defaultText: "root in .github/envsync.yml, else DIR" },
    secrets: { type: 'string', value: 'seal|keep', help: 'write changed secrets as sealed:// references, or leave them as Git has them', defaultText: "each project's sync.secrets" },
    include: { type: 'string', value: 'KINDS', help: 'only these kinds, comma-separated' },
    exclude: { type: 'string', value: 'KINDS', help: 'not these kinds, comma-separated' },
    github: { type: 'string', value: 'OWNER/REPO', help: 'deliver on this GitHub repository instead of writing DIR' },
    branch: { type: 'string', value: 'BRANCH', help: 'with --github: the base branch', defaultText: 'main' },
  },
} as const satisfies CommandSpec;


export const RECONCILE_COMMAND = {
  name: 'reconcile',
  args: '[DIR]',
  summary: 'list where the system and Git differ; --mode settles it',
  about: `Compare the system with the config repository checked out in DIR (default: the current folder) and
list the specs that differ. Nothing changes unless --mode says which side wins: git-wins applies Git
to the system (recorded as a manual sync; a checkout that deletes all of a project's specs is refused
unless --allow-deletion, as a merge is), system-wins writes the system into the checkout, for you
to commit. (The app's scheduled drift check settles drift as drift.mode in .github/envsync.yml says.)`,
  options: {
    ...STORE_OPTION,
    mode: { type: 'string', value: 'git-wins|system-wins', help: 'settle the drift: which side wins', defaultText: 'none, only list' },
    ref: { type: 'string', value: 'REF', help: 'compare (and with git-wins, apply) this revision', defaultText: 'the working tree' },
    'allow-deletion': { type: 'boolean', default: false, help: "with git-wins, apply a checkout that deletes all of a project's specs" },
  },
} as const satisfies CommandSpec;
