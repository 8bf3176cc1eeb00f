// The activity graph as Mermaid: every graph drawn here is read by Mermaid's own parser, and every
// name shows as written, whatever Mermaid or GitHub would make of it.
import { describe, expect, it } from 'vitest';
import { planChange } from '../../src/engine/plan/plan.js';
import type { Activity } from '../../src/engine/plan/types.js';
import { MERMAID_MAX_ACTIVITIES, renderMermaid } from '../../src/render/mermaid.js';
import { loadSpecs } from '../../src/specs/load.js';
import { exampleFiles } from '../golden/scenarios.js';
import { parseMermaid, shownLabels } from '../helpers/mermaid-parse.js';

const stage = (id: string, ...dependsOn: string[]): Activity => ({ id, type: 'stage', dependsOn });

/** A gate, a resource of two stages with a hook after its plan, a second resource, and closing hooks. */
const SMALL: Activity[] = [
  { id: 'hook/onInit/<b>x</b> & "q"', type: 'approval', dependsOn: [] },
  stage('resource/net#1/plan', 'hook/onInit/<b>x</b> & "q"'),
  { id: 'resource/net#1/plan/after/check', type: 'http', dependsOn: ['resource/net#1/plan'] },
  // Its dependency on the gate is implied by the plan's: not drawn.
  stage('resource/net#1/apply', 'resource/net#1/plan/after/check', 'hook/onInit/<b>x</b> & "q"'),
  stage('resource/db/apply', 'resource/net#1/apply'),
  { id: 'hook/onSuccess/smoke', type: 'http', when: 'success', dependsOn: ['resource/db/apply'] },
  // Implied by the path through smoke, but drawn: its condition is its own.
  { id: 'hook/onCompletion/announce', type: 'driver', when: 'always', dependsOn: ['hook/onSuccess/smoke', 'resource/db/apply'] },
];

describe('renderMermaid', () => {
  it('draws left to right, each resource in a subgraph, labels escaped, implied edges left out but conditions kept', async () => {
    const text = renderMermaid(SMALL);
    expect(text).toBe(
      [
        'flowchart LR',
        '  a0{{"hook/onInit/#lt;b#gt;x#lt;/b#gt; #amp; #quot;q#quot; (approval)"}}',
        '  subgraph r0 ["net#35;1"]',
        '    a1["plan"]',
        '    a2("plan/after/check (http)")',
        '    a3["apply"]',
        '  end',
        '  subgraph r1 ["db"]',
        '    a4["apply"]',
        '  end',
        '  a5("hook/onSuccess/smoke (http)")',
        '  a6("hook/onCompletion/announce (driver)")',
        '  a0 --> a1',
        '  a1 --> a2',
        '  a2 --> a3',
        '  a3 --> a4',
        '  a4 -.->|on success| a5',
        '  a5 -.->|always| a6',
        '  a4 -.->|always| a6',
      ].join('\n'),
    );
    await parseMermaid(text);
    const shown = await shownLabels(text);
    expect(shown.nodes.get('a0')).toBe('hook/onInit/<b>x</b> & "q" (approval)');
    expect(shown.subgraphs).toEqual(['net#1', 'db']);
  });

  it('keeps the status colouring of a finished run', async () => {
    const text = renderMermaid(SMALL, new Map([...SMALL.map((a): [string, string] => [a.id, 'success']), ['hook/onSuccess/smoke', 'failure']]));
    expect(text.split('\n').slice(-4)).toEqual([
      '  class a0,a1,a2,a3,a4,a6 success',
      '  class a5 failure',
      '  classDef success fill:#dafbe1,stroke:#1a7f37',
      '  classDef failure fill:#ffebe9,stroke:#cf222e',
    ]);
    await parseMermaid(text);
  });

  it('draws the same bytes for the same graph', () => {
    expect(renderMermaid(SMALL)).toBe(renderMermaid(structuredClone(SMALL)));
  });

  it('draws every edge of a graph with a cycle, which only a runner could report', async () => {
    const text = renderMermaid([stage('resource/a/x', 'resource/a/y'), stage('resource/a/y', 'resource/a/x'), stage('resource/a/z', 'resource/a/x', 'resource/a/y')]);
    expect(text.split('\n').filter((l) => l.includes('-->'))).toEqual(['  a1 --> a0', '  a0 --> a1', '  a0 --> a2', '  a1 --> a2']);
    await parseMermaid(text);
  });

  /** Each hostile name, as it is written in the graph. */
  const HOSTILE: [string, string][] = [
    ['<b>x</b>', '#lt;b#gt;x#lt;/b#gt;'],
    ['#35;', '#35;35;'],
    ['"q"', '#quot;q#quot;'],
    ['a]b', 'a]b'],
    ['`md` ```', '#96;md#96; #96;#96;#96;'],
    ['"`**bold**`"', '#quot;#96;**bold**#96;#quot;'],
    ['%% comment', '#37;#37; comment'],
    ['%%{init: {"theme":"dark"}}%%', '#37;#37;{init#58; {#quot;theme#quot;#58;#quot;dark#quot;}}#37;#37;'],
    ['click x call y', 'click x call y'],
    ['end', 'end'],
    ['fa:fa-car', 'fa#58;fa-car'],
    ['$$x^2$$', '#36;#36;x^2#36;#36;'],
    ['a\\nb', 'a#92;nb'],
    ['line\n```\nbreak', 'line#10;#96;#96;#96;#10;break'],
    ['&lt;', '#amp;lt;'],
    ['ﬂ°lt¶ß é', '#64258;#176;lt#182;#223; #233;'],
    ['style x fill:#f00;', 'style x fill#58;#35;f00;'],
    ['x'.repeat(2000), 'x'.repeat(2000)],
  ];

  it.each(HOSTILE)('shows %j as written, in a label and as a subgraph title', async (name, escaped) => {
    // A resource name holds no slash: the id's first segment after resource/ is the resource.
    const resource = name.replace(/\//g, '');
    const text = renderMermaid([
      { id: `hook/onInit/${name}`, type: 'container', dependsOn: [] },
      stage(`resource/${resource}/${name}`, `hook/onInit/${name}`),
    ]);
    await parseMermaid(text);
    const shown = await shownLabels(text);
    expect([...shown.nodes]).toEqual([
      ['a0', `hook/onInit/${name} (container)`],
      ['a1', name],
    ]);
    expect(shown.subgraphs).toEqual([resource]);
    expect(text.split('\n')).toEqual([
      'flowchart LR',
      `  a0("hook/onInit/${escaped} (container)")`,
      `  subgraph r0 ["${escaped.replace(/\//g, '')}"]`,
      `    a1["${escaped}"]`,
      '  end',
      '  a0 --> a1',
    ]);
  });

  it('is checked: Mermaid rejects a label left unescaped, and would show another one otherwise', async () => {
    const text = renderMermaid([{ id: 'hook/onInit/"q"', type: 'container', dependsOn: [] }]);
    await expect(parseMermaid(text.replace(/#quot;/g, '"'))).rejects.toThrow(/Parse error on line 2/);
    await expect(parseMermaid('flowchart LR\n  subgraph r0 [a]b]\n    a0["x"]\n  end')).rejects.toThrow(/Parse error on line 2/);
    await expect(parseMermaid(`flowchart LR\n  a0["x %%{init: {'theme':'dark'}}%% y"]`)).rejects.toThrow(/sets Mermaid's configuration/);
    // Parsed, but not shown as written: a quote that ends the label, Markdown, math and an icon.
    const shown = await shownLabels('flowchart LR\n  a0["say "hi""]\n  a1["`**x**`"]\n  a2["$$x$$"]\n  a3["fa:fa-car"]\n  a4["#lt;b#gt;"]\n  a5["<b>b</b>"]');
    expect([...shown.nodes.values()]).toEqual(['say hi', 'Markdown: **x**', 'KaTeX: $$x$$', 'Icon: fa:fa-car', '<b>', 'b']);
  });

  it(`draws a graph of ${MERMAID_MAX_ACTIVITIES} activities that Mermaid reads`, async () => {
    // Ten resources of fifteen stages, each resource after the one before and after the first stage.
    const activities: Activity[] = [];
    for (let r = 0; r < 10; r++) {
      for (let s = 0; s < 15; s++) {
        const before = s > 0 ? [`resource/r${r}/s${s - 1}`] : r > 0 ? [`resource/r${r - 1}/s14`, 'resource/r0/s0'] : [];
        activities.push(stage(`resource/r${r}/s${s}`, ...before));
      }
    }
    expect(activities).toHaveLength(MERMAID_MAX_ACTIVITIES);
    const text = renderMermaid(activities);
    expect(text.match(/subgraph/g)).toHaveLength(10);
    // The edges from the first stage are all implied: each resource waits for the one before.
    expect(text.split('\n').filter((l) => l.includes('-->'))).toHaveLength(MERMAID_MAX_ACTIVITIES - 1);
    await parseMermaid(text);
  });
});

describe('the example repository', () => {
  const example = loadSpecs(exampleFiles());
  const empty = loadSpecs([]);
  const plans = {
    deployed: planChange({ base: { revision: 'a'.repeat(40), loaded: empty }, head: { revision: 'b'.repeat(40), loaded: example } }),
    destroyed: planChange({ base: { revision: 'b'.repeat(40), loaded: example }, head: { revision: 'c'.repeat(40), loaded: empty } }),
  };

  it.each(Object.entries(plans))('has graphs Mermaid reads when it is %s', async (_, plan) => {
    expect(plan.runs.length).toBeGreaterThan(0);
    for (const run of plan.runs) {
      expect(run.activities.length).toBeGreaterThan(0);
      const text = renderMermaid(run.activities);
      await parseMermaid(text);
      const shown = await shownLabels(text);
      expect(shown.nodes.size).toBe(run.activities.length);
    }
  });
});
