// A live page wired to fakes: a WebSocket class whose instances the test
// drives, a fetch that records requests and answers from a queue, and a
// location that follows happy-dom's (vitest.config.ts puts the page at
// http://example.test/page?q=1) but records loads instead of making them.
import { vi } from 'vitest';
import { type Live, live } from '../src/live';
import type { Hook } from '../src/hooks';
import { errors } from '../src/errors';
import { scroll } from '../src/scroll';
import { commands } from '../src/commands';
import { uploads } from '../src/upload';

/** The parts, as the harness's loader hands them out (at once, from the
 * sources). */
const parts: Record<string, unknown> = { scroll, errors, upload: uploads, commands };
/** partsAsked lists the parts the page asked for, in order. */
export const partsAsked: string[] = [];

export class FakeWS {
  static all: FakeWS[] = [];
  sent: Record<string, unknown>[] = [];
  closed = false;
  /** when it was made (fake time) */
  at = Date.now();
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeWS.all.push(this);
  }
  /** deaf: pings get no pong (a dead socket) */
  deaf = false;
  send(s: string) {
    const m = JSON.parse(s);
    // A live server answers pings at once; they are not recorded.
    if (m.t === 'ping') return void (this.deaf || this.closed || this.receive({ t: 'pong' }));
    this.sent.push(m);
  }
  /** close closes the socket (as the server would, with code and reason;
   * 1006: it died, or never opened). */
  close(code = 1006, reason = '') {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({ code, reason });
  }
  open() {
    this.onopen?.();
  }
  receive(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  static last(): FakeWS {
    return FakeWS.all[FakeWS.all.length - 1];
  }
}

export interface Req {
  /** the POSTed message ({} for a GET) */
  body: Record<string, unknown>;
  init: RequestInit;
  /** when it was sent (fake time) */
  at: number;
  /** resolve answers; url is the response's (after redirects), "" by default. */
  resolve(status: number, body?: unknown, headers?: Record<string, string>, url?: string): void;
  reject(): void;
}

/** FakeFetch keeps every request open until the test answers it. */
export class FakeFetch {
  reqs: Req[] = [];
  fn = (url: RequestInfo | URL, init: RequestInit = {}): Promise<Response> =>
    new Promise((res, rej) => {
      const body = init.body ? JSON.parse(String(init.body)) : {};
      init.signal?.addEventListener('abort', () => rej(new Error('aborted')));
      this.reqs.push({
        body,
        init,
        at: Date.now(),
        resolve: (status, b, headers, to = '') =>
          res({
            status,
            url: to,
            headers: new Headers(headers),
            json: async () => (b === undefined ? Promise.reject(new Error('no body')) : b),
          } as Response),
        reject: () => rej(new Error('network')),
      });
      this.urls.push(String(url));
    });
  urls: string[] = [];
  of(t: string): Req[] {
    return this.reqs.filter((r) => r.body.t === t);
  }
  /** gets lists the GET requests (navigations). */
  gets(): Req[] {
    return this.reqs.filter((r) => !r.init.method);
  }
}

/** The page's URL in every test. */
export const PAGE = 'http://example.test/page?q=1';

// happy-dom's own location (some tests replace window.location).
const real = window.location;

/** logged collects what the client writes to the console (console.error
 * calls starting "livetemplate:"); others go through. */
export const logged: string[] = [];
const consoleError = console.error.bind(console);
vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) =>
  typeof a[0] === 'string' && a[0].startsWith('livetemplate:') ? void logged.push(a.join(' ')) : consoleError(...a),
);

/** loads records location.assign(url) and location.replace(url) calls. */
export const loads: [string, string][] = [];

/** fakeLocation reads happy-dom's location, which history.pushState
 * changes, and records loads in loads. */
const fakeLocation = {
  get protocol() {
    return real.protocol;
  },
  get host() {
    return real.host;
  },
  get pathname() {
    return real.pathname;
  },
  get search() {
    return real.search;
  },
  get href() {
    return real.href;
  },
  assign: (u: string | URL) => void loads.push(['assign', String(u)]),
  replace: (u: string | URL) => void loads.push(['replace', String(u)]),
};

/** doc wraps body HTML into a page, as the server renders it. */
export const doc = (body: string) => `<!DOCTYPE html><html><head><title>T</title></head><body>${body}</body></html>`;

/** treeOf is a tree with no dynamics that renders the page of body. */
export const treeOf = (body: string) => ({ s: [doc(body)] });

export interface Setup {
  live: Live;
  fetch: FakeFetch;
  hooks: Record<string, Hook | undefined>;
  ws(): FakeWS;
  /** actions sent so far over the current WebSocket. */
  actions(): Record<string, unknown>[];
}

/** start makes a live page showing body, connected over a fake WebSocket
 * that received a tree (seq 1) for it. */
export function start(
  body: string,
  opts: { connect?: boolean; tree?: unknown; random?: () => number; lazyErrors?: boolean; noParts?: boolean } = {},
): Setup {
  // The errors part is in, as after a page's first error, unless the test
  // is about loading it.
  const reg = ((window as unknown as { LiveTemplate?: { parts?: Record<string, unknown> } }).LiveTemplate ||= {});
  reg.parts = opts.lazyErrors ? {} : { errors };
  history.replaceState(null, '', PAGE);
  loads.length = 0;
  logged.length = 0;
  partsAsked.length = 0;
  document.body.innerHTML = body;
  document.documentElement.className = '';
  FakeWS.all = [];
  const fetch = new FakeFetch();
  const hooks: Record<string, Hook | undefined> = {};
  const l = live({
    doc: document,
    win: window,
    token: 'tok',
    hooks: () => hooks,
    part: <T>(name: string) => {
      partsAsked.push(name);
      return parts[name] && !opts.noParts ? Promise.resolve(parts[name] as T) : Promise.reject(new Error('no part ' + name));
    },
    env: {
      WebSocket: FakeWS as unknown as { new (url: string): WebSocket },
      fetch: fetch.fn as typeof globalThis.fetch,
      location: fakeLocation,
      random: opts.random ?? (() => 0.5),
    },
  });
  l.start();
  if (opts.connect !== false) {
    FakeWS.last().open();
    FakeWS.last().receive({ t: 'tree', seq: 1, tree: opts.tree ?? treeOf(body) });
  }
  return {
    live: l,
    fetch,
    hooks,
    ws: FakeWS.last,
    actions: () => FakeWS.last().sent.filter((m) => m.t === 'action'),
  };
}

/** stopAll ends a setup so its listeners do not leak into the next test. */
export function stop(s: Setup): void {
  s.live.stop();
  vi.useRealTimers();
}

export function click(el: Element | null): void {
  el!.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
}

export const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;
