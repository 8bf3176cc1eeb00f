// One file with 20,000 unknown fields, each a finding, validated against the bare js-yaml parse of
// the same text: finding positions must cost time linear in the file and its findings, so that one
// file cannot stop the server (issue 13; target: within 3× the parse).
import { loadavg } from 'node:os';
import jsyaml from 'js-yaml';
import { capFindingsPerFile, MAX_FINDINGS_PER_FILE, validateRepository, validateSources } from '../src/engine/validate.js';
import { loadSpecs } from '../src/specs/load.js';
import { locateFindings } from '../src/specs/locate.js';
import type { SourceFile } from '../src/specs/source.js';
import { median, ms, time } from './measure.js';

const FIELDS = 20_000;
const ROUNDS = 7;
const PATH = 'projects/p/resources/r.yaml';
// Measured once on the code before the index (one round each, in this benchmark, on this machine
// with other work running): a history, not something a run of the new code can measure.
const BEFORE =
  '2,500 fields took 12.7 s and 5,000 fields 47.5 s (issue 13, on a quieter machine: 5,000 fields 6.3 s, 10,000 fields 26.7 s, 20,000 fields over 120 s)';

/** A Resource whose `spec` holds `fields` fields the kind does not have. */
export function specWithUnknownFields(fields: number): string {
  const lines = ['apiVersion: eaas.envmgmt.io/v1', 'kind: Resource', 'metadata:', '  name: r', '  project: p', 'spec:'];
  for (let i = 0; i < fields; i++) lines.push(`  field${i}: ${i}`);
  return lines.join('\n') + '\n';
}

const spread = (values: number[], digits: number) => `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

export function benchManyFindings(fields = FIELDS): string {
  const load = loadavg()[0]!;
  const text = specWithUnknownFields(fields);
  const content = new TextEncoder().encode(text);
  const file: SourceFile = { path: PATH, size: content.length, content };

  // Rounds alternate, so that drift (the collector, the other cores' load) hits both alike.
  const parse: number[] = [];
  const validate: number[] = [];
  const positions: number[] = [];
  let shown = 0;
  // A first round compiles the schema validators and warms the code up: reported apart, as in validate.ts.
  const first = time(() => validateSources([file]));
  for (let round = 0; round < ROUNDS; round++) {
    parse.push(time(() => jsyaml.load(text)));
    validate.push(time(() => (shown = validateSources([file]).findings.length)));
    // The share of positions alone: the same steps as validateSources, the locating timed apart.
    const loaded = loadSpecs([file]);
    const pending = validateRepository(loaded);
    positions.push(time(() => capFindingsPerFile(locateFindings(pending, loaded.textOf))));
  }
  if (shown !== MAX_FINDINGS_PER_FILE + 1) throw new Error(`expected ${MAX_FINDINGS_PER_FILE} findings and their summary, got ${shown}`);
  const ratios = validate.map((v, i) => v / parse[i]!);
  const positionRatios = positions.map((v, i) => v / parse[i]!);

  return `## One file with ${fields.toLocaleString('en')} findings

A Resource whose \`spec\` holds ${fields.toLocaleString('en')} unknown fields (${(content.length / 1024).toFixed(0)} KiB), in memory: each field is an
\`unknown-field\` finding whose line and column are looked up; ${shown} are shown (the per-file cap and its summary).
Median of ${ROUNDS} alternating rounds, with their spread (\`npm run bench -- many-findings\`).

| measure | time | target |
| --- | --- | --- |
| js-yaml alone: parse the file | ${median(parse).toFixed(1)} ms (${spread(parse, 1)}) | |
| \`validateSources\`: parse, schema, ${fields.toLocaleString('en')} findings located, capped | ${median(validate).toFixed(1)} ms (${spread(validate, 1)}) | |
| of which the positions: \`locateFindings\` and the cap | ${median(positions).toFixed(1)} ms (${spread(positions, 1)}) | |
| ratio validate / js-yaml | **${median(ratios).toFixed(2)}×** (${spread(ratios, 2)}) | ≤ 3× |
| ratio positions / js-yaml | ${median(positionRatios).toFixed(2)}× (${spread(positionRatios, 2)}) | |

First round, with the schema validators compiled: ${ms(first)}. Besides the parse and the positions, the
time is the schema check turning each of the ${fields.toLocaleString('en')} errors into a finding: only the first 100 of a spec
get a suggestion (the cap hides the rest), and a spec that fails for reasons other than a variant
spelling is not walked for one.
Load average of the machine when this started: ${load.toFixed(1)} (the ratio holds both sides to the same load).

Before positions were indexed, each finding split the whole file again: quadratic, ${BEFORE}.
`;
}
