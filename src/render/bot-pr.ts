// The text of a system-to-Git change, named the same way in the bot pull request's title, its
// commit message (or a direct commit's) and its description: the spec and what happened to it, the
// fields it changed (a secret's value never), who changed it and through what (the system API,
// `envsync system`), or that the scheduled drift check found it. Deterministic: the same plan and
// records give the same bytes.
import type { ExportField, ExportPlan, FileChange } from '../engine/export.js';
import { specKey } from '../engine/plan/changes.js';
import { clip, codeSpan, COMMENT_LIMIT, fieldLabel, fitBlocks, plural, shortRevision, userText } from './fit.js';

export const BOT_PR_MARKER = '<!-- envsync:system-sync -->';
/** GitHub refuses a pull request title longer than this. */
export const TITLE_LIMIT = 256;
/** The lists in a title (fields, specs) stop short of this and count the rest: a title is read in a list. */
const TITLE_TARGET = 100;
/** Rows of a spec's field table; the file's diff has the others. */
const FIELDS_SHOWN = 30;

/** The last change the system recorded of a spec (its sync event). */
export interface ChangeRecord {
  operation: 'create' | 'update' | 'delete';
  /** `internal`: the system API; `manual`: `envsync system`, or a revision applied by hand; `webhook`: a push. */
  trigger: 'webhook' | 'internal' | 'manual';
  actor: string | null;
  /** The Git revision the change came from; null for a change made outside Git. */
  revision: string | null;
}

export interface ChangeContext {
  /** Who changed the system in the window this delivery gathers. */
  actors: string[];
  /** What found the change: the system's report of it (by default) or the scheduled drift check. */
  foundBy?: 'change' | 'drift-check';
  /** The last recorded change of each spec, by specKey. */
  records?: ReadonlyMap<string, ChangeRecord>;
}

type SpecChange = FileChange & { resource: NonNullable<FileChange['resource']> };

const specsOf = (plan: ExportPlan): SpecChange[] => plan.files.filter((f): f is SpecChange => f.resource !== undefined);
const verb = (f: SpecChange) => f.resource.operation.toLowerCase() as 'create' | 'update' | 'delete';
const PAST = { create: 'created', update: 'updated', delete: 'deleted' } as const;
const qualified = (r: SpecChange['resource']) => `${r.project}/${r.name}${r.version !== undefined ? `@${r.version}` : ''}`;
/** Text of a title or a commit's first line: one line, no control characters. */
const oneLine = (s: string) => s.replace(/[\s\p{Cc}]+/gu, ' ').trim();
/** A code span in a table cell: GitHub splits a row at every `|`, inside code spans too, unless escaped. */
const cellCode = (s: string) => codeSpan(s).replace(/\|/g, '\\|');


/** ` (a, b, +2 more)`: as many of `items` as keep `used` characters and the list under the title's target. */
function listed(used: number, items: readonly string[], none: (n: number) => string): string {
  const text = (shown: readonly string[]) => ` (${[...shown, ...(shown.length < items.length ? [`+${items.length - shown.length} more`] : [])].join(', ')})`;
  let shown: string[] = [];
  for (const item of items) {
    if (used + text([...shown, item]).length > TITLE_TARGET) break;
    shown = [...shown, item];
  }
  return items.length === 0 ? '' : shown.length === 0 ? none(items.length) : text(shown);
}

/** `update Environment payments/staging (owner_team)`: the change of one spec, in one line. */
function specLine(f: SpecChange, used = 0): string {
  const line = oneLine(`${verb(f)} ${f.resource.kind} ${qualified(f.resource)}`);
  if (verb(f) !== 'update') return line;
  const labels = [...new Set((f.fields ?? []).map((field) => oneLine(fieldLabel(field.path))))];
  return line + listed(used + line.length, labels, (n) => ` (${plural(n, 'field')})`);
}

/** `update 3 specs in payments (Environment staging, Driver notify, +1 more)`. */
function summaryLine(specs: SpecChange[], used: number): string {
  if (specs.length === 1) return specLine(specs[0]!, used);
  if (specs.length === 0) return 'add project folders';
  const verbs = new Set(specs.map(verb));
  const projects = [...new Set(specs.map((f) => f.resource.project))].sort();
  const line = oneLine(`${verbs.size === 1 ? [...verbs][0] : 'change'} ${specs.length} specs in ${projects.length === 1 ? projects[0] : `${projects.length} projects`}`);
  const names = specs.map((f) => oneLine(`${f.resource.kind} ${projects.length === 1 ? f.resource.name + (f.resource.version !== undefined ? `@${f.resource.version}` : '') : qualified(f.resource)}`));
  return line + listed(used + line.length, names, () => '');
}

const fitTitle = (title: string) => (title.length <= TITLE_LIMIT ? title : `${title.slice(0, TITLE_LIMIT - 1)}…`);

export function pullRequestTitle(plan: ExportPlan): string {
  const prefix = 'envsync: ';
  return fitTitle(prefix + summaryLine(specsOf(plan), prefix.length));
}

/**
 * How the spec came to differ from Git: `updated through the system API by the API token
 * platform-console`. `name` writes a name (a code span in Markdown, as it is in a commit message).
 */
function causeOf(record: ChangeRecord | undefined, name: (s: string) => string): string | undefined {
  if (!record) return undefined;
  const done = PAST[record.operation];
  if (record.revision !== null) return `last ${done} in the system from Git revision ${name(shortRevision(record.revision))}${record.trigger === 'manual' && record.actor ? `, applied by ${name(record.actor)}` : ''}`;
  if (record.trigger === 'internal') return `${done} through the system API${record.actor ? ` by the API token ${name(record.actor)}` : ''}`;
  return `${done} with ${name('envsync system')}${record.actor ? ` by ${name(record.actor)}` : ''}`;
}

const recordOf = (f: SpecChange, context: ChangeContext | undefined) => context?.records?.get(specKey(f.resource));
const DRIFT_FOUND = 'Found by the scheduled drift check (envsync drift check)';

/**
 * The title's line, then (for several specs) one line per spec with how it changed, then the cause:
 * a direct commit names its change as the pull request does.
 */
export function commitMessage(plan: ExportPlan, context?: ChangeContext): string {
  const specs = specsOf(plan);
  const plain = (s: string) => oneLine(s);
  const lines =
    specs.length === 1
      ? [causeOf(recordOf(specs[0]!, context), plain)].filter((l) => l !== undefined).map((l) => `${l[0]!.toUpperCase()}${l.slice(1)}.`)
      : specs.map((f) => {
          const cause = causeOf(recordOf(f, context), plain);
          return `- ${specLine(f)}${cause ? `: ${cause}` : ''}`;
        });
  if (context?.foundBy === 'drift-check') lines.push(`${DRIFT_FOUND}.`);
  return [pullRequestTitle(plan), ...(lines.length ? ['', ...lines] : [])].join('\n');
}

/** The identity of a spec created or deleted is its heading: its table starts at the spec's content. */
const IDENTITY_FIELDS = new Set(['apiVersion', 'kind', 'metadata.name', 'metadata.project']);

function valueCell(field: ExportField, side: 'before' | 'after'): string {
  if (field.sensitive) {
    const held = field.secret?.[side];
    return held === 'sealed' ? (side === 'after' ? '(sensitive, sealed)' : 'a `sealed://` reference') : held === 'value' ? '(sensitive)' : '—';
  }
  return side in field ? cellCode(clip(JSON.stringify(field[side]) ?? 'null')) : '—';
}

/** `spec.variables[name=x].name`: an entry's name, which its other fields' paths say already. */
const entryName = (path: string) => /^(.*\[(name|key|mountPath)=.*\])\.\2$/.exec(path)?.[1];

function fieldTable(f: SpecChange): string {
  const op = verb(f);
  const all = f.fields ?? [];
  // The differ lists an entry's fields together: its name is left out when a neighbour names the entry.
  const fields = all.filter((field, i) => {
    const entry = entryName(field.path);
    return (op === 'update' || !IDENTITY_FIELDS.has(field.path)) && !(entry && [all[i - 1], all[i + 1]].some((other) => other?.path.startsWith(`${entry}.`)));
  });
  if (fields.length === 0) return op === 'update' ? '\nNo field differs: only the file\'s text changes.\n' : '';
  const rows = fields.slice(0, FIELDS_SHOWN).map((field) => {
    const path = cellCode(clip(field.path));
    if (op === 'update') return `| ${path} | ${valueCell(field, 'before')}<br>→ ${valueCell(field, 'after')} |`;
    return `| ${path} | ${valueCell(field, op === 'create' ? 'after' : 'before')} |`;
  });
  const more = fields.length - rows.length;
  const header = op === 'update' ? '| field | before<br>→ after |' : `| field | ${op === 'create' ? 'value' : 'value it had'} |`;
  return `\n${header}\n| --- | --- |\n${rows.join('\n')}\n${more > 0 ? `\n…and ${plural(more, 'more field')}: the file's diff has them.\n` : ''}`;
}

function specBlock(f: SpecChange, plan: ExportPlan, context: ChangeContext): string {
  const r = f.resource;
  const cause = causeOf(recordOf(f, context), codeSpan);
  const kept = plan.secrets.filter((s) => s.file === f.path && s.outcome === 'kept').map((s) => codeSpan(s.path));
  const notes = [
    ...(kept.length ? [`Changed in the system and left as Git has it (\`secrets: keep\`): ${kept.join(', ')}.`] : []),
    ...(plan.rewritten.includes(f.path) ? ['The file is written anew: an in-place edit could not express the change.'] : []),
  ];
  return [
    `\n#### ${verb(f)} ${userText(r.kind, 100)} ${codeSpan(qualified(r))}\n`,
    `\n${codeSpan(f.path)}${cause ? `: ${cause}` : ''}.\n`,
    fieldTable(f),
    ...notes.map((n) => `\n${n}\n`),
  ].join('');
}

/** `a`, `b`, +3 more: names in a sentence, within `max` characters. */
function names(list: readonly string[], max: number): string {
  const shown: string[] = [];
  let length = 0;
  for (const name of list) {
    const text = codeSpan(clip(name, 100));
    if (shown.length > 0 && length + text.length > max) break;
    shown.push(text);
    length += text.length + 2;
  }
  return [...shown, ...(shown.length < list.length ? [`+${list.length - shown.length} more`] : [])].join(', ');
}

/**
 * The pull request's description, within GitHub's limit of a body: the cause, then each spec with
 * how it changed, by whom and through what, and its field table. A change of thousands of specs
 * shows as many as fit and says how many it left out (the diff has them all).
 */
export function pullRequestBody(plan: ExportPlan, context: ChangeContext, limit = COMMENT_LIMIT): string {
  const specs = specsOf(plan);
  const these = specs.length === 1 ? 'This spec' : `These ${specs.length} specs`;
  const by = context.actors.length ? ` by ${names(context.actors, 500)}` : '';
  const found = context.foundBy === 'drift-check' ? `${DRIFT_FOUND}: ${these.toLowerCase()} changed in the system outside Git.` : `${these} changed in the system outside Git${by}.`;
  const sealed = specs.some((f) => f.fields?.some((field) => field.secret?.after === 'sealed'))
    ? '\n(sensitive, sealed): a secret. Git gets a `sealed://` reference in its place; the system keeps the value, which is never shown.\n'
    : '';
  const head = `${BOT_PR_MARKER}\n${found} Merging this pull request makes Git match the system; it starts no run.\n`;
  const tail = `${sealed}\nenvsync updates this pull request in place when the system changes again; commits you push to its branch are never overwritten.\n`;
  const folders = plan.files.filter((f) => !f.resource).map((f) => `\n${codeSpan(f.path)} keeps the folder of a project new to Git.\n`);
  const blocks = [...specs.map((f) => specBlock(f, plan, context)), ...folders];
  const fitted = fitBlocks(head, blocks, limit - tail.length, (n) => `${plural(n, 'more change')} not shown: the pull request's files have every change.`);
  return fitted.text + tail;
}
