// The documented expression forms inside `$(` and `)$`:
//   environment.name                          a field of the environment being run
//   resource."vpc".output.public_subnets.value  an output of an earlier resource of the run
//   #environment["rds"]["rds_hostname"]        an output addressed by resource and key
// Parsed here once so that validation and (later) evaluation agree on the grammar.

export type ExpressionRef =
  | { kind: 'environment'; field: string[] }
  | { kind: 'resource'; resource: string; output: string[] };

export interface ParsedExpressions {
  references: ExpressionRef[];
  problems: string[];
}

const IDENT = '[A-Za-z_][A-Za-z0-9_-]*';
const ENVIRONMENT = new RegExp(`^environment((?:\\.${IDENT})+)$`);
const RESOURCE = new RegExp(`^resource\\."([^"]+)"\\.output((?:\\.${IDENT})+)$`);
const INDEXED = /^#environment((?:\["[^"\]]+"\])+)$/;

export function parseExpressions(text: string): ParsedExpressions {
  const references: ExpressionRef[] = [];
  const problems: string[] = [];
  let rest = text;
  let found = 0;
  for (;;) {
    const open = rest.indexOf('$(');
    if (open < 0) break;
    const close = rest.indexOf(')$', open + 2);
    if (close < 0) {
      problems.push(`"$(" at offset ${text.length - rest.length + open} is never closed with ")$"`);
      break;
    }
    found++;
    const body = rest.slice(open + 2, close).trim();
    const ref = parseOne(body);
    if (ref) references.push(ref);
    else problems.push(`"$(${body})$" is not a supported expression`);
    rest = rest.slice(close + 2);
  }
  if (found === 0 && problems.length === 0) problems.push('an expression value must contain at least one $(...)$');
  return { references, problems };
}

function parseOne(body: string): ExpressionRef | undefined {
  let m = ENVIRONMENT.exec(body);
  if (m) return { kind: 'environment', field: m[1]!.slice(1).split('.') };
  m = RESOURCE.exec(body);
  if (m) return { kind: 'resource', resource: m[1]!, output: m[2]!.slice(1).split('.') };
  m = INDEXED.exec(body);
  if (m) {
    const keys = [...m[1]!.matchAll(/\["([^"\]]+)"\]/g)].map((k) => k[1]!);
    return { kind: 'resource', resource: keys[0]!, output: keys.slice(1) };
  }
  return undefined;
}
