// Who is signed in to the console: a signed cookie (a JWT, HS256, made and checked with jose) that
// carries the user's GitHub login and id and their CSRF token, and no GitHub token.
// Any replica checks it with the same key, so sessions survive restarts and load balancing.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

export interface Session {
  login: string;
  /** GitHub's id of the user, as GitHub answered at sign-in (permissions are asked by login). */
  id: number;
  /** Sent back with every change (the form's _csrf field): a page of another site cannot know it. */
  csrf: string;
}

/** What the sign-in keeps between sending the user to GitHub and their coming back. */
export interface SignIn {
  state: string;
  /** The console page to go back to. */
  back: string;
}

export const SESSION_COOKIE = 'envsync_session';
export const SIGN_IN_COOKIE = 'envsync_sign_in';
export const SESSION_HOURS = 8;
const SIGN_IN_MINUTES = 10;

// Distinct audiences: a sign-in cookie is never taken for a session, nor the other way round.
const SESSION_AUDIENCE = 'envsync-console-session';
const SIGN_IN_AUDIENCE = 'envsync-console-sign-in';
const ISSUER = 'envsync';

export const newToken = () => randomBytes(24).toString('base64url');

/** A signed token for `audience`, valid for `expiry` (jose's notation: 8h, 10m). */
function sign(claims: Record<string, unknown>, audience: string, expiry: string, key: Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(audience).setIssuedAt().setExpirationTime(expiry).sign(key);
}

/** A token's claims, or undefined when it is missing, forged, expired or for another audience. */
async function verified(token: string | undefined, audience: string, key: Uint8Array): Promise<Record<string, unknown> | undefined> {
  if (!token) return undefined;
  try {
    return (await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience })).payload;
  } catch {
    return undefined;
  }
}

export const sealSession = (session: Session, key: Uint8Array) => sign({ login: session.login, uid: session.id, csrf: session.csrf }, SESSION_AUDIENCE, `${SESSION_HOURS}h`, key);

export async function openSession(token: string | undefined, key: Uint8Array): Promise<Session | undefined> {
  const claims = await verified(token, SESSION_AUDIENCE, key);
  const { login, uid, csrf } = claims ?? {};
  return typeof login === 'string' && typeof uid === 'number' && typeof csrf === 'string' ? { login, id: uid, csrf } : undefined;
}

export const sealSignIn = (signIn: SignIn, key: Uint8Array) => sign({ state: signIn.state, back: signIn.back }, SIGN_IN_AUDIENCE, `${SIGN_IN_MINUTES}m`, key);

export async function openSignIn(token: string | undefined, key: Uint8Array): Promise<SignIn | undefined> {
  const claims = await verified(token, SIGN_IN_AUDIENCE, key);
  const { state, back } = claims ?? {};
  return typeof state === 'string' && typeof back === 'string' ? { state, back } : undefined;
}

/** Equal strings, compared in constant time (a CSRF token, an OAuth state). */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookiesOf(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    // The first of a name wins, as browsers send the most specific path first.
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}

/**
 * A cookie's name as sent: over HTTPS with the __Host- prefix, which browsers accept only from this
 * very host, secure and for the whole site, so that a sibling subdomain cannot plant one that wins.
 */
export const cookieName = (name: string, secure: boolean) => (secure ? `__Host-${name}` : name);

/**
 * A Set-Cookie value: HttpOnly (no script reads it), SameSite=Lax (sent with top-level navigation,
 * which GitHub's redirect back is, never with another site's form POST), Secure with the __Host-
 * prefix over HTTPS (which needs Path=/), else Path=/console. `maxAge` 0 deletes it.
 */
export function cookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  const { secure } = options;
  return [`${cookieName(name, secure)}=${value}`, secure ? 'Path=/' : 'Path=/console', 'HttpOnly', 'SameSite=Lax', `Max-Age=${options.maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}
