// Run logs in GitHub Actions' workflow commands: one collapsible group per activity, every secret
// registered with `::add-mask::` before anything could print it, and masked here too, so that a
// log read outside Actions holds no secret either.

export class RunLog {
  /**
   * `actions`: running under GitHub Actions, which consumes `::add-mask::` lines. Elsewhere such a
   * line would itself print the secret, so it is not written; redaction still applies.
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly actions = process.env.GITHUB_ACTIONS === 'true',
    private readonly secrets: string[] = [],
  ) {}

  /** A log sharing this one's secrets whose lines go to `lines` (one activity's group). */
  collect(lines: string[]): RunLog {
    return new RunLog((line) => lines.push(line), this.actions, this.secrets);
  }

  /**
   * Registers secret values; empty and one-character values are not worth masking (they would blank
   * the log). A value of several lines (a key, a kubeconfig) is masked line by line as well: Actions
   * reads a workflow command up to the end of its line, so the rest would be printed, and a later
   * line of the value printed alone would not match the whole.
   */
  mask(values: Iterable<string>): void {
    for (const value of values) {
      const lines = value.split(/\r?\n/).map((l) => l.trim());
      for (const secret of [value, ...(lines.length > 1 ? lines : [])]) {
        if (secret.length < 2 || this.secrets.includes(secret)) continue;
        this.secrets.push(secret);
        if (this.actions) this.write(`::add-mask::${escapeCommandData(secret)}`);
      }
    }
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }

  /**
   * `value` with each string in it redacted. Not through its JSON text: there a secret holding `"`
   * or `\` is escaped and would no longer match.
   */
  redactAll<T>(value: T): T {
    return mapStrings(value, (s) => this.redact(s));
  }

  line(text: string): void {
    for (const l of this.redact(text).split('\n')) this.write(l);
  }

  group(title: string): void {
    this.write(`::group::${this.redact(title)}`);
  }

  endGroup(): void {
    this.write('::endgroup::');
  }
}

/** A workflow command's data as Actions reads it back: `%`, CR and LF escaped (a value keeps one line, and its own `%0A` stays text). */
export const escapeCommandData = (data: string) => data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** `value` (JSON-shaped) with each string in it, at any depth, replaced by `f` of it. */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => mapStrings(v, f)) as T;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  return value;
}
