// A refusal of the system, for whoever asked: an HTTP status the API answers with, and the findings
// that say where a spec is wrong.
import type { Finding } from '../specs/findings.js';

export class SystemError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 412 | 413 | 422 | 503,
    readonly findings: Finding[] = [],
  ) {
    super(message);
  }
}
