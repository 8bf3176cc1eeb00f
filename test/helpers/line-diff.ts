// Tests use the same line diff as the benchmarks.
export { lineDiff, type LineDiff } from '../../src/specs/line-diff.js';
