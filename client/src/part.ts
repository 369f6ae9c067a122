// Parts: code that only some pages need, built to files of their own
// (src/parts/<name>.ts → dist/parts/<name>.js) and loaded by the main bundle
// the first time its page needs one. The library serves a part at the main
// script's own URL with ?part=<name> added: the same content hash, so it is
// cached as long. A part's file registers its exports with define, in
// window.LiveTemplate.parts.

/** Load resolves to the exports of part name, loading its file once. */
export type Load = <T>(name: string) => Promise<T>;

interface Registry {
  parts?: Record<string, unknown>;
}

const registry = (w: Window): Registry =>
  ((w as unknown as { LiveTemplate?: Registry }).LiveTemplate ||= {});

/** define registers the exports of part name (its file calls it). */
export function define(name: string, exports: unknown): void {
  (registry(window).parts ||= {})[name] = exports;
}

/** loaded returns the exports of part name if its file has run in w. */
export const loaded = <T>(w: Window, name: string): T | undefined => registry(w).parts?.[name] as T | undefined;

/** loader returns the Load of the parts served next to the main bundle,
 * whose script element is script: each part's file is added to the page
 * once, with the script's nonce (for a Content-Security-Policy of nonces). A
 * part that fails to load rejects, and is tried again on the next call. */
export function loader(doc: Document, script: HTMLScriptElement): Load {
  const loads = new Map<string, Promise<unknown>>();
  return <T>(name: string) => {
    let p = loads.get(name);
    if (!p) {
      p = new Promise((ok, fail) => {
        const el = doc.createElement('script');
        const url = new URL(script.src, doc.baseURI);
        url.searchParams.set('part', name);
        el.src = url.href;
        if (script.nonce) el.nonce = script.nonce;
        el.onload = () => {
          const v = loaded(doc.defaultView || window, name);
          if (v) ok(v);
          else fail(new Error('livetemplate: part ' + name + ' did not register'));
        };
        el.onerror = () => {
          el.remove();
          fail(new Error('livetemplate: part ' + name + ' failed to load'));
        };
        doc.head.appendChild(el);
      });
      p.catch(() => loads.delete(name));
      loads.set(name, p);
    }
    return p as Promise<T>;
  };
}
