// What a command may touch, passed in so that tests can run commands in-process.
export interface CommandIO {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A mistake in how the command was called: exit code 2 with the message and a pointer to --help. */
export class UsageError extends Error {}
