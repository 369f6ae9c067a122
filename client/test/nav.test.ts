// Live navigation: lvt-navigate links, window.LiveTemplate.navigate, back and
// forward, redirects from replies, and every way back to a full load.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACTION_TIMEOUT } from '../src/live';
import { $, FakeWS, PAGE, type Req, type Setup, click, doc, loads, start, stop } from './harness';

let s: Setup;
let offs: (() => void)[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  stop(s);
  offs.forEach((f) => f());
  offs = [];
});

const B = 'http://example.test/b?x=1';
const flush = () => vi.advanceTimersByTimeAsync(0);

const [preA, postA] = doc('<p>|</p><a id="go" href="/b?x=1" lvt-navigate>b</a><button lvt-click="inc">+</button>').split('|');
const treeA = (seq: number, text: string) => ({ t: 'tree', seq, tree: { s: [preA, postA], 0: text } });
const pageB = (head = '') =>
  `<!DOCTYPE html><html><head><title>B</title>${head}</head><body><h1>|</h1><a id="back" href="/page?q=1" lvt-navigate>a</a></body></html>`;
const [preB, postB] = pageB().split('|');
/** treeB is the tree of page /b, as the answer to navigate ref. */
const treeB = (ref: number | undefined, seq: number, text: string, head = '') => {
  const [pre, post] = head ? pageB(head).split('|') : [preB, postB];
  return { t: 'tree', ref, seq, tree: { s: [pre, post], 0: text } };
};

const JSON_TYPE = { 'Content-Type': 'application/json; charset=utf-8' };
/** live answers a navigation GET: a live page with token (at url, after redirects). */
const live = (r: Req, token = 'tok2', url = B) => r.resolve(200, { t: 'page', token }, JSON_TYPE, url);

function listen(name: string) {
  const seen: CustomEvent[] = [];
  const fn = (e: Event) => seen.push(e as CustomEvent);
  document.addEventListener(name, fn);
  offs.push(() => document.removeEventListener(name, fn));
  return seen;
}

/** clickWith clicks el with the given event options and returns whether
 * the client prevented the default (the browser's own action is always
 * prevented afterwards, so happy-dom never navigates). */
function clickWith(el: Element, init: MouseEventInit = {}): boolean {
  let prevented = false;
  const after = (e: Event) => {
    prevented = e.defaultPrevented;
    e.preventDefault();
  };
  window.addEventListener('click', after);
  el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, ...init }));
  window.removeEventListener('click', after);
  return prevented;
}

/** onWS starts on page A over a WebSocket. */
function onWS(): FakeWS {
  s = start('', { tree: treeA(1, 'a').tree });
  return s.ws();
}

/** switched clicks the link to /b and answers the GET: the client has
 * switched to tok2 and waits for the tree. */
async function switched(token = 'tok2'): Promise<void> {
  expect(clickWith($('#go'))).toBe(true);
  live(s.fetch.gets()[0], token);
  await flush();
}

describe('links', () => {
  it('a left click on a lvt-navigate link asks the server with the page token', async () => {
    onWS();
    expect(history.state).toEqual({ lvt: 1 }); // the first entry is the client's
    expect(clickWith($('#go'))).toBe(true);
    expect(s.fetch.urls).toEqual([B]);
    const get = s.fetch.gets()[0];
    expect(get.init.headers).toEqual({ 'Lvt-Navigate': 'tok' });
    expect(get.init.credentials).toBe('same-origin');
    expect(location.href).toBe(PAGE); // not before the server said yes
  });

  for (const [what, html, init] of [
    ['ctrl', '<a href="/b" lvt-navigate>', { ctrlKey: true }],
    ['meta', '<a href="/b" lvt-navigate>', { metaKey: true }],
    ['shift', '<a href="/b" lvt-navigate>', { shiftKey: true }],
    ['alt', '<a href="/b" lvt-navigate>', { altKey: true }],
    ['the middle button', '<a href="/b" lvt-navigate>', { button: 1 }],
    ['target=_blank', '<a href="/b" target="_blank" lvt-navigate>', {}],
    ['a named target', '<a href="/b" target="side" lvt-navigate>', {}],
    ['download', '<a href="/b" download lvt-navigate>', {}],
    ['another origin', '<a href="http://other.test/b" lvt-navigate>', {}],
    ['another port', '<a href="http://example.test:8080/b" lvt-navigate>', {}],
    ['https', '<a href="https://example.test/b" lvt-navigate>', {}],
    ['no lvt-navigate', '<a href="/b">', {}],
    ['a #fragment of this page', '<a href="#part" lvt-navigate>', {}],
    ['a #fragment of this page, in full', '<a href="/page?q=1#part" lvt-navigate>', {}],
  ] as const) {
    it(`leaves a click to the browser: ${what}`, () => {
      s = start(html + 'x</a>');
      expect(clickWith($('a'), init)).toBe(false);
      expect(s.fetch.reqs).toHaveLength(0);
    });
  }

  it('takes target=_self, a relative href, and a click inside the link', () => {
    s = start('<a href="b?x=1" target="_self" lvt-navigate><span>x</span></a>');
    expect(clickWith($('span'))).toBe(true);
    expect(s.fetch.urls).toEqual([B]);
  });

  it('leaves a click another handler already prevented', () => {
    s = start('<a href="/b" lvt-navigate>x</a>');
    const stop = (e: Event) => e.preventDefault();
    $('a').addEventListener('click', stop);
    clickWith($('a'));
    expect(s.fetch.reqs).toHaveLength(0);
  });
});

describe('over WebSocket', () => {
  it('switches the page on the same socket: URL pushed, old patches dropped, tree applied', async () => {
    const ws = onWS();
    const nav = listen('lvt:navigated');
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => {});
    const before = history.length;
    click($('button')); // an action in flight when the navigation starts
    await switched();
    expect(location.href).toBe(B);
    expect(history.state).toEqual({ lvt: 1 });
    expect(history.length).toBe(before + 1);
    expect(ws.sent[ws.sent.length - 1]).toEqual({ t: 'navigate', ref: 2, token: 'tok2' });

    // The old page's last messages: its action settles, its patches are dropped.
    const ok = listen('lvt:success');
    ws.receive({ t: 'reply', ref: 1, seq: 2, patch: { 0: 'stale' } });
    ws.receive({ t: 'patch', seq: 3, patch: { 0: 'staler' } });
    expect(ok).toHaveLength(1);
    expect($('p').textContent).toBe('a');
    expect(nav).toHaveLength(0);

    ws.receive(treeB(2, 1, 'B'));
    expect($('h1').textContent).toBe('B');
    expect(document.title).toBe('B');
    expect(nav.map((e) => e.detail)).toEqual([{ url: B }]);
    expect(scrollTo).toHaveBeenCalledWith(0, 0);
    // seq counts from the new tree
    ws.receive({ t: 'patch', seq: 2, patch: { 0: 'B2' } });
    expect($('h1').textContent).toBe('B2');
    expect(FakeWS.all).toHaveLength(1);
    expect(ws.sent.filter((m) => m.t === 'sync')).toHaveLength(0);
    expect(loads).toEqual([]);
    scrollTo.mockRestore();
  });

  it('every later join carries the new token, at the new URL', async () => {
    const ws = onWS();
    await switched();
    ws.receive(treeB(1, 4, 'B'));
    ws.close(1001);
    while (FakeWS.all.length === 1) await vi.advanceTimersByTimeAsync(50);
    const ws2 = s.ws();
    expect(ws2.url).toBe('ws://example.test/b?x=1');
    ws2.open();
    expect(ws2.sent[0]).toEqual({ t: 'join', token: 'tok2', seq: 4 });
    // and the next navigation names the new page
    clickWith($('#back'));
    expect(s.fetch.gets()[1].init.headers).toEqual({ 'Lvt-Navigate': 'tok2' });
  });

  it('a socket lost before the tree: the rejoin (new token, seq 0) brings it', async () => {
    const ws = onWS();
    const nav = listen('lvt:navigated');
    await switched();
    ws.close();
    while (FakeWS.all.length === 1) await vi.advanceTimersByTimeAsync(50);
    const ws2 = s.ws();
    ws2.open();
    expect(ws2.sent).toEqual([{ t: 'join', token: 'tok2', seq: 0 }]);
    ws2.receive(treeB(undefined, 1, 'B'));
    expect($('h1').textContent).toBe('B');
    expect(nav).toHaveLength(1);
  });

  it('a #fragment is kept and its element scrolled to', async () => {
    const ws = onWS();
    const into = vi.fn();
    const proto = Element.prototype as { scrollIntoView: unknown };
    const orig = proto.scrollIntoView;
    proto.scrollIntoView = into;
    try {
      s.live.navigate('/b?x=1#back', true);
      live(s.fetch.gets()[0]);
      await flush();
      expect(location.href).toBe(B + '#back');
      ws.receive(treeB(1, 1, 'B'));
      expect(into).toHaveBeenCalledTimes(1);
      expect(into.mock.contexts[0]).toBe($('#back'));
    } finally {
      proto.scrollIntoView = orig;
    }
  });

  it('follows the redirects of the GET: the final URL is pushed', async () => {
    const ws = onWS();
    s.live.navigate('/old#h', true);
    live(s.fetch.gets()[0], 'tok2', 'http://example.test/new?y=2');
    await flush();
    expect(location.href).toBe('http://example.test/new?y=2#h');
    ws.receive(treeB(1, 1, 'B'));
    expect(loads).toEqual([]);
  });

  it('a later navigation wins over one still asking', async () => {
    const ws = onWS();
    s.live.navigate('/b?x=1', true);
    s.live.navigate('/c', true);
    const [b, c] = s.fetch.gets();
    live(c, 'tok3', 'http://example.test/c');
    await flush();
    live(b, 'tok2');
    await flush();
    expect(location.href).toBe('http://example.test/c');
    expect(ws.sent.filter((m) => m.t === 'navigate')).toEqual([{ t: 'navigate', ref: 1, token: 'tok3' }]);
  });
});

describe('over HTTP', () => {
  it('stops the poll, POSTs navigate to the new URL, then polls with the new token', async () => {
    s = start('', { connect: false });
    s.ws().close(); // no WebSocket
    await flush();
    s.fetch.of('sync')[0].resolve(200, treeA(1, 'a'));
    await flush();
    const poll = s.fetch.of('poll')[0];
    let aborted = false;
    poll.init.signal!.addEventListener('abort', () => (aborted = true));

    await switched();
    expect(aborted).toBe(true);
    const post = s.fetch.of('navigate')[0];
    expect(s.fetch.urls[s.fetch.reqs.indexOf(post)]).toBe('/b?x=1');
    expect(post.body).toEqual({ t: 'navigate', ref: 1, token: 'tok2', seq: 0 });
    expect(s.fetch.of('poll')).toHaveLength(1); // none until the answer
    post.resolve(200, treeB(1, 1, 'B'));
    await flush();
    expect($('h1').textContent).toBe('B');
    expect(s.fetch.of('poll').map((r) => r.body)).toEqual([
      { t: 'poll', token: 'tok', seq: 1 },
      { t: 'poll', token: 'tok2', seq: 1 },
    ]);
    s.live.action('x', {}, null, null);
    await flush();
    expect(s.fetch.of('action')[0].body).toMatchObject({ token: 'tok2', seq: 1 });
  });

  it('a failed POST: the next sync (new token, seq 0) brings the tree', async () => {
    s = start('', { connect: false });
    s.ws().close();
    await flush();
    s.fetch.of('sync')[0].resolve(200, treeA(1, 'a'));
    await flush();
    const nav = listen('lvt:navigated');
    await switched();
    s.fetch.of('navigate')[0].resolve(502);
    await flush();
    while (s.fetch.of('sync').length < 2) await vi.advanceTimersByTimeAsync(50);
    const sync = s.fetch.of('sync')[1];
    expect(sync.body).toEqual({ t: 'sync', token: 'tok2', seq: 0 });
    sync.resolve(200, treeB(undefined, 1, 'B'));
    await flush();
    expect($('h1').textContent).toBe('B');
    expect(nav).toHaveLength(1);
    expect(loads).toEqual([]);
  });

  it('an error reply to the POST loads the page', async () => {
    s = start('', { connect: false });
    s.ws().close();
    await flush();
    s.fetch.of('sync')[0].resolve(200, treeA(1, 'a'));
    await flush();
    await switched();
    s.fetch.of('navigate')[0].resolve(200, { t: 'reply', ref: 1, error: { code: 'unknown_page', message: 'x' } });
    await flush();
    expect(loads).toEqual([['replace', B]]);
  });
});

describe('falls back to loading the page', () => {
  for (const [what, answer] of [
    ['an HTML answer', (r: Req) => r.resolve(200, undefined, { 'Content-Type': 'text/html' })],
    ['another status', (r: Req) => r.resolve(404, { t: 'page', token: 't' }, JSON_TYPE)],
    ['JSON that is not a page', (r: Req) => r.resolve(200, { t: 'tree' }, JSON_TYPE)],
    ['a network error', (r: Req) => r.reject()],
  ] as const) {
    it(`before switching (${what}): location.assign, nothing changed`, async () => {
      const ws = onWS();
      clickWith($('#go'));
      answer(s.fetch.gets()[0]);
      await flush();
      expect(loads).toEqual([['assign', B]]);
      expect(location.href).toBe(PAGE);
      expect(ws.sent.map((m) => m.t)).toEqual(['join']);
    });
  }

  it('another origin: at once, without asking', async () => {
    onWS();
    s.live.navigate('https://other.test/x', true);
    await flush();
    expect(loads).toEqual([['assign', 'https://other.test/x']]);
    expect(s.fetch.reqs).toHaveLength(0);
  });

  it('an error reply to navigate: location.replace of the pushed URL', async () => {
    const ws = onWS();
    await switched();
    ws.receive({ t: 'reply', ref: 1, error: { code: 'unknown_page', message: 'Not a page of this app.' } });
    expect(loads).toEqual([['replace', B]]);
  });

  it('a navigation before the first connection: its tree comes with the join', async () => {
    s = start('<a id="go" href="/b?x=1" lvt-navigate>b</a>', { connect: false });
    await switched();
    expect(location.href).toBe(B);
    const ws = s.ws();
    ws.open();
    expect(ws.sent).toEqual([{ t: 'join', token: 'tok2', seq: 0 }]);
    ws.receive(treeB(undefined, 1, 'B'));
    expect(loads).toEqual([['replace', B]]); // no page to compare its <head> with
  });

  it('no tree within the action timeout', async () => {
    onWS();
    await switched();
    await vi.advanceTimersByTimeAsync(ACTION_TIMEOUT - 1);
    expect(loads).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(loads).toEqual([['replace', B]]);
  });

  it('a different <head> (ignoring <title>): the page is not morphed', async () => {
    const ws = onWS();
    const nav = listen('lvt:navigated');
    await switched();
    ws.receive(treeB(1, 1, 'B', '<style>h1 { color: red }</style>'));
    expect(loads).toEqual([['replace', B]]);
    expect($('p').textContent).toBe('a');
    expect(nav).toHaveLength(0);
  });
});

describe('back and forward', () => {
  const pop = (state: unknown) => window.dispatchEvent(new PopStateEvent('popstate', { state }));

  it('a move to an entry of the client navigates without a new entry', async () => {
    const ws = onWS();
    await switched();
    ws.receive(treeB(1, 1, 'B'));
    const n = history.length;
    history.replaceState({ lvt: 1 }, '', PAGE); // as the browser does on back
    pop({ lvt: 1 });
    const get = s.fetch.gets()[1];
    expect(get.init.headers).toEqual({ 'Lvt-Navigate': 'tok2' });
    live(get, 'tok3', PAGE);
    await flush();
    expect(history.length).toBe(n);
    expect(location.href).toBe(PAGE);
    expect(ws.sent[ws.sent.length - 1]).toEqual({ t: 'navigate', ref: 2, token: 'tok3' });
    ws.receive({ ...treeA(1, 'again'), ref: 2 });
    expect($('p').textContent).toBe('again');
  });

  it('an entry the browser made (null state) counts; another script’s entry does not', async () => {
    onWS();
    history.replaceState({ router: 1 }, '', 'http://example.test/c');
    pop({ router: 1 });
    expect(s.fetch.reqs).toHaveLength(0);
    history.replaceState(null, '', 'http://example.test/c#x');
    pop(null);
    expect(s.fetch.urls).toEqual(['http://example.test/c#x']);
  });

  it('a move between #fragments of the page on screen is left to the browser', () => {
    onWS();
    history.replaceState(null, '', PAGE + '#part');
    pop(null);
    history.replaceState({ lvt: 1 }, '', PAGE);
    pop({ lvt: 1 });
    expect(s.fetch.reqs).toHaveLength(0);
  });

  it('falling back, a move back loads the page in place of its entry', async () => {
    onWS();
    history.replaceState({ lvt: 1 }, '', 'http://example.test/c');
    pop({ lvt: 1 });
    s.fetch.gets()[0].resolve(200, undefined, { 'Content-Type': 'text/html' });
    await flush();
    expect(loads).toEqual([['replace', 'http://example.test/c']]);
  });
});

describe('redirect from an action', () => {
  it('applies the patch, settles the action, then navigates', async () => {
    const ws = onWS();
    const ok = listen('lvt:success');
    click($('button'));
    ws.receive({ t: 'reply', ref: 1, seq: 2, patch: { 0: 'saved' }, redirect: '/b?x=1' });
    expect($('p').textContent).toBe('saved');
    expect(ok).toHaveLength(1);
    expect(s.fetch.urls).toEqual([B]);
    live(s.fetch.gets()[0]);
    await flush();
    expect(location.href).toBe(B);
    expect(ws.sent[ws.sent.length - 1]).toEqual({ t: 'navigate', ref: 2, token: 'tok2' });
  });

  it('to another origin: location.assign', async () => {
    const ws = onWS();
    click($('button'));
    ws.receive({ t: 'reply', ref: 1, seq: 2, patch: {}, redirect: 'https://pay.example/checkout' });
    await flush();
    expect(loads).toEqual([['assign', 'https://pay.example/checkout']]);
    expect(s.fetch.reqs).toHaveLength(0);
  });

  it('a failed action does not redirect', async () => {
    const ws = onWS();
    click($('button'));
    ws.receive({ t: 'reply', ref: 1, error: { code: 'failed', message: 'No.' }, redirect: '/b' });
    await flush();
    expect(s.fetch.reqs).toHaveLength(0);
    expect(loads).toEqual([]);
  });
});
