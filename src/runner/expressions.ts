// Resolving `$(...)$` expressions in values at run time, from the run's context and the outputs of
// resources that ran before (the grammar is the one validation checks: engine/expressions.ts).
import { parseExpressions } from '../engine/expressions.js';

export interface ExpressionContext {
  environment: { name: string; project: string };
  /** Outputs by resource: `tofu output -json` shape, `{ key: { value } }`. */
  outputs: ReadonlyMap<string, Record<string, unknown>>;
}

export class ExpressionError extends Error {}

function valueOf(ref: ReturnType<typeof parseExpressions>['references'][number], context: ExpressionContext): unknown {
  if (ref.kind === 'environment') {
    const field = ref.field.join('.');
    if (field === 'name' || field === 'project') return context.environment[field];
    throw new ExpressionError(`environment.${field} is not known: use environment.name or environment.project`);
  }
  let value: unknown = context.outputs.get(ref.resource);
  if (value === undefined) throw new ExpressionError(`resource "${ref.resource}" has no outputs yet: it must run before whatever reads them (dependsOn)`);
  for (const key of ref.output) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    if (value === undefined) throw new ExpressionError(`resource "${ref.resource}" has no output ${ref.output.join('.')}`);
  }
  return value;
}

/** `text` with every `$(...)$` replaced by its value (JSON for structured values). */
export function resolveExpressions(text: string, context: ExpressionContext): string {
  return text.replace(/\$\((.*?)\)\$/g, (whole) => {
    const parsed = parseExpressions(whole);
    if (parsed.problems.length > 0 || parsed.references.length !== 1) throw new ExpressionError(`${whole} is not a supported expression`);
    const value = valueOf(parsed.references[0]!, context);
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
