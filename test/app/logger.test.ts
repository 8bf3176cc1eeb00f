// The server's logger redacts credentials itself, at every level: headers of a request, tokens and
// keys in a line's fields, a level or three down, whoever logs them.
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { REDACTED, redactingLogger } from '../../src/app/logger.js';

const SECRET = 'canary-credential-5521';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: redactingLogger('trace', stream) };
}

it('redacts credential headers and fields at every level, and leaves the rest', () => {
  const { lines, logger } = capture();
  logger.trace({ req: { headers: { authorization: `Bearer ${SECRET}`, cookie: SECRET, 'x-hub-signature-256': `sha256=${SECRET}`, accept: 'application/json' } } }, 'a request');
  logger.debug({ token: SECRET, expires_at: '2099-01-01' }, 'an installation token');
  logger.info({ err: { request: { headers: { authorization: `token ${SECRET}` } } } }, 'a failed request');
  logger.error({ options: { privateKey: SECRET, secret: SECRET, appId: 1 } }, 'settings');
  const text = lines.join('');
  expect(text).not.toContain(SECRET);
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(parsed[0]!.req.headers).toEqual({ authorization: REDACTED, cookie: REDACTED, 'x-hub-signature-256': REDACTED, accept: 'application/json' });
  expect(parsed[1]).toMatchObject({ token: REDACTED, expires_at: '2099-01-01' });
  expect(parsed[2]!.err.request.headers.authorization).toBe(REDACTED);
  expect(parsed[3]!.options).toEqual({ privateKey: REDACTED, secret: REDACTED, appId: 1 });
});
