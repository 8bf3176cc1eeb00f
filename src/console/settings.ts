// The console's settings, from the server's environment. It needs the GitHub App's OAuth client
// (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, Probot's names for them) to sign users in, and a key
// to sign sessions with.
import { hkdfSync } from 'node:crypto';

export interface ConsoleSettings {
  clientId: string;
  clientSecret: string;
  /** Signs session cookies; the same on every replica. */
  sessionKey: Uint8Array;
  /** Where users reach the server (ENVSYNC_PUBLIC_URL): GitHub sends them back there after sign-in. */
  publicUrl?: string;
}

/** The console is off, and why (its pages say so). */
export interface ConsoleOff {
  off: string;
}

const MIN_SECRET_CHARS = 32;

/**
 * ENVSYNC_CONSOLE_SECRET signs sessions when set. Without it the key is derived from the app's
 * private key, which every replica already holds and nobody else does: a deployment gets sessions
 * that survive restarts and load balancing without a setting more (rotating the app's key signs
 * everyone out, as it should).
 */
export function consoleSettingsFrom(env: NodeJS.ProcessEnv): ConsoleSettings | ConsoleOff {
  const clientId = env.GITHUB_CLIENT_ID;
  const clientSecret = env.GITHUB_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    return { off: 'the console signs users in with the GitHub App\'s OAuth client: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the app\'s settings page on GitHub shows them) and start the server again' };
  }
  const secret = env.ENVSYNC_CONSOLE_SECRET;
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) {
    throw new Error(`ENVSYNC_CONSOLE_SECRET must be at least ${MIN_SECRET_CHARS} characters (openssl rand -base64 32 makes one), not ${secret.length} (docs/guide.md, "The console")`);
  }
  const material = secret ?? env.PRIVATE_KEY;
  if (!material) return { off: 'the console needs a key to sign sessions with: set ENVSYNC_CONSOLE_SECRET (or the app\'s PRIVATE_KEY, which it is derived from otherwise)' };
  const sessionKey = new Uint8Array(hkdfSync('sha256', material, 'envsync', 'envsync console sessions', 32));
  return { clientId, clientSecret, sessionKey, ...(env.ENVSYNC_PUBLIC_URL ? { publicUrl: env.ENVSYNC_PUBLIC_URL.replace(/\/+$/, '') } : {}) };
}
