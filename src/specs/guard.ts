// Parsed YAML can be hostile even when it parses: aliases let a 1 KiB file stand for billions of
// nodes (every later walk would expand them), and nesting can be deeper than any spec needs.
import type { DocPath } from './findings.js';

export interface GuardLimits {
  maxDepth: number;
  /** Nodes the document may stand for once aliases are expanded. */
  maxExpandedNodes: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = { maxDepth: 64, maxExpandedNodes: 200_000 };

export type GuardResult =
  | { ok: true }
  | { ok: false; reason: 'too-deep'; path: DocPath }
  | { ok: false; reason: 'alias-bomb'; expanded: number }
  | { ok: false; reason: 'alias-cycle'; path: DocPath };

/**
 * Measures depth and alias-expanded size in one pass over the unique nodes: sizes of shared nodes
 * are memoized, so the pass stays linear however large the expansion is. A document without anchors
 * (`mayShare: false`, known from its text) cannot share nodes, and only its depth is measured.
 */
export function guardDocument(root: unknown, limits: GuardLimits = DEFAULT_GUARD_LIMITS, mayShare = true): GuardResult {
  if (!mayShare) {
    const depth = depthBeyond(root, limits.maxDepth);
    return depth === undefined ? { ok: true } : { ok: false, reason: 'too-deep', path: depth };
  }
  const sizes = new Map<object, number>();
  const inProgress = new Set<object>();
  let failure: GuardResult | undefined;
  let unique = 1;

  const size = (node: unknown, path: (string | number)[]): number => {
    if (failure || typeof node !== 'object' || node === null) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) {
      failure = { ok: false, reason: 'alias-cycle', path: [...path] };
      return 1;
    }
    if (path.length > limits.maxDepth) {
      failure = { ok: false, reason: 'too-deep', path: [...path] };
      return 1;
    }
    inProgress.add(node);
    unique += Array.isArray(node) ? node.length : Object.keys(node).length;
    let total = 1;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length && !failure; i++) {
        path.push(i);
        total += size(node[i], path);
        path.pop();
      }
    } else {
      for (const key of Object.keys(node)) {
        if (failure) break;
        path.push(key);
        total += size((node as Record<string, unknown>)[key], path);
        path.pop();
      }
    }
    inProgress.delete(node);
    sizes.set(node, total);
    return total;
  };

  const expanded = size(root, []);
  if (failure) return failure;
  // Only expansion counts: a large file without aliases is judged by its byte size instead.
  if (expanded > limits.maxExpandedNodes && expanded > 2 * unique) return { ok: false, reason: 'alias-bomb', expanded };
  return { ok: true };
}

/** The path to the first node deeper than `max`, without allocating on the way down. */
function depthBeyond(node: unknown, max: number, level = 0): (string | number)[] | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  if (level > max) return [];
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const below = depthBeyond(node[i], max, level + 1);
      if (below) return [i, ...below];
    }
    return undefined;
  }
  for (const key in node) {
    const below = depthBeyond((node as Record<string, unknown>)[key], max, level + 1);
    if (below) return [key, ...below];
  }
  return undefined;
}
