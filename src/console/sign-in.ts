// Sign in with GitHub: the GitHub App's user authorization (OAuth web flow, through
// @octokit/oauth-methods). The user's token is used once, to ask GitHub who they are, and dropped:
// what they may do is asked of GitHub as the app's installation (access.ts), so no user token is kept.
import { Octokit } from '@octokit/core';
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from '@octokit/oauth-methods';
import { newToken, type Session } from './session.js';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** GitHub's REST API root (https://api.github.com, or a GitHub Enterprise Server's /api/v3). */
  apiRoot: string;
}

/** Where GitHub asks the user to authorize the app, and sends them back to `redirectUrl` with `state`. */
export function authorizationUrl(client: OAuthClient, redirectUrl: string, state: string): string {
  const { request } = new Octokit({ baseUrl: client.apiRoot });
  return getWebFlowAuthorizationUrl({ clientType: 'github-app', clientId: client.clientId, redirectUrl, state, request }).url;
}

/** The session of the user GitHub sent back with `code`; throws when GitHub refuses the code. */
export async function signedInUser(client: OAuthClient, code: string, redirectUrl: string): Promise<Session> {
  const { request } = new Octokit({ baseUrl: client.apiRoot });
  const { authentication } = await exchangeWebFlowCode({ clientType: 'github-app', clientId: client.clientId, clientSecret: client.clientSecret, code, redirectUrl, request });
  const user = await new Octokit({ baseUrl: client.apiRoot, auth: authentication.token }).request('GET /user');
  return { login: user.data.login, id: Number(user.data.id), csrf: newToken() };
}

/**
 * A page to go back to after signing in: one of the console's own, never another site, written as
 * a URL spells it (percent-encoded), so that it can be sent in a Location header.
 */
export function safeBack(back: string | null | undefined): string {
  if (!back || !/^\/console(\/|$|\?)/.test(back) || back.includes('\\') || /[\r\n\t]/.test(back)) return '/console';
  const url = new URL(back, 'http://console.invalid');
  return url.origin === 'http://console.invalid' && /^\/console(\/|$)/.test(url.pathname) ? `${url.pathname}${url.search}` : '/console';
}
