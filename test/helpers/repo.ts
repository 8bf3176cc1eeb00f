// In-memory config repositories for tests: a map of path to YAML text, validated end to end.
import { validateSources, type SourceValidation } from '../../src/engine/validate.js';
import type { Finding } from '../../src/specs/findings.js';
import type { LoadOptions } from '../../src/specs/load.js';
import type { SourceFile } from '../../src/specs/source.js';

export function sources(files: Record<string, string | Uint8Array>): SourceFile[] {
  return Object.entries(files).map(([path, content]) => {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return { path, size: bytes.length, content: bytes };
  });
}

export function validate(files: Record<string, string | Uint8Array>, options: LoadOptions = {}): SourceValidation {
  return validateSources(sources(files), options);
}

export function findingsOf(files: Record<string, string | Uint8Array>, options: LoadOptions = {}): Finding[] {
  return validate(files, options).findings;
}

/** Joins lines with a final newline, so fixtures read like the files they stand for. */
export const yaml = (...lines: string[]) => lines.join('\n') + '\n';
