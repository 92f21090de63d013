// One URL, two shapes (contact.app): a normal request gets the full page; an htmx request
// naming one of the page's swappable parts (HX-Target = the part's id) gets just that
// part, rendered from the same template file the page includes.
import type { Context } from 'koa';
import { page } from './render.ts';

export interface Shapes {
  /** The full page template. */
  page: string;
  /** Fragment templates by the id of their root element. */
  fragments: Record<string, string>;
}

/** The fragment template this request asks for, or null for the full page. */
export function fragmentFor(ctx: Context, shapes: Shapes): string | null {
  if (ctx.get('HX-Request') !== 'true') return null;
  // History restores (back button after the cache is gone) need the whole page.
  if (ctx.get('HX-History-Restore-Request') === 'true') return null;
  const target = ctx.get('HX-Target');
  return Object.hasOwn(shapes.fragments, target) ? shapes.fragments[target] : null;
}

export async function renderShape(ctx: Context, shapes: Shapes, data: Record<string, unknown>): Promise<void> {
  // Caches must keep the shapes apart; and the numbers are live and per viewer.
  ctx.vary('HX-Request');
  ctx.vary('HX-Target');
  ctx.set('Cache-Control', 'no-store');
  const fragment = fragmentFor(ctx, shapes);
  if (fragment === null) return page(ctx, shapes.page, data);
  ctx.type = 'html';
  ctx.body = await ctx.state.render(fragment, data);
}
