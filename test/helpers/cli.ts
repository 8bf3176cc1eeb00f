// The CLI run in this process, as a command line would run it in `cwd`: its exit code and what it printed.
import { main } from '../../src/cli/main.js';

export interface RunCliOptions {
  /**
   * Environment variables the command sees, as a child's `env: { ...process.env, ...env }` would: set
   * on process.env for the call (undefined removes one) and restored after it, whatever it did.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

export async function runCli(cwd: string, argv: readonly string[], options: RunCliOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const saved = Object.entries(options.env ?? {}).map(([name, value]) => {
    const before = Object.prototype.hasOwnProperty.call(process.env, name) ? process.env[name] : undefined;
    setEnv(name, value);
    return [name, before] as const;
  });
  try {
    const code = await main(argv, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    for (const [name, before] of saved.reverse()) setEnv(name, before);
  }
}

function setEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
