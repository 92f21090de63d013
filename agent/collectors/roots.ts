// Small helpers for the tools' location functions (each collector owns its own defaults).
import { list } from '../config.ts';

export { list };

/** The first non-empty list among the variables, else `dflt`. */
export function firstList(values: (string | undefined)[], dflt: string[]): string[] {
  for (const v of values) {
    const l = list(v);
    if (l.length) return l;
  }
  return dflt;
}

/** Paths without repeats, in order. */
export function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}
