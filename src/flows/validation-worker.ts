// The worker thread's side of validate-off-thread.ts: loads the large files it is sent and answers
// with plain data (a spec's kind by name: its schemas do not cross).
import { fileLoader, loadFile, type LoadOptions } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';
import type { ThreadAnswer } from './validate-off-thread.js';

export default function loadInThread({ files, options }: { files: SourceFile[]; options: LoadOptions }): ThreadAnswer {
  const loader = fileLoader(options);
  return { loads: files.map((file) => loadFile(file, loader)).map(({ spec, ...load }) => ({ ...load, ...(spec ? { spec: { ...spec, kind: spec.kind.kind, content: undefined } } : {}) })) };
}
