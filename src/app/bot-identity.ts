// The app's own account, as GitHub writes it on the commits the app makes without naming an author:
// `SLUG[bot]`, with the account's id in its noreply address. The bot recognises its own commits on
// its branch by it. Looked up once per process (the slug needs the app's JWT, the account's id is
// public) and looked up again only after a failure.
import type { Probot } from 'probot';
import { noreplyAuthor, type OctokitLike } from '../github/octokit-port.js';
import type { CommitAuthor } from '../github/port.js';

export function botIdentity(app: Probot): (installation: number) => Promise<CommitAuthor> {
  let identity: Promise<CommitAuthor> | undefined;
  const lookUp = async (installation: number) => {
    const asApp = (await app.auth()) as unknown as OctokitLike;
    const { slug } = (await asApp.request('GET /app')).data as { slug: string };
    const login = `${slug}[bot]`;
    const asInstallation = (await app.auth(installation)) as unknown as OctokitLike;
    const { id } = (await asInstallation.request('GET /users/{username}', { username: login })).data as { id: number };
    return noreplyAuthor(login, id);
  };
  return (installation) =>
    (identity ??= lookUp(installation).catch((e: unknown) => {
      identity = undefined;
      throw e;
    }));
}
