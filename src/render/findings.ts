// Findings as text for people, JSON for scripts, and workflow commands for GitHub Actions.
import { escapeCommandData } from '../runner/log.js';
import type { Finding } from '../specs/findings.js';
import { plural } from './fit.js';

export interface Summary {
  files: number;
  specs: number;
  errors: number;
  warnings: number;
}

export function summarize(findings: readonly Finding[], files: number, specs: number): Summary {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { files, specs, errors, warnings: findings.length - errors };
}


export function summaryLine(s: Summary): string {
  return `${plural(s.files, 'file')}, ${plural(s.specs, 'spec')}: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}

export function renderText(findings: readonly Finding[], summary: Summary): string {
  const lines = findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity} [${f.code}] ${f.message}`);
  lines.push(summaryLine(summary));
  return lines.join('\n') + '\n';
}

export function renderJson(findings: readonly Finding[], summary: Summary): string {
  return JSON.stringify({ findings, summary }, null, 2) + '\n';
}

// Workflow command escaping, as the Actions runner decodes it.
const escapeProperty = (s: string) => escapeCommandData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `file` is rewritten by `pathFor` so annotations land on the repository path, not the folder's. */
export function renderGithub(findings: readonly Finding[], summary: Summary, pathFor: (file: string) => string): string {
  const lines = findings.map(
    (f) =>
      `::${f.severity} file=${escapeProperty(pathFor(f.file))},line=${f.line},col=${f.column},title=${escapeProperty(`envsync ${f.code}`)}::${escapeCommandData(f.message)}`,
  );
  lines.push(summaryLine(summary));
  return lines.join('\n') + '\n';
}
