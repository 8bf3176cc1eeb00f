// The worker thread's side of off-thread validation (see validate-off-thread.ts): loads the files it
// is sent and, for a whole revision, validates it; answers with plain data (a spec's kind by name:
// its schemas do not cross).
import { assembleLoad, fileLoader, loadFile, type LoadOptions } from '../specs/load.js';
import type { SourceFile } from '../specs/source.js';
import { validateLoaded } from '../engine/validate-change.js';
import type { ThreadAnswer } from './validate-off-thread.js';

export default function validateInThread({ files, options, whole }: { files: SourceFile[]; options: LoadOptions; whole: boolean }): ThreadAnswer {
  const loader = fileLoader(options);
  const loads = files.map((file) => loadFile(file, loader));
  const answer: ThreadAnswer = { loads: loads.map(({ spec, ...load }) => ({ ...load, ...(spec ? { spec: { ...spec, kind: spec.kind.kind, content: undefined } } : {}) })) };
  if (!whole) return answer;
  const { specRuleFindings, findings, rechecked } = validateLoaded(assembleLoad(files, loads));
  return { ...answer, validation: { specRuleFindings: [...specRuleFindings], findings, rechecked } };
}
