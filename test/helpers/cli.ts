// The CLI run in this process, as a command line would run it in `cwd`: its exit code and what it printed.
import { main } from '../../src/cli/main.js';

export async function runCli(cwd: string, argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}
