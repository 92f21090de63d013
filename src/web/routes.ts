// The bridge between the routers and the access table: which table keys ('GET /u/:login')
// the routers register, and which ones a request will reach.
import type Router from '@koa/router';

type AnyLayer = { methods: string[]; path: string | RegExp };

/** Table keys for one router layer; HEAD rides along with GET. Middleware layers have none. */
function keysOf(layer: AnyLayer): string[] {
  const methods = layer.methods.filter((m) => !(m === 'HEAD' && layer.methods.includes('GET')));
  return methods.map((m) => `${m} ${String(layer.path)}`);
}

/** Every route the routers register, as access-table keys. */
export function registeredRoutes(routers: readonly Router[]): string[] {
  return [...new Set(routers.flatMap((r) => (r.stack as AnyLayer[]).flatMap(keysOf)))].sort();
}

/** The keys of the routes that will handle this request (usually one), or [] when none will. */
export function matchRoute(routers: readonly Router[], method: string, path: string): string[] {
  const wanted = method === 'HEAD' ? 'GET' : method;
  const keys: string[] = [];
  for (const router of routers) {
    const m = router.match(path, method);
    if (!m.route) continue;
    for (const layer of m.pathAndMethod as AnyLayer[]) {
      if (layer.methods.length) keys.push(`${wanted} ${String(layer.path)}`);
    }
  }
  return keys;
}

/** Registered routes that have no entry in the access table (must be empty). */
export function unlistedRoutes(routers: readonly Router[], table: Readonly<Record<string, unknown>>): string[] {
  return registeredRoutes(routers).filter((k) => !Object.hasOwn(table, k));
}
