// Model-name normalisation per ../shared/PRICES.md "Model-name lookup". Produces the
// names to try, in order; never fuzzy-matches across families.

const BEDROCK_REGION = /^(?:us|eu|apac|ap|global|us-gov|ca|jp|au)\./;
const TRAILING_DATE = /-(?:\d{8}|\d{4}-\d{2}-\d{2})$/;
// Dated ids that have a price of their own and must not fall back to the undated row.
const OWN_PRICE_DATED = new Set(['gpt-4o-2024-05-13']);

/** The cleaned-up forms of a model name (steps 2 and 3), without date stripping. */
export function cleanModelName(raw: string): string {
  let s = raw.trim().toLowerCase();
  s = s.replace(/\[[^\]]*\]$/, '');
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.replace(BEDROCK_REGION, '').replace(/^anthropic\./, '');
  s = s.replace(/-v\d+:\d+$/, '');
  s = s.replace(/@(\d{8})$/, '-$1');
  if (s.startsWith('claude')) s = s.replace(/(\d)\.(\d)/g, '$1-$2');
  return s;
}

/** Names to look up, best first: exact, cleaned, cleaned without a trailing date. */
export function lookupNames(raw: string): string[] {
  const names = [raw];
  const clean = cleanModelName(raw);
  if (clean !== raw) names.push(clean);
  if (!OWN_PRICE_DATED.has(clean)) {
    const undated = clean.replace(TRAILING_DATE, '');
    if (undated !== clean && undated.length > 0) names.push(undated);
  }
  return names;
}

/** `*` matches any run of characters; everything else is literal. */
export function patternToRegExp(pattern: string): RegExp {
  const body = pattern.toLowerCase().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

export function isPattern(model: string): boolean {
  return model.includes('*');
}
