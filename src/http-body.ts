// Reading a request's body without letting a client make the server hold more than it means to:
// shared by the system API, the runners' secrets path and the console's forms.
import type { IncomingMessage } from 'node:http';

/** A request's body, or undefined as soon as it passes `max` bytes (the rest is not read). */
export async function readCapped(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
