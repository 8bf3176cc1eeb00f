// `successCondition`, written in CUE by the specs:
//
//   if #status.http.statusCode == 200 { success: true }
//   if #status.http.statusCode != 200 { failed: true, reason: "url not reachable" }
//
// envsync evaluates the part of CUE these conditions use, without a CUE runtime (none is packaged
// for Node): `if` guards over `#status` references, literals, comparisons, `&&`, `||`, `!` and
// parentheses, and fields `success`, `failed` and `reason` with literal values. As in CUE, a field
// set twice to different values is a conflict (an error); unlike in CUE, a reference to a field that
// `#status` lacks is false in a guard rather than incomplete, so that one condition can serve both
// HTTP and container activities. Anything else is an error that names what is not supported.

export interface ConditionResult {
  success?: boolean;
  failed?: boolean;
  reason?: string;
}

export class ConditionError extends Error {}

type Token = { kind: 'ident' | 'ref' | 'number' | 'string' | 'op' | 'punct' | 'keyword'; text: string; value?: unknown; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s+|\/\/[^\n]*|(#[A-Za-z_]\w*)|([A-Za-z_]\w*)|(-?\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|(==|!=|<=|>=|&&|\|\||[<>!])|([{}():,.[\]])/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < source.length) {
    const at = re.lastIndex;
    m = re.exec(source);
    if (!m) throw new ConditionError(`unsupported syntax at offset ${at}: "${source.slice(at, at + 12)}"`);
    if (m[1]) tokens.push({ kind: 'ref', text: m[1], at });
    else if (m[2]) tokens.push({ kind: ['if', 'true', 'false', 'null'].includes(m[2]) ? 'keyword' : 'ident', text: m[2], at });
    else if (m[3]) tokens.push({ kind: 'number', text: m[3], value: Number(m[3]), at });
    else if (m[4]) tokens.push({ kind: 'string', text: m[4], value: JSON.parse(m[4]) as string, at });
    else if (m[5]) tokens.push({ kind: 'op', text: m[5], at });
    else if (m[6]) tokens.push({ kind: 'punct', text: m[6], at });
  }
  return tokens;
}

const MISSING = Symbol('missing');

export function evaluateCondition(source: string, status: Record<string, unknown>): ConditionResult {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    const t = peek();
    throw new ConditionError(t ? `${what} at offset ${t.at} ("${t.text}")` : `${what} at the end of the condition`);
  };
  const expect = (text: string) => (peek()?.text === text ? tokens[i++]! : fail(`expected "${text}"`));

  const result: ConditionResult = {};
  /** Reads a field name, failing at it when it is not one of ours. */
  const fieldName = (): string => {
    const name = peek();
    if (!name || name.kind !== 'ident') return fail('expected a field (success, failed or reason)');
    if (!['success', 'failed', 'reason'].includes(name.text)) fail(`unsupported field "${name.text}" (use success, failed or reason)`);
    i++;
    return name.text;
  };
  const setField = (name: string, value: unknown) => {
    if (name === 'reason' ? typeof value !== 'string' : typeof value !== 'boolean') fail(`${name} takes a ${name === 'reason' ? 'string' : 'boolean'}`);
    const key = name as keyof ConditionResult;
    if (result[key] !== undefined && result[key] !== value) throw new ConditionError(`conflicting values for ${name}: ${JSON.stringify(result[key])} and ${JSON.stringify(value)}`);
    (result as Record<string, unknown>)[key] = value;
  };

  const reference = (): unknown => {
    const root = tokens[i++]!;
    if (root.text !== '#status') fail('unsupported reference (only #status)');
    let value: unknown = status;
    for (;;) {
      const t = peek();
      if (t?.text === '.') {
        i++;
        const name = tokens[i++];
        if (!name || name.kind !== 'ident') fail('expected a field name after "."');
        value = typeof value === 'object' && value !== null && name!.text in value ? (value as Record<string, unknown>)[name!.text] : MISSING;
      } else if (t?.text === '[') {
        i++;
        const key = tokens[i++];
        if (!key || key.kind !== 'string') fail('expected a quoted field name in [ ]');
        expect(']');
        value = typeof value === 'object' && value !== null && String(key!.value) in value ? (value as Record<string, unknown>)[String(key!.value)] : MISSING;
      } else return value;
    }
  };

  const primary = (): unknown => {
    const t = peek();
    if (!t) return fail('expected a value');
    if (t.kind === 'ref') return reference();
    i++;
    if (t.kind === 'number' || t.kind === 'string') return t.value;
    if (t.text === 'true') return true;
    if (t.text === 'false') return false;
    if (t.text === 'null') return null;
    if (t.text === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.text === '!') return !truthy(primary());
    i--;
    return fail('unsupported expression');
  };
  const truthy = (v: unknown) => v === true;
  const comparison = (): unknown => {
    const left = primary();
    const op = peek();
    if (op?.kind !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(op.text)) return left;
    i++;
    const right = primary();
    if (left === MISSING || right === MISSING) return false; // a field #status lacks: the guard does not hold
    switch (op.text) {
      case '==':
        return left === right;
      case '!=':
        return left !== right;
      default: {
        if (typeof left !== 'number' || typeof right !== 'number') return fail(`${op.text} compares numbers`);
        return op.text === '<' ? left < right : op.text === '<=' ? left <= right : op.text === '>' ? left > right : left >= right;
      }
    }
  };
  const and = (): unknown => {
    let v = comparison();
    while (peek()?.text === '&&') {
      i++;
      const r = comparison();
      v = truthy(v) && truthy(r);
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (peek()?.text === '||') {
      i++;
      const r = and();
      v = truthy(v) || truthy(r);
    }
    return v;
  };
  const fields = (apply: boolean): void => {
    while (peek() && peek()!.text !== '}') {
      const name = fieldName();
      expect(':');
      const value = primary();
      if (apply) setField(name, value);
      if (peek()?.text === ',') i++;
    }
  };

  while (peek()) {
    if (peek()!.text === 'if') {
      i++;
      const holds = truthy(or());
      expect('{');
      fields(holds);
      expect('}');
    } else {
      const name = fieldName();
      expect(':');
      setField(name, primary());
    }
  }
  return result;
}

/** Whether an attempt succeeded: the condition's verdict, else the activity's own (2xx, exit code 0). */
export function judge(condition: string | undefined, status: Record<string, unknown>, byDefault: boolean): { ok: boolean; reason?: string } {
  if (!condition) return { ok: byDefault };
  const r = evaluateCondition(condition, status);
  if (r.failed) return { ok: false, reason: r.reason ?? 'the success condition says failed' };
  if (r.success) return { ok: true };
  return { ok: false, reason: r.reason ?? 'the success condition did not hold' };
}
