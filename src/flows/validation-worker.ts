// The worker thread's side of off-thread validation (see validate-off-thread.ts): validates the
// files it is sent and answers with plain data (a spec's kind by name: its schemas do not cross).
import { validateSources } from '../engine/validate.js';
import type { LoadOptions } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';
import type { ThreadAnswer } from './validate-off-thread.js';

export default function validateInThread({ files, options }: { files: SourceFile[]; options: LoadOptions }): ThreadAnswer {
  const { findings, loaded } = validateSources(files, options);
  return {
    findings,
    specs: loaded.specs.map(({ kind, ...spec }) => ({ ...spec, kind: kind.kind })),
    loadFindings: loaded.findings,
    ignored: loaded.ignored,
    fileCount: loaded.fileCount,
  };
}
