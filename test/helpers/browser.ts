// A small cookie-keeping client for page tests: it follows no redirects (tests look at
// them), remembers the session cookie, and keeps the session's CSRF token (read from a
// page's <meta name="csrf-token">), sending it with every POST unless told otherwise.
//
//   const b = await app.signIn('alice', 'manager');   // a signed-in Browser (test/helpers/app.ts)
//   const res = await b.get('/team');                  // res.status, res.text, res.location
//   await b.post('/settings/tokens', { name: 'laptop' }); // urlencoded form + _csrf
//   await b.post('/x', {}, { csrf: false });           // no token: expect 403
//   await b.htmx('/?window=7d');                       // with HX-Request (and x-csrf-token)
//
// `b.cookie` is the Cookie header value and `b.csrf` the current token, for raw fetch calls.

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header of a redirect, or null. */
  location: string | null;
  json(): any;
}

export interface PostOptions {
  /** false: send no token; a string: send that token instead of the page's. */
  csrf?: false | string;
  headers?: Record<string, string>;
}

export class Browser {
  readonly jar = new Map<string, string>();
  csrf = '';

  constructor(readonly baseUrl: string) {}

  get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Page> {
    return this.request('GET', path, undefined, { accept: 'text/html', ...headers });
  }

  /** Posts an urlencoded form, with the page's CSRF token as `_csrf` unless opts.csrf says otherwise. */
  async post(path: string, form: Record<string, string> = {}, opts: PostOptions = {}): Promise<Page> {
    const body = new URLSearchParams(form);
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== false && token !== '') body.set('_csrf', token);
    return this.request('POST', path, body.toString(), { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...opts.headers });
  }

  /** An htmx-style request: HX-Request plus the CSRF header, as <body hx-headers> sends it. */
  async htmx(path: string, method = 'GET', form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = { 'hx-request': 'true', 'hx-current-url': new URL(path, this.baseUrl).href, 'x-csrf-token': this.csrf };
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    return this.request(method, path, form ? new URLSearchParams(form).toString() : undefined, headers);
  }

  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Page> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method, body, redirect: 'manual',
      headers: { ...(this.jar.size ? { cookie: this.cookie } : {}), ...headers },
    });
    for (const line of res.headers.getSetCookie()) this.store(line);
    const text = await res.text();
    const meta = /<meta name="csrf-token" content="([^"]+)">/.exec(text);
    if (meta) this.csrf = meta[1];
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location'), json: () => JSON.parse(text) };
  }

  private store(line: string): void {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now()) || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
    if (!value || expired) this.jar.delete(name);
    else this.jar.set(name, value);
  }
}
