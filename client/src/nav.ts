// Live navigation (docs/client.md, Navigation): which clicks and history
// moves become a navigation, and whether the server has a live page for a
// URL. live.ts switches the connection to that page.

import type { Env } from './transport';

/** Go: navigate to url, pushing a history entry or replacing the current one. */
export type Go = (url: string, push: boolean) => void;

/** strip drops the #fragment of a URL. */
export const strip = (url: string) => url.split('#')[0];

/** same reports whether u has the page's origin. */
export const same = (u: URL, loc: Env['location']) => u.protocol === loc.protocol && u.host === loc.host;

/** links turns clicks on <a lvt-navigate> and moves back and forward
 * (to entries made by the client or by the browser, not by other scripts)
 * into go, until signal aborts; shown is the URL (without #fragment) of
 * the page on screen. */
export function links(doc: Document, win: Window, loc: Env['location'], go: Go, shown: () => string, signal: AbortSignal): void {
  win.history.replaceState({ lvt: 1 }, '');
  doc.addEventListener(
    'click',
    (e) => {
      const t = e.target as Element;
      const a = t.closest && (t.closest('a[href][lvt-navigate]') as HTMLAnchorElement | null);
      // What the browser does better: new tabs and windows, downloads,
      // other origins, and a #fragment of the page on screen.
      if (!a || e.defaultPrevented || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      if (a.hasAttribute('download') || !/^(_self)?$/i.test(a.target)) return;
      const u = new URL(a.href);
      if (!same(u, loc) || (u.hash && strip(u.href) === strip(loc.href))) return;
      e.preventDefault();
      go(u.href, true);
    },
    { signal },
  );
  win.addEventListener(
    'popstate',
    ({ state }) => {
      if ((!state || state.lvt) && strip(loc.href) !== shown()) go(loc.href, false);
    },
    { signal },
  );
}

/** ask asks the server whether url is a live page of this app (a GET with
 * the header Lvt-Navigate: token). It resolves to the new page's token and
 * the URL after redirects (with url's #fragment), and rejects otherwise. */
export async function ask(env: Env, url: URL, token: string): Promise<[string, URL]> {
  const res = await env.fetch(url.href, { headers: { 'Lvt-Navigate': token }, credentials: 'same-origin' });
  const b =
    res.status === 200 && /^application\/json/i.test(res.headers.get('Content-Type') || '') && (await res.json());
  if (!b || b.t !== 'page' || typeof b.token != 'string') throw 0;
  const u = new URL(res.url || url.href);
  u.hash = url.hash;
  return [b.token, u];
}
