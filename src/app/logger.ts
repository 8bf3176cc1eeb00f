// The server's logger: Probot's (pino, through Probot's own output stream: JSON or pretty), with
// credentials redacted by pino itself, whatever the level and whoever logs: our code, Probot's, or
// Octokit's. Redaction by paths rather than scrubbing text after the fact: a value is replaced
// before it is ever serialised, so no format or encoding lets it through.
import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { getTransformStream } from '@probot/pino';

/** Names of headers and fields that hold a credential. */
const CREDENTIAL_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-api-key',
  'token',
  'accessToken',
  'access_token',
  'privateKey',
  'private_key',
  'secret',
  'webhookSecret',
  'password',
  'clientSecret',
  'client_secret',
];

/**
 * Where those fields are redacted: at the top of a line's fields and up to three levels down (a
 * request's headers, an error's request options' headers). pino's paths name levels one by one.
 */
export const REDACTED_PATHS: string[] = CREDENTIAL_FIELDS.flatMap((field) => ['', '*', '*.*', '*.*.*'].map((levels) => `${levels}["${field}"]`));

export const REDACTED = '[redacted]';

/** A pino logger with the credential paths redacted, writing to `destination`. */
export function redactingLogger(level: string, destination: Writable | NodeJS.WritableStream, messageKey = 'msg'): Logger {
  return pino({ level, name: 'probot', messageKey, redact: { paths: REDACTED_PATHS, censor: REDACTED } }, destination);
}

/** The logger `envsync serve` gives Probot: Probot's format (LOG_FORMAT), and redaction. */
export async function serverLogger(env: NodeJS.ProcessEnv): Promise<Logger> {
  const transform = await getTransformStream({
    logFormat: env.LOG_FORMAT === 'json' ? 'json' : 'pretty',
    logLevelInString: env.LOG_LEVEL_IN_STRING === 'true',
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
  });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return redactingLogger(env.LOG_LEVEL || 'info', transform, env.LOG_MESSAGE_KEY || 'msg');
}
