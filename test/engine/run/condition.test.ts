// successCondition: the CUE the specs use, with CUE's rules where they apply (conflicting values are
// an error), and a clear error for what is not supported.
import { describe, expect, it } from 'vitest';
import { ConditionError, evaluateCondition, judge } from '../../../src/engine/run/condition.js';

const REFERENCE = `if #status.http.statusCode == 200 {
  success: true
}
if #status.http.statusCode != 200 {
  failed: true
  reason: "url not reachable"
}`;

describe('evaluateCondition', () => {
  it.each([
    [REFERENCE, { http: { statusCode: 200 } }, { success: true }],
    [REFERENCE, { http: { statusCode: 503 } }, { failed: true, reason: 'url not reachable' }],
    ['if #status.container.exitCode == 0 { success: true }', { container: { exitCode: 0 } }, { success: true }],
    ['if #status.container.exitCode == 0 { success: true }', { container: { exitCode: 2 } }, {}],
    ['if #status.http.statusCode >= 200 && #status.http.statusCode < 300 { success: true }', { http: { statusCode: 204 } }, { success: true }],
    ['if #status.http.statusCode == 200 || #status.http.statusCode == 201 { success: true }', { http: { statusCode: 201 } }, { success: true }],
    ['if !(#status.http.statusCode == 500) { success: true }', { http: { statusCode: 404 } }, { success: true }],
    ['if #status["http"]["statusCode"] == 200 { success: true, reason: "ok" }', { http: { statusCode: 200 } }, { success: true, reason: 'ok' }],
    ['success: true', {}, { success: true }],
  ])('%s with %j gives %j', (source, status, expected) => {
    expect(evaluateCondition(source, status)).toEqual(expected);
  });

  it('treats a field #status lacks as a guard that does not hold (one condition serves http and container)', () => {
    expect(evaluateCondition(REFERENCE, { container: { exitCode: 0 } })).toEqual({});
  });

  it('reports a field set to two different values as a conflict, as CUE does', () => {
    expect(() => evaluateCondition('success: true\nif #status.http.statusCode == 500 { success: false }', { http: { statusCode: 500 } })).toThrow(
      new ConditionError('conflicting values for success: true and false'),
    );
  });

  it('accepts a field set twice to the same value, as CUE does', () => {
    expect(evaluateCondition('success: true\nsuccess: true', {})).toEqual({ success: true });
  });

  it.each([
    ['if #status.http.statusCode =~ "2.." { success: true }', 'unsupported syntax at offset 27: "=~ "2.." { s"'],
    ['if #env.x == 1 { success: true }', 'unsupported reference (only #status) at offset 7 (".")'],
    ['if #status.http.statusCode == 200 { done: true }', 'unsupported field "done" (use success, failed or reason) at offset 36 ("done")'],
    ['if #status.http.statusCode == 200 { success: true', 'expected "}" at the end of the condition'],
  ])('names what it does not support: %s', (source, message) => {
    expect(() => evaluateCondition(source, { http: { statusCode: 200 } })).toThrow(new ConditionError(message));
  });
});

describe('judge', () => {
  it('uses the activity\'s own verdict when there is no condition', () => {
    expect(judge(undefined, {}, true)).toEqual({ ok: true });
    expect(judge(undefined, {}, false)).toEqual({ ok: false });
  });

  it('fails with the condition\'s reason, or says the condition did not hold', () => {
    expect(judge(REFERENCE, { http: { statusCode: 500 } }, true)).toEqual({ ok: false, reason: 'url not reachable' });
    expect(judge('if #status.container.exitCode == 0 { success: true }', { container: { exitCode: 1 } }, false)).toEqual({ ok: false, reason: 'the success condition did not hold' });
  });
});
