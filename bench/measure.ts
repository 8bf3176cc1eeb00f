// Timing helpers shared by the benchmarks.
import { cpus, totalmem } from 'node:os';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

export const ms = (n: number) => `${n.toFixed(0)} ms`;

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

/** `median (min–max)` of a set of figures, each written by `format`. */
export const withSpread = (values: number[], format: (n: number) => string): string => `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;

export const times = (n: number) => `${n.toFixed(2)}×`;
