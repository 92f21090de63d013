// nunjucks with autoescape on: everything rendered is escaped unless a template says
// otherwise (model names and user names come from clients).
import nunjucks from 'nunjucks';
import { VIEWS_DIR } from '../paths.ts';

export type Render = (template: string, data?: Record<string, unknown>) => Promise<string>;

export function createViews(globals: Record<string, unknown> = {}): { env: nunjucks.Environment; render: Render } {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(VIEWS_DIR, { noCache: false }), { autoescape: true, throwOnUndefined: false });
  for (const [k, v] of Object.entries(globals)) env.addGlobal(k, v);
  const render: Render = (template, data = {}) => new Promise((resolve, reject) => {
    env.render(template, data, (err, out) => (err ? reject(err) : resolve(out ?? '')));
  });
  return { env, render };
}
