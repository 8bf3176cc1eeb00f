// `.github/envsync.yml`: how a config repository works with envsync. Read from the default branch
// (for a pull request, its base: a pull request cannot change its own rules).
import { Type, type Static } from '@sinclair/typebox';
import { Closed, Enum } from '../specs/schema/common.js';
import { KINDS } from '../specs/kinds.js';
import { PACKAGE_SPEC } from '../runner/contract.js';

/** A folder inside the repository: relative, and never climbing out with `..`. */
const RELATIVE_FOLDER = '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\]*$';

const KindList = (description: string) => Type.Array(Enum(KINDS.map((k) => k.kind)), { description });

/** Settings a project may override. */
const SyncSettings = {
  direction: Type.Optional(
    Enum(['both', 'git-to-system', 'system-to-git'], 'Which way specs flow: both (default), only from Git, or only to Git.'),
  ),
  delivery: Type.Optional(Enum(['pull-request', 'commit'], 'How system changes reach Git: a bot pull request (default) or a direct commit.')),
  secrets: Type.Optional(Enum(['seal', 'keep'], 'A secret changed in the system: written as a sealed:// reference (default), or left as Git has it.')),
  include: Type.Optional(KindList('Kinds that sync (all when absent).')),
  exclude: Type.Optional(KindList('Kinds that never sync.')),
};

export const RepositoryConfigSchema = Closed(
  {
    root: Type.Optional(Type.String({ pattern: RELATIVE_FOLDER, description: 'Folder that holds projects/ (default: the repository root), inside the repository.' })),
    projects: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z0-9*?][a-z0-9*?-]*$', description: 'a project name, or a glob (* any characters, ? one)' }), {
        minItems: 1,
        description: 'The projects this repository owns (default: every project, ["*"]). A push applies only these; no two followed repositories may claim one project.',
      }),
    ),
    deletion: Type.Optional(
      Closed({
        maxShare: Type.Optional(
          Type.Number({ minimum: 0, maximum: 1, description: 'A revision deleting more than this share of a project\'s specs needs the deletion gate (deleting all of them always does).' }),
        ),
      }),
    ),
    branch: Type.Optional(Type.String({ description: 'The sync branch: what merges there is applied to the system (default: the default branch).' })),
    sync: Type.Optional(
      Closed({
        ...SyncSettings,
        destination: Type.Optional(
          Closed(
            {
              repository: Type.Optional(Type.String({ pattern: '^[\\w.-]+/[\\w.-]+$', description: 'owner/name; this repository by default.' })),
              branch: Type.Optional(Type.String()),
              folder: Type.Optional(Type.String({ pattern: RELATIVE_FOLDER, description: 'a folder inside the repository' })),
            },
            { description: 'Where system changes are written (default: this repository, the sync branch, root).' },
          ),
        ),
        projects: Type.Optional(Type.Record(Type.String(), Closed(SyncSettings), { description: 'Settings of one project, over the global ones.' })),
      }),
    ),
    approvals: Type.Optional(
      Closed({
        users: Type.Optional(Type.Array(Type.String(), { description: 'GitHub users whose /approve counts, besides those with write access.' })),
        teams: Type.Optional(Type.Array(Type.String({ pattern: '^[\\w.-]+/[\\w.-]+$' }), { description: 'Teams (org/slug) whose members\' /approve counts.' })),
        allowAuthor: Type.Optional(Type.Boolean({ description: 'Whether the pull request\'s author may approve it (default false).' })),
      }),
    ),
    runs: Type.Optional(
      Closed(
        {
          workflow: Type.Optional(Type.String({ pattern: '^[\\w.-]+\\.ya?ml$', description: 'The runner workflow in .github/workflows/ that runs environments (default envsync-run.yml, as envsync init writes it).' })),
          labels: Type.Optional(
            Type.Record(Type.String(), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }), {
              description: 'Runner labels per agent name: an environment runs on the labels of its first agent listed here.',
            }),
          ),
          defaultLabels: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Runner labels of an environment none of whose agents is listed (default [ubuntu-latest]).' })),
          package: Type.Optional(
            Type.String({
              pattern: PACKAGE_SPEC.source,
              description: 'The npm package and exact version the runner workflow installs, such as @acme/envsync@1.4.2 (default: envsync\'s own, @envsync/cli at the app\'s version). Never a range or a tag.',
            }),
          ),
        },
        { description: 'How environment runs are dispatched to GitHub Actions runners after a merge.' },
      ),
    ),
    sensitive: Type.Optional(
      Closed(
        {
          names: Type.Optional(
            Type.Array(Type.String({ minLength: 1, pattern: '^[^\\s]+$', description: 'a name, or a glob (* any characters, ? one), matched whole and ignoring case' }), {
              description: 'Names of variables, env vars and headers whose values are secrets, besides those envsync recognizes itself (password, token, key, secret, ...): their values are masked in plans and comments.',
            }),
          ),
        },
        { description: 'What else counts as a secret in this repository.' },
      ),
    ),
    rollout: Type.Optional(
      Closed(
        {
          waves: Type.Optional(
            Type.Array(
              Closed(
                {
                  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'The wave\'s name: its gate is wave/NAME.' }),
                  projects: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Projects (names or globs) whose environments the wave takes.' })),
                  environments: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'PROJECT/ENVIRONMENT names or globs (* any characters, ? one) the wave takes.' })),
                  labels: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Labels (metadata.labels) every environment of the wave carries.' })),
                  share: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'The percentage of the environments matched (and not taken by an earlier wave) that the wave takes, by name.' })),
                  gate: Type.Optional(Type.Boolean({ description: 'Whether the wave waits for /approve wave/NAME on the merged pull request (default false).' })),
                },
                { description: 'One wave: the environments its selectors match (all of those given), not taken by an earlier wave.' },
              ),
              { description: 'A merge that runs environments of several waves runs them wave after wave: the next when every run of the previous one succeeded (and its gate, if any, is approved). Environments no wave takes run last.' },
            ),
          ),
        },
        { description: 'How a change that runs many environments rolls out.' },
      ),
    ),
    drift: Type.Optional(
      Closed({
        mode: Type.Optional(Enum(['git-wins', 'system-wins'], 'When the system and Git differ: re-apply Git, or open a bot pull request (default).')),
      }),
    ),
  },
  { $id: 'envsync-config', title: '.github/envsync.yml' },
);

export type RepositoryConfig = Static<typeof RepositoryConfigSchema>;
