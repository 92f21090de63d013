// nunjucks with autoescape on: everything rendered is escaped unless a template says
// otherwise (model names and user names come from clients).
import nunjucks from 'nunjucks';
import { VIEWS_DIR } from '../paths.ts';
import { FILTERS } from './format.ts';

export type Render = (template: string, data?: Record<string, unknown>) => Promise<string>;

export function createViews(globals: Record<string, unknown> = {}): { env: nunjucks.Environment; render: Render } {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), { autoescape: true, throwOnUndefined: false });
  for (const [k, v] of Object.entries(globals)) env.addGlobal(k, v);
  // Number and money formatting (12.3M, $1,234.56): the same functions the SVGs use.
  for (const [name, fn] of Object.entries(FILTERS)) env.addFilter(name, fn as (...args: unknown[]) => unknown);
  const render: Render = (template, data = {}) => new Promise((resolve, reject) => {
    env.render(template, data, (err, out) => (err ? reject(err) : resolve(out ?? '')));
  });
  return { env, render };
}
