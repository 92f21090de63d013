// Reading the tools' JSON defensively: logs are written by other programs, may be cut
// half-way, and change shape between versions, so nothing here throws.
export type Rec = Record<string, unknown>;

/** The value as a plain object, or null for anything else (arrays included). */
export const o = (v: unknown): Rec | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : null);

/** A non-blank string, trimmed, or undefined for anything else. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** JSON.parse that answers null for no text or a broken document. */
export function safeParse(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
