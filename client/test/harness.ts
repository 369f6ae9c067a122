// A live page wired to fakes: a WebSocket class whose instances the test
// drives, a fetch that records requests and answers from a queue.
import { vi } from 'vitest';
import { type Live, live } from '../src/live';
import type { Hook } from '../src/hooks';

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
  send(s: string) {
    this.sent.push(JSON.parse(s));
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
  body: Record<string, unknown>;
  /** when it was sent (fake time) */
  at: number;
  resolve(status: number, body?: unknown, headers?: Record<string, string>): void;
  reject(): void;
}

/** FakeFetch keeps every request open until the test answers it. */
export class FakeFetch {
  reqs: Req[] = [];
  fn = (url: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    new Promise((res, rej) => {
      const body = JSON.parse(String(init!.body));
      init!.signal?.addEventListener('abort', () => rej(new Error('aborted')));
      this.reqs.push({
        body,
        at: Date.now(),
        resolve: (status, b, headers) =>
          res({
            status,
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
}

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
export function start(body: string, opts: { connect?: boolean; tree?: unknown } = {}): Setup {
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
    env: {
      WebSocket: FakeWS as unknown as { new (url: string): WebSocket },
      fetch: fetch.fn as typeof globalThis.fetch,
      location: { protocol: 'http:', host: 'example.test', pathname: '/page', search: '?q=1' },
      random: () => 0.5,
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
