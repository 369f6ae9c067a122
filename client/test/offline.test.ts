// Issue 15: what the client does without the server (DOM commands,
// lvt-ignore), server events, and waking up.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PING_EVERY, PING_WAIT, WAKE_WAIT } from '../src/live';
import { PATIENCE } from '../src/transport';
import { $, FakeWS, type Setup, click, doc, logged, partsAsked, start, stop } from './harness';

let s: Setup;
afterEach(() => stop(s));

/** loaded waits until the page has loaded its parts (the harness hands
 * them out at once). */
const loaded = () => new Promise((r) => setTimeout(r, 0));

const MENU = `<div class="dd" lvt-js-click-away="hide #menu">
  <button id="open" lvt-js-click="toggle #menu; toggle-class on; set-attr aria-expanded true">Menu</button>
  <ul id="menu" hidden><li><button id="item" lvt-click="pick" lvt-js-click="hide #menu">One</button></li></ul>
</div><p id="out">x</p><input id="name">`;

describe('DOM commands (lvt-js-*)', () => {
  it('show, hide and toggle an element, a class and an attribute without a round trip', async () => {
    s = start(MENU);
    await loaded();
    const menu = $('#menu');
    expect(menu.hidden).toBe(true);
    click($('#open'));
    expect(menu.hidden).toBe(false);
    expect(menu.style.display).not.toBe('none');
    expect($('#open').classList.contains('on')).toBe(true);
    expect($('#open').getAttribute('aria-expanded')).toBe('true');
    expect(s.actions()).toEqual([]);
    click($('#open'));
    expect(menu.style.display).toBe('none');
    expect($('#open').classList.contains('on')).toBe(false);
  });

  it('runs together with the binding’s action', async () => {
    s = start(MENU);
    await loaded();
    click($('#open'));
    click($('#item'));
    expect($('#menu').style.display).toBe('none');
    expect(s.actions()).toEqual([{ t: 'action', ref: 1, name: 'pick', data: {} }]);
  });

  it('click-away closes the menu; a click inside does not', async () => {
    s = start(MENU);
    await loaded();
    click($('#open'));
    click($('#menu li'));
    expect($('#menu').style.display).not.toBe('none');
    click($('#out'));
    expect($('#menu').style.display).toBe('none');
  });

  it('keeps what commands changed across a patch that re-renders the elements', async () => {
    const [a, b] = doc('<p id="t">|</p>' + MENU).split('|');
    s = start('', { tree: { s: [a, b], 0: 'one' } });
    click($('#open'));
    await loaded(); // the first command loads the part
    // A full re-render of the body: the server's menu is hidden, its button has no class.
    s.ws().receive({ t: 'tree', seq: 2, tree: { s: [a, b], 0: 'two' } });
    expect($('#t').textContent).toBe('two');
    expect($('#menu').hidden).toBe(false);
    expect($('#menu').style.display).not.toBe('none');
    expect($('#open').classList.contains('on')).toBe(true);
    expect($('#open').getAttribute('aria-expanded')).toBe('true');
  });

  it('focus, remove-attr, add-class, remove-class, dispatch; on submit and keydown', async () => {
    s = start(`<form id="f" lvt-js-submit="add-class sent; remove-attr disabled #b; dispatch saved #out">
      <input id="k" lvt-js-keydown="focus #name; remove-class big #out" lvt-key="Enter"></form>
      <button id="b" disabled>b</button><p id="out" class="big">x</p><input id="name">`);
    await loaded();
    const seen: string[] = [];
    document.addEventListener('saved', (e) => seen.push((e.target as Element).id));
    $('#f').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect($('#f').classList.contains('sent')).toBe(true);
    expect($('#b').hasAttribute('disabled')).toBe(false);
    expect(seen).toEqual(['out']);
    $('#k').dispatchEvent(new KeyboardEvent('keydown', { key: 'a', bubbles: true }));
    expect(document.activeElement).not.toBe($('#name'));
    $('#k').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(document.activeElement).toBe($('#name'));
    expect($('#out').classList.contains('big')).toBe(false);
    expect(s.actions()).toEqual([]);
  });

  it('reports an unknown command or a bad selector in the console and goes on', async () => {
    s = start('<button id="x" lvt-js-click="explode; hide ##; add-class ok">x</button>');
    await loaded();
    click($('#x'));
    expect($('#x').classList.contains('ok')).toBe(true);
    expect(logged).toEqual(['livetemplate: lvt-js: unknown command "explode"', 'livetemplate: lvt-js: bad selector "##"']);
  });
});

describe('the commands part', () => {
  it('is loaded at start when the page has commands, and not otherwise', async () => {
    s = start('<p>none</p>');
    await loaded();
    expect(partsAsked).toEqual([]);
    stop(s);
    s = start(MENU);
    expect(partsAsked).toEqual(['commands']);
  });

  it('is loaded when a command first runs, and the command runs then', async () => {
    s = start('<p id="t">x</p>');
    const b = document.createElement('button');
    b.setAttribute('lvt-js-click', 'add-class on #t');
    document.body.append(b);
    click(b);
    expect(partsAsked).toEqual(['commands']);
    await loaded();
    expect($('#t').classList.contains('on')).toBe(true);
  });
});

describe('lvt-ignore', () => {
  it('patches never touch the children; the attributes follow the server', () => {
    const [a, b, c] = doc('<p id="t">|</p><div id="map" lvt-ignore data-zoom="|"><span id="s">server</span></div>').split('|');
    s = start('', { tree: { s: [a, b, c], 0: 'one', 1: '1' } });
    $('#map').innerHTML = '<canvas id="drawn"></canvas>'; // a library draws into it
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: 'two', 1: '2' } });
    expect($('#t').textContent).toBe('two');
    expect($('#map').getAttribute('data-zoom')).toBe('2');
    expect($('#drawn')).not.toBeNull();
    s.ws().receive({ t: 'tree', seq: 3, tree: { s: [a, b, c], 0: 'three', 1: '3' } });
    expect($('#drawn')).not.toBeNull();
    expect($('#s')).toBeNull();
  });

  it('a dynamic inside the ignored element does not reach the DOM', () => {
    const [a, b, c] = doc('<div id="ed" lvt-ignore><p id="in">|</p></div><p id="out">|</p>').split('|');
    s = start('', { tree: { s: [a, b, c], 0: 'x', 1: 'y' } });
    $('#in').textContent = 'typed by the user';
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: 'server', 1: 'z' } });
    expect($('#in').textContent).toBe('typed by the user');
    expect($('#out').textContent).toBe('z');
  });
});

describe('lvt-ignore removed', () => {
  it('gives the children back to the server', () => {
    const [a, b, c] = doc('<div id="ed" |><p id="in">|</p></div>').split('|');
    s = start('', { tree: { s: [a, b, c], 0: 'lvt-ignore', 1: 'x' } });
    $('#in').textContent = 'mine';
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: '', 1: 'server' } });
    expect($('#ed').hasAttribute('lvt-ignore')).toBe(false);
    expect($('#in').textContent).toBe('server');
    s.ws().receive({ t: 'patch', seq: 3, patch: { 1: 'again' } });
    expect($('#in').textContent).toBe('again');
  });
});

describe('server events', () => {
  it('reach hooks by handleEvent and the window as lvt:<name>, after the message’s patch', () => {
    const [a, b] = doc('<canvas lvt-hook="Chart"></canvas><p id="n">|</p>').split('|');
    s = start('', { connect: false });
    const got: string[] = [];
    s.hooks.Chart = {
      mounted() {
        (this as unknown as { handleEvent(n: string, f: (p: unknown) => void): void }).handleEvent('points', (p) =>
          got.push('hook ' + JSON.stringify(p) + ' ' + $('#n').textContent),
        );
      },
    };
    const onWin = (e: Event) => got.push('window ' + JSON.stringify((e as CustomEvent).detail));
    window.addEventListener('lvt:points', onWin);
    s.ws().open();
    s.ws().receive({ t: 'tree', seq: 1, tree: { s: [a, b], 0: '0' } });
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: '1' }, events: [['points', { last: 7 }], ['other', 1]] });
    s.live.action('add', {}, null, null);
    s.ws().receive({ t: 'reply', ref: 1, seq: 3, patch: { 0: '2' }, events: [['points', 8]] });
    window.removeEventListener('lvt:points', onWin);
    expect(got).toEqual(['hook {"last":7} 1', 'window {"last":7}', 'hook 8 2', 'window 8']);
  });

  it('a hook that throws does not stop the others', () => {
    vi.useFakeTimers();
    s = start('<i lvt-hook="A"></i><b lvt-hook="B"></b>', { connect: false });
    const got: unknown[] = [];
    type HI = { handleEvent(n: string, f: (p: unknown) => void): void };
    s.hooks.A = { mounted() { (this as unknown as HI).handleEvent('e', () => { throw new Error('boom'); }); } };
    s.hooks.B = { mounted() { (this as unknown as HI).handleEvent('e', (p) => got.push(p)); } };
    s.ws().open();
    s.ws().receive({ t: 'tree', seq: 1, tree: { s: [doc('<i lvt-hook="A"></i><b lvt-hook="B"></b>')] }, events: [['e', 5]] });
    expect(got).toEqual([5]);
    expect(() => vi.runOnlyPendingTimers()).toThrow('boom'); // reported as an uncaught error
  });
});

describe('waking up', () => {
  const hide = (hidden: boolean) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  };
  afterEach(() => hide(false));

  it('a tab that becomes visible pings; no pong within 1 s: it reconnects at once and resyncs', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    const first = s.ws();
    hide(true);
    first.deaf = true; // the socket died unseen while the tab was hidden
    hide(false);
    vi.advanceTimersByTime(WAKE_WAIT - 1);
    expect(FakeWS.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(first.closed).toBe(true);
    expect(FakeWS.all).toHaveLength(2);
    s.ws().open();
    expect(s.ws().sent[0]).toEqual({ t: 'join', token: 'tok', seq: 1 });
  });

  it('a live socket answers the ping and stays', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    window.dispatchEvent(new Event('online'));
    vi.advanceTimersByTime(5_000);
    expect(FakeWS.all).toHaveLength(1);
    expect(document.documentElement.classList.contains('lvt-connected')).toBe(true);
  });

  it('a connection waiting for its next attempt is tried at once on waking', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    s.ws().close(1012); // the server restarts while the tab is hidden: the next attempt waits
    const n = FakeWS.all.length;
    hide(true);
    hide(false);
    expect(FakeWS.all).toHaveLength(n + 1);
  });

  it('pings while visible: a dead socket is noticed within 30 s', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    s.ws().deaf = true;
    vi.advanceTimersByTime(PING_EVERY + PING_WAIT);
    expect(FakeWS.all[0].closed).toBe(true);
    expect(PING_EVERY + PING_WAIT).toBeLessThanOrEqual(30_000);
  });

  it('a pong waits behind an unanswered action: the socket stays while the action may still be answered', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    void s.live.action('slow', {}, null, null);
    s.ws().deaf = true; // the server reads the ping once the action is done
    hide(true);
    hide(false);
    vi.advanceTimersByTime(5 * WAKE_WAIT);
    expect(FakeWS.all).toHaveLength(1);
    expect(s.ws().closed).toBe(false);
    s.ws().receive({ t: 'reply', ref: 1, seq: 2, patch: {} });
    s.ws().receive({ t: 'pong' });
    vi.advanceTimersByTime(PATIENCE);
    expect(FakeWS.all).toHaveLength(1);
    expect(s.ws().closed).toBe(false);
  });

  it('a dead socket with an unanswered action is dropped once the action could no longer be answered', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    void s.live.action('slow', {}, null, null);
    const first = s.ws();
    first.deaf = true;
    hide(true);
    hide(false);
    vi.advanceTimersByTime(PATIENCE - 2 * WAKE_WAIT);
    expect(first.closed).toBe(false);
    vi.advanceTimersByTime(3 * WAKE_WAIT);
    expect(first.closed).toBe(true);
    expect(FakeWS.all).toHaveLength(2);
  });

  it('a hidden tab does not ping', () => {
    vi.useFakeTimers();
    s = start('<p>x</p>');
    s.ws().deaf = true;
    hide(true);
    vi.advanceTimersByTime(5 * PING_EVERY);
    expect(FakeWS.all).toHaveLength(1);
  });
});
