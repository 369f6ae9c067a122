import { afterEach, describe, expect, it, vi } from 'vitest';
import { ACTION_TIMEOUT } from '../src/live';
import { $, FakeWS, type Setup, click, doc, start, stop } from './harness';

let s: Setup;
afterEach(() => stop(s));

function listen(name: string) {
  const seen: CustomEvent[] = [];
  const fn = (e: Event) => seen.push(e as CustomEvent);
  document.addEventListener(name, fn);
  return { seen, off: () => document.removeEventListener(name, fn) };
}

describe('lifecycle', () => {
  it('fires connected, disconnected, reconnected on document and sets root classes', () => {
    vi.useFakeTimers();
    const ev = ['lvt:connected', 'lvt:disconnected', 'lvt:reconnected'].map(listen);
    s = start('<p>x</p>', { connect: false });
    const root = document.documentElement;
    const ws = s.ws();
    expect(ws.url).toBe('ws://example.test/page?q=1');
    ws.open();
    expect(ws.sent[0]).toEqual({ t: 'join', token: 'tok', seq: 0 });
    ws.receive({ t: 'tree', seq: 7, tree: { s: [doc('<p>x</p>')] } });
    expect(ev[0].seen).toHaveLength(1);
    expect(ev[0].seen[0].bubbles).toBe(true);
    expect(root.classList.contains('lvt-connected')).toBe(true);

    ws.close();
    expect(ev[1].seen).toHaveLength(1);
    expect(root.classList.contains('lvt-disconnected')).toBe(true);
    expect(root.classList.contains('lvt-connected')).toBe(false);

    vi.advanceTimersByTime(30_000);
    const ws2 = s.ws();
    expect(ws2).not.toBe(ws);
    ws2.open();
    expect(ws2.sent[0]).toEqual({ t: 'join', token: 'tok', seq: 7 });
    ws2.receive({ t: 'tree', seq: 1, tree: { s: [doc('<p>y</p>')] } });
    expect(ev[0].seen).toHaveLength(2);
    expect(ev[2].seen).toHaveLength(1);
    expect($('p').textContent).toBe('y');
    for (const e of ev) e.off();
  });
});

describe('errors', () => {
  it('fires lvt:error on the element, bubbling, with code, message and action', () => {
    s = start('<button lvt-click="cart.add">x</button>');
    const ev = listen('lvt:error');
    click($('button'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'rate_limited', message: 'Slow down.' } });
    expect(ev.seen).toHaveLength(1);
    expect(ev.seen[0].target).toBe($('button'));
    expect(ev.seen[0].detail).toMatchObject({ code: 'rate_limited', message: 'Slow down.', action: 'cart.add' });
    ev.off();
  });

  it('shows field errors next to fields and clears them on a later reply', () => {
    s = start(
      `<form lvt-submit="save"><input name="title"><span lvt-error="title"></span><input name="email"><input name="age"></form>`,
    );
    const submit = () => $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    submit();
    s.ws().receive({
      t: 'reply',
      ref: 1,
      error: { code: 'invalid', message: 'Check the form.' },
      fields: { title: 'Required.', email: 'Not an email.' },
    });
    expect($('[lvt-error="title"]').textContent).toBe('Required.');
    expect($('[name=title]').getAttribute('aria-invalid')).toBe('true');
    const small = $('[name=email]').nextElementSibling!;
    expect(small.tagName).toBe('SMALL');
    expect(small.className).toBe('lvt-field-error');
    expect(small.textContent).toBe('Not an email.');
    expect($('[name=email]').getAttribute('aria-invalid')).toBe('true');
    expect($('[name=email]').getAttribute('aria-describedby')).toBe(small.id);
    expect($('[name=age]').hasAttribute('aria-invalid')).toBe(false);

    submit();
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'invalid', message: 'x' }, fields: { email: 'Still wrong.' } });
    expect($('[lvt-error="title"]').textContent).toBe('');
    expect($('[name=title]').hasAttribute('aria-invalid')).toBe(false);
    expect($('.lvt-field-error').textContent).toBe('Still wrong.');

    submit();
    s.ws().receive({ t: 'reply', ref: 3, seq: 2, patch: {} });
    expect(document.querySelector('.lvt-field-error')).toBeNull();
    expect($('[name=email]').hasAttribute('aria-invalid')).toBe(false);
    expect($('[name=email]').hasAttribute('aria-describedby')).toBe(false);
  });

  it('lvt-reset clears a form after a successful submit, not after a failed one', () => {
    s = start(`<form lvt-submit="add" lvt-reset><input name="title"></form>`);
    const input = $('[name=title]') as HTMLInputElement;
    const submit = () => $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    input.value = 'milk';
    submit();
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'invalid', message: 'x' }, fields: { title: 'Bad.' } });
    expect(input.value).toBe('milk');
    submit();
    s.ws().receive({ t: 'reply', ref: 2, seq: 2, patch: {} });
    expect(input.value).toBe('');
  });

  it('keeps field errors across a morph of the form', () => {
    s = start(`<form lvt-submit="save"><input name="email"></form><p>a</p>`);
    $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'invalid', message: 'x' }, fields: { email: 'Bad.' } });
    // a full tree re-renders everything
    s.ws().receive({ t: 'tree', seq: 5, tree: { s: [doc(`<form lvt-submit="save"><input name="email" class="x"></form><p>b</p>`)] } });
    expect($('[name=email]').className).toBe('x');
    expect($('[name=email]').getAttribute('aria-invalid')).toBe('true');
    expect($('.lvt-field-error').textContent).toBe('Bad.');
  });

  it('a pending action times out: lvt:error and loading cleared', () => {
    vi.useFakeTimers();
    s = start('<button lvt-click="slow" lvt-disable-with="…">Go</button>');
    const ev = listen('lvt:error');
    click($('button'));
    expect($<HTMLButtonElement>('button').disabled).toBe(true);
    vi.advanceTimersByTime(ACTION_TIMEOUT);
    expect(ev.seen.map((e) => e.detail.code)).toEqual(['timeout']);
    expect($<HTMLButtonElement>('button').disabled).toBe(false);
    expect($('button').textContent).toBe('Go');
    expect(document.documentElement.classList.contains('lvt-loading')).toBe(false);
    // a late reply changes nothing
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'internal', message: 'x' } });
    expect(ev.seen).toHaveLength(1);
    ev.off();
  });

  it('actions in flight fail when the connection drops; queued ones wait for the next', () => {
    vi.useFakeTimers();
    s = start('<button lvt-click="a">x</button>');
    const ev = listen('lvt:error');
    click($('button'));
    s.ws().close();
    expect(ev.seen.map((e) => e.detail.code)).toEqual(['disconnected']);
    click($('button')); // while down: queued
    vi.advanceTimersByTime(1000);
    s.ws().open();
    expect(s.ws().sent.map((m) => m.t)).toEqual(['join', 'action']);
    ev.off();
  });

  it('lvt:success fires on the element and bubbles', () => {
    s = start('<button lvt-click="ok">x</button>');
    const ev = listen('lvt:success');
    click($('button'));
    s.ws().receive({ t: 'reply', ref: 1, seq: 2, patch: {} });
    expect(ev.seen).toHaveLength(1);
    expect(ev.seen[0].target).toBe($('button'));
    expect(ev.seen[0].detail).toMatchObject({ action: 'ok' });
    ev.off();
  });
});

describe('sequence numbers', () => {
  const [pre, post] = doc('<p>|</p>').split('|');
  const tree = { s: [pre, post], 0: 'a' };

  it('applies patches in order and asks for a full tree after a gap', () => {
    s = start('', { tree });
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: 'b' } });
    expect($('p').textContent).toBe('b');
    s.ws().receive({ t: 'patch', seq: 4, patch: { 0: 'c' } });
    expect($('p').textContent).toBe('b');
    expect(s.ws().sent.filter((m) => m.t === 'sync')).toHaveLength(1);
    s.ws().receive({ t: 'patch', seq: 5, patch: { 0: 'd' } }); // dropped while syncing
    expect(s.ws().sent.filter((m) => m.t === 'sync')).toHaveLength(1);
    s.ws().receive({ t: 'tree', seq: 9, tree: { s: [pre, post], 0: 'e' } });
    s.ws().receive({ t: 'patch', seq: 10, patch: { 0: 'f' } });
    expect($('p').textContent).toBe('f');
  });

  it('an unknown fingerprint or a bad patch asks for a full tree', () => {
    s = start('', { tree });
    s.ws().receive({ t: 'patch', seq: 2, patch: { 0: { s: '0123456789abcdef' } } });
    expect(s.ws().sent.filter((m) => m.t === 'sync')).toHaveLength(1);
    expect($('p').textContent).toBe('a');
  });

  it('reload: reloads after a jittered delay, at most 5 times in 5 minutes, then lvt:error and lvt-failed', () => {
    vi.useFakeTimers();
    sessionStorage.clear();
    const ev = listen('lvt:error');
    const reload = vi.fn();
    const loc = window.location;
    Object.defineProperty(window, 'location', { configurable: true, value: { ...loc, reload } });
    try {
      for (let i = 0; i < 6; i++) {
        s = start('<p>x</p>');
        s.ws().receive({ t: 'reload', reason: 'state_lost' });
        vi.advanceTimersByTime(60_000);
        expect(FakeWS.all).toHaveLength(1); // no reconnect meanwhile
        if (i === 5) expect(document.documentElement.className).toBe('lvt-failed');
        stop(s);
        vi.useFakeTimers();
      }
      expect(reload).toHaveBeenCalledTimes(5);
      expect(ev.seen.map((e) => e.detail)).toEqual([{ code: 'reload', message: 'Too many reloads.' }]);
    } finally {
      ev.off();
      Object.defineProperty(window, 'location', { configurable: true, value: loc });
    }
  });
});

describe('rejoin', () => {
  const [pre, post] = doc('<p>|</p>').split('|');
  const tree = { s: [pre, post], 0: 'a' };
  it('a rejoin answered by a patch (the server kept the page) is connected again', () => {
    vi.useFakeTimers();
    const ev = ['lvt:connected', 'lvt:reconnected'].map(listen);
    s = start('', { connect: false });
    const ws = s.ws();
    ws.open();
    ws.receive({ t: 'tree', seq: 7, tree });
    ws.receive({ t: 'patch', seq: 9, patch: {} }); // a gap: asks for a tree
    expect(ws.sent[ws.sent.length - 1]).toEqual({ t: 'sync' });
    ws.receive({ t: 'tree', seq: 7, tree });
    ws.close();
    vi.advanceTimersByTime(30_000);
    const ws2 = s.ws();
    ws2.open();
    expect(ws2.sent[0]).toEqual({ t: 'join', token: 'tok', seq: 7 });
    ws2.receive({ t: 'patch', seq: 8, patch: { 0: 'y' } });
    expect(document.documentElement.classList.contains('lvt-connected')).toBe(true);
    expect($('p').textContent).toBe('y');
    expect(ev[1].seen).toHaveLength(1);
    ws2.receive({ t: 'patch', seq: 9, patch: { 0: 'z' } });
    expect($('p').textContent).toBe('z');
  });

  it('a patch after a drop that does not follow the join seq is dropped: the tree comes', () => {
    vi.useFakeTimers();
    s = start('', { connect: false });
    const ws = s.ws();
    ws.open();
    ws.receive({ t: 'tree', seq: 7, tree });
    ws.close();
    vi.advanceTimersByTime(30_000);
    const ws2 = s.ws();
    ws2.open();
    ws2.receive({ t: 'patch', seq: 12, patch: {} });
    expect(document.documentElement.classList.contains('lvt-connected')).toBe(false);
    expect(ws2.sent.filter((m) => m.t === 'sync')).toHaveLength(0); // dropped: the tree the join asked for comes
  });
});
