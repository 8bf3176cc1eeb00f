// The config repositories the system follows: declared by the operator (`envsync system follow`),
// completed from their events (installation, default branch) and pushes (owned projects, applied revision).
import { sql, type Kysely, type Selectable } from 'kysely';
import { compareText, fromJson, now, optionalNumber } from './rows.js';
import type { ConfigRepositoriesTable, Database } from './schema.js';
import type { ConfigRepository, ConfigRepositoryPatch, RunnerSettings } from './records.js';

/** OWNER/NAME, as GitHub allows them. */
export const REPOSITORY_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function toRepository(row: Selectable<ConfigRepositoriesTable>): ConfigRepository {
  return {
    repo: row.repo,
    installationId: optionalNumber(row.installation_id),
    defaultBranch: row.default_branch,
    projects: fromJson(row.projects) as string[] | null,
    appliedRevision: row.applied_revision,
    runner: fromJson(row.runner) as RunnerSettings | null,
    followedAt: row.followed_at,
  };
}

/** GitHub's names are not case-sensitive: `Acme/Config` and `acme/config` are one repository. */
const sameName = (repo: string) => sql<boolean>`lower(${sql.ref('repo')}) = ${repo.toLowerCase()}`;

export async function followRepository(db: Kysely<Database>, repo: string): Promise<boolean> {
  if (!REPOSITORY_NAME.test(repo)) throw new Error(`"${repo}" is not a repository name: give it as OWNER/NAME`);
  if (await getRepository(db, repo)) return false;
  const inserted = await db
    .insertInto('config_repositories')
    .values({ repo, installation_id: null, default_branch: null, projects: null, applied_revision: null, runner: null, followed_at: now() })
    .onConflict((oc) => oc.column('repo').doNothing())
    .returning('repo')
    .execute();
  return inserted.length === 1;
}

export async function unfollowRepository(db: Kysely<Database>, repo: string): Promise<boolean> {
  const deleted = await db.deleteFrom('config_repositories').where(sameName(repo)).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

export async function listRepositories(db: Kysely<Database>): Promise<ConfigRepository[]> {
  const rows = await db.selectFrom('config_repositories').selectAll().execute();
  return rows.map(toRepository).sort((a, b) => compareText(a.repo.toLowerCase(), b.repo.toLowerCase()));
}

export async function getRepository(db: Kysely<Database>, repo: string): Promise<ConfigRepository | undefined> {
  const row = await db.selectFrom('config_repositories').selectAll().where(sameName(repo)).executeTakeFirst();
  return row && toRepository(row);
}

export async function updateRepository(db: Kysely<Database>, repo: string, patch: ConfigRepositoryPatch): Promise<void> {
  const set = {
    ...(patch.installationId !== undefined ? { installation_id: patch.installationId } : {}),
    ...(patch.defaultBranch !== undefined ? { default_branch: patch.defaultBranch } : {}),
    ...(patch.projects !== undefined ? { projects: patch.projects === null ? null : JSON.stringify(patch.projects) } : {}),
  };
  if (Object.keys(set).length === 0) return;
  await db.updateTable('config_repositories').set(set).where(sameName(repo)).execute();
}

/** Inside the write that applies a revision: the repository's applied revision moves with its specs. */
export async function setAppliedRevision(db: Kysely<Database>, repo: string, revision: string, projects?: string[], runner?: RunnerSettings): Promise<void> {
  await db
    .updateTable('config_repositories')
    .set({ applied_revision: revision, ...(projects ? { projects: JSON.stringify(projects) } : {}), ...(runner ? { runner: JSON.stringify(runner) } : {}) })
    .where(sameName(repo))
    .execute();
}
