import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKOFF_CAP, HEALTHY, PROBE_BASE, PROBE_CAP, REFUSED_CAP, STABLE } from '../src/transport';
import { $, FakeWS, type Req, type Setup, click, doc, start, stop } from './harness';

let s: Setup;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => stop(s));

const [pre, post] = doc('<p>|</p><button lvt-click="inc">+</button>').split('|');
const tree = (seq: number, text: string) => ({ t: 'tree', seq, tree: { s: [pre, post], 0: text } });
const flush = () => vi.advanceTimersByTimeAsync(0);

/** until lets time pass in small steps until cond holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; !cond(); i++) {
    if (i > 2000) throw new Error('timed out');
    await vi.advanceTimersByTimeAsync(50);
  }
}

/** sent lists when each request (WebSocket or POST) was made, in order. */
const sent = () => [...FakeWS.all, ...s.fetch.reqs].map((r) => r.at).sort((a, b) => a - b);

/** requests counts the WebSockets and POSTs made so far. */
const requests = () => FakeWS.all.length + s.fetch.reqs.length;

const root = () => Array.from(document.documentElement.classList).filter((c) => c !== 'lvt-loading');

function listen(name: string) {
  const seen: CustomEvent[] = [];
  const fn = (e: Event) => seen.push(e as CustomEvent);
  document.addEventListener(name, fn);
  offs.push(() => document.removeEventListener(name, fn));
  return seen;
}
let offs: (() => void)[] = [];
afterEach(() => {
  offs.forEach((f) => f());
  offs = [];
});

/** overHTTP starts a page whose WebSocket cannot open, connected over HTTP
 * (sync answered with tree seq 1), with its first poll open. */
async function overHTTP(): Promise<void> {
  s = start('<p>a</p><button lvt-click="inc">+</button>', { connect: false });
  s.ws().close();
  await until(() => s.fetch.of('sync').length > 0);
  s.fetch.of('sync')[0].resolve(200, tree(1, 'a'));
  await flush();
  expect(s.fetch.of('poll')).toHaveLength(1);
}

const lastOf = (t: string) => {
  const r = s.fetch.of(t);
  return r[r.length - 1];
};

/** nextWS lets time pass until the client opens a new WebSocket. */
async function nextWS(): Promise<FakeWS> {
  const n = FakeWS.all.length;
  while (FakeWS.all.length === n) await vi.advanceTimersByTimeAsync(50);
  return FakeWS.last();
}

describe('HTTP fallback', () => {
  it('a WebSocket that cannot open switches to HTTP: sync, then long polls', async () => {
    s = start('<p>a</p><button lvt-click="inc">+</button>', { connect: false });
    s.ws().close(); // fails before opening
    await flush();
    expect(s.fetch.urls[0]).toBe('/page?q=1');
    expect(s.fetch.reqs.map((r) => r.body)).toEqual([{ t: 'sync', token: 'tok', seq: 0 }]);
    s.fetch.reqs[0].resolve(200, tree(3, 'a'));
    await flush();
    expect(document.documentElement.classList.contains('lvt-connected')).toBe(true);
    expect(s.fetch.of('poll').map((r) => r.body)).toEqual([{ t: 'poll', token: 'tok', seq: 3 }]);

    s.fetch.of('poll')[0].resolve(200, { t: 'patch', seq: 4, patch: { 0: 'b' } });
    await flush();
    expect($('p').textContent).toBe('b');
    expect(s.fetch.of('poll')).toHaveLength(2);
    s.fetch.of('poll')[1].resolve(204);
    await flush();
    expect(s.fetch.of('poll')).toHaveLength(3);

    click($('button'));
    await flush();
    const act = s.fetch.of('action')[0];
    expect(act.body).toEqual({ t: 'action', ref: 1, name: 'inc', data: {}, token: 'tok', seq: 4 });
    act.resolve(200, { t: 'reply', ref: 1, seq: 5, patch: { 0: 'c' } });
    await flush();
    expect($('p').textContent).toBe('c');
  });


  it('a WebSocket that opens and dies 3 times in 30 s falls back to HTTP, then comes back', async () => {
    const reconnected = listen('lvt:reconnected');
    const connected = listen('lvt:connected');
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 3; i++) {
      const ws = i ? await nextWS() : s.ws();
      ws.open();
      ws.receive(tree(1, 'a'));
      vi.advanceTimersByTime(1000);
      ws.close();
    }
    expect(s.fetch.reqs).toHaveLength(0);
    await until(() => s.fetch.reqs.length > 0);
    expect(FakeWS.all).toHaveLength(3);
    expect(s.fetch.of('sync')).toHaveLength(1); // fell back
    s.fetch.of('sync')[0].resolve(200, tree(1, 'h'));
    await flush();
    expect($('p').textContent).toBe('h');
    const poll = s.fetch.of('poll')[0];

    const probe = await nextWS(); // 2–4 s later
    expect(FakeWS.all).toHaveLength(4);
    probe.open();
    expect(probe.sent[0]).toMatchObject({ t: 'join', token: 'tok' });
    await flush();
    // polling stopped: the open poll was aborted and no new one started
    expect(s.fetch.of('poll')).toHaveLength(1);
    poll.resolve(200, { t: 'patch', seq: 2, patch: { 0: 'stale' } });
    await flush();
    const n = reconnected.length;
    probe.receive(tree(1, 'w'));
    expect($('p').textContent).toBe('w');
    expect(connected[connected.length - 1].detail).toEqual({ transport: 'websocket' });
    expect(reconnected).toHaveLength(n); // moving is not reconnecting
  });

  it('on HTTP, WebSockets are tried again after 2–4 s, doubling to 60 s: refused upgrades never make a loop', async () => {
    await overHTTP();
    const answered = new Set<Req>();
    const gaps: number[] = [];
    let since = Date.now(); // HTTP came up; then: the last probe was refused
    for (const t0 = Date.now(); Date.now() - t0 < 10 * 60_000; ) {
      await vi.advanceTimersByTimeAsync(50);
      // The server answers each long poll with 204 after 25 s.
      for (const r of s.fetch.of('poll')) {
        if (!answered.has(r) && Date.now() - r.at >= 25_000) {
          answered.add(r);
          r.resolve(204);
        }
      }
      const ws = FakeWS.last();
      if (FakeWS.all.length > 1 && !ws.closed) {
        gaps.push(ws.at - since);
        ws.close(); // refused: it never opens
        since = Date.now();
      }
    }
    // random() is 0.5: each wait is 3/4 of its delay (between a half and all of it).
    expect(gaps.slice(0, 6)).toEqual([3_000, 6_000, 12_000, 24_000, 45_000, 45_000]);
    expect(gaps[0]).toBeGreaterThanOrEqual(PROBE_BASE / 2);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(PROBE_CAP);
    expect(gaps.length).toBeLessThanOrEqual(16); // in 10 minutes
    // HTTP went on all along: one sync, the polls, connected.
    expect(s.fetch.of('sync')).toHaveLength(1);
    expect(root()).toEqual(['lvt-connected']);
  });

  it('a probe that opens moves the page to the WebSocket: polls stop, an action in flight settles once, later ones use the socket', async () => {
    const connected = listen('lvt:connected');
    const reconnected = listen('lvt:reconnected');
    const success = listen('lvt:success');
    await overHTTP();
    const onHTTP = Date.now();
    const poll = s.fetch.of('poll')[0];
    click($('button'));
    await flush();
    const act = s.fetch.of('action')[0]; // in flight over HTTP
    expect(act.body).toMatchObject({ t: 'action', ref: 1, token: 'tok', seq: 1 });

    const probe = await nextWS();
    expect(probe.at - onHTTP).toBeLessThanOrEqual(4_000);
    probe.open();
    expect(probe.sent).toEqual([{ t: 'join', token: 'tok', seq: 1 }]);
    expect(poll.init.signal!.aborted).toBe(true);
    // The join brings the page (a new page connection: a new token).
    probe.receive({ ...tree(1, 'b'), token: 'tok2' });
    await flush();
    expect($('p').textContent).toBe('b');
    // The HTTP answer to the action comes after the switch: it settles the
    // action, once, and its patch (numbered by the old connection, though
    // its seq would fit) is not applied: the socket brings what it changed.
    act.resolve(200, { t: 'reply', ref: 1, seq: 2, patch: { 0: 'stale' } });
    await flush();
    expect(success).toHaveLength(1);
    expect($('p').textContent).toBe('b');
    probe.receive({ t: 'patch', seq: 2, patch: { 0: 'c' } });
    expect($('p').textContent).toBe('c');

    click($('button'));
    await flush();
    expect(s.actions()).toEqual([{ t: 'action', ref: 2, name: 'inc', data: {} }]);
    probe.receive({ t: 'reply', ref: 2, seq: 3, patch: { 0: 'd' } });
    await flush();
    expect($('p').textContent).toBe('d');
    expect(success).toHaveLength(2);
    expect(s.fetch.of('action')).toHaveLength(1);
    expect(s.fetch.of('poll')).toHaveLength(1); // none since
    expect(s.fetch.of('sync')).toHaveLength(1);
    expect(connected.map((e) => e.detail)).toEqual([{ transport: 'http' }, { transport: 'websocket' }]);
    expect(reconnected).toHaveLength(0);
    expect(root()).toEqual(['lvt-connected']);
  });

  it('actions while the probe opens go over HTTP, then over the socket: each is sent once', async () => {
    await overHTTP();
    const probe = await nextWS();
    click($('button')); // the socket is not open yet
    await flush();
    probe.open();
    click($('button'));
    await flush();
    expect(s.fetch.of('action').map((r) => r.body.ref)).toEqual([1]);
    expect(s.actions().map((m) => m.ref)).toEqual([2]);
  });

  it('the probes back off on: a WebSocket that opens and soon dies does not start them again at 2 s', async () => {
    await overHTTP();
    const onHTTP = Date.now();
    const first = await nextWS();
    expect(first.at - onHTTP).toBe(3_000);
    first.open();
    first.receive(tree(1, 'w'));
    await vi.advanceTimersByTimeAsync(1_000);
    first.close(); // died within a minute: reconnect at once; it cannot open: HTTP
    const retry = await nextWS();
    retry.close();
    await until(() => s.fetch.of('sync').length > 1);
    lastOf('sync').resolve(200, tree(1, 'h'));
    await flush();
    const answered = Date.now();
    const second = await nextWS();
    expect(second.at - answered).toBe(6_000); // the next step of the backoff

    // One that stayed up a minute starts them again at 2–4 s.
    second.open();
    second.receive(tree(1, 'w'));
    await vi.advanceTimersByTimeAsync(STABLE);
    second.close();
    (await nextWS()).close();
    await until(() => s.fetch.of('sync').length > 2);
    lastOf('sync').resolve(200, tree(1, 'h'));
    await flush();
    const again = Date.now();
    expect((await nextWS()).at - again).toBe(3_000);
  });

  it('a connection that stayed up a minute does not count towards the fallback', async () => {
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 5; i++) {
      const ws = i ? await nextWS() : s.ws();
      ws.open();
      ws.receive(tree(1, 'a'));
      vi.advanceTimersByTime(i % 2 ? 1000 : STABLE);
      ws.close();
    }
    await nextWS();
    expect(FakeWS.all).toHaveLength(6);
    expect(s.fetch.reqs).toHaveLength(0);
  });

  it('when both fail it backs off exponentially with jitter up to the cap, WebSocket and HTTP in turn', async () => {
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 12; i++) {
      if (i) await nextWS();
      s.ws().close(); // cannot open
      await until(() => s.fetch.of('sync').length > i);
      s.fetch.of('sync')[i].reject(); // and HTTP fails too
      await flush();
    }
    expect(FakeWS.all).toHaveLength(12);
    const times = sent();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBe(0); // the first time, HTTP at once
    for (let i = 2; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]);
    expect(gaps[1]).toBeLessThan(1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(BACKOFF_CAP);
    expect(gaps[gaps.length - 1]).toBeGreaterThan(BACKOFF_CAP / 2);
  });

  it('falls back after flapping, and an HTTP outage then tries WebSocket again (no latch)', async () => {
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 3; i++) {
      const ws = i ? await nextWS() : s.ws();
      ws.open();
      ws.close();
    }
    await until(() => s.fetch.reqs.length > 0);
    expect(s.fetch.of('sync')).toHaveLength(1);
    const n = FakeWS.all.length;
    s.fetch.of('sync')[0].reject();
    await nextWS();
    expect(FakeWS.all.length).toBe(n + 1);
    expect(s.fetch.reqs).toHaveLength(1);
  });
});

describe('page token', () => {
  it('restart in HTTP mode: a tree with a new token, and every later POST and join carries it', async () => {
    await overHTTP();
    expect(s.fetch.of('poll')[0].body.token).toBe('tok');
    // The server restarted: it does not know "tok", makes a new page connection.
    s.fetch.of('poll')[0].resolve(200, { ...tree(1, 'new'), token: 'tok2' });
    await flush();
    expect($('p').textContent).toBe('new');
    expect(s.fetch.of('poll')).toHaveLength(2);
    expect(s.fetch.of('poll')[1].body).toEqual({ t: 'poll', token: 'tok2', seq: 1 });
    click($('button'));
    await flush();
    expect(s.fetch.of('action')[0].body).toMatchObject({ t: 'action', token: 'tok2' });
    (await nextWS()).open();
    expect(s.ws().sent[0]).toEqual({ t: 'join', token: 'tok2', seq: 1 });
  });

  it('over WebSocket: the next join carries the new token', async () => {
    s = start('<p>a</p>');
    s.ws().receive({ ...tree(1, 'b'), token: 'tok3' });
    s.ws().close(1001);
    const ws = await nextWS();
    ws.open();
    expect(ws.sent[0]).toEqual({ t: 'join', token: 'tok3', seq: 1 });
  });
});

describe('refusals and errors', () => {
  const busy = { t: 'reply', error: { code: 'rate_limited', message: 'Slow down.' } };

  it('429 on a poll: waits max(Retry-After, backoff) with jitter; one lvt:error per episode; lvt-disconnected', async () => {
    const errs = listen('lvt:error');
    await overHTTP();
    const n = requests();
    lastOf('poll').resolve(429, busy, { 'Retry-After': '10' });
    await flush();
    expect(root()).toEqual(['lvt-disconnected']);
    expect(errs.map((e) => e.detail)).toEqual([{ code: 'rate_limited', message: 'Slow down.', retryIn: 11_000 }]);
    await vi.advanceTimersByTimeAsync(10_999);
    expect(requests()).toBe(n);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests()).toBe(n + 1);
    lastOf('sync').resolve(429, busy, { 'Retry-After': '20' });
    await flush();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(requests()).toBe(n + 1); // 20 s + jitter
    expect(errs).toHaveLength(1); // same episode
    // HTTP failed too: the next attempt is a WebSocket
    const ws = await nextWS();
    ws.open();
    ws.receive(tree(2, 'b'));
    expect(root()).toEqual(['lvt-connected']);
    ws.close(4029); // a new episode
    expect(errs).toHaveLength(2);
  });

  it('429 on an action settles that action only: polls go on', async () => {
    const errs = listen('lvt:error');
    await overHTTP();
    click($('button'));
    await flush();
    s.fetch.of('action')[0].resolve(429, { ...busy, ref: 1 }, { 'Retry-After': '5' });
    await flush();
    expect(errs).toHaveLength(1);
    expect(errs[0].target).toBe($('button'));
    expect(errs[0].detail).toMatchObject({ code: 'rate_limited', action: 'inc' });
    expect(root()).toEqual(['lvt-connected']);
    expect(s.fetch.reqs).toHaveLength(3); // sync, the open poll, the action
    s.fetch.of('poll')[0].resolve(200, { t: 'patch', seq: 2, patch: { 0: 'b' } });
    await flush();
    expect($('p').textContent).toBe('b');
  });

  it('a sync refused with 429 is retried after the backoff: the page does not stall', async () => {
    await overHTTP();
    lastOf('poll').resolve(200, { t: 'patch', seq: 5, patch: { 0: 'x' } }); // a gap
    await flush();
    expect(s.fetch.of('sync')).toHaveLength(2);
    const n = requests();
    lastOf('sync').resolve(429, busy, { 'Retry-After': '3' });
    await flush();
    expect(root()).toEqual(['lvt-disconnected']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(requests()).toBe(n);
    await until(() => s.fetch.of('sync').length > 2);
    lastOf('sync').resolve(200, tree(9, 'b'));
    await flush();
    expect($('p').textContent).toBe('b');
    expect(root()).toEqual(['lvt-connected']);
  });

  it('4029: backs off from 2 s up to 60 s, stays on WebSocket, one lvt:error per episode', async () => {
    const errs = listen('lvt:error');
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 8; i++) {
      const ws = i ? await nextWS() : s.ws();
      ws.open();
      ws.close(4029, 'Too many tabs.');
      await flush();
      expect(root()).toEqual(['lvt-disconnected']);
    }
    expect(s.fetch.reqs).toHaveLength(0); // no HTTP fallback
    expect(errs.map((e) => e.detail)).toEqual([{ code: 'rate_limited', message: 'Too many tabs.', retryIn: 3000 }]);
    const times = sent();
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(2000);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(REFUSED_CAP);
    // room at last
    const ws = await nextWS();
    ws.open();
    ws.receive(tree(1, 'b'));
    expect(root()).toEqual(['lvt-connected']);
    ws.close(4029, '');
    expect(errs).toHaveLength(2);
    expect(errs[1].detail.code).toBe('rate_limited');
  });

  for (const [code, name] of [
    [4001, 'unauthorized'],
    [4003, 'forbidden'],
    [1008, 'refused'],
  ] as const) {
    it(`close code ${code}: stops for good (${name}), lvt-failed, no HTTP fallback`, async () => {
      const errs = listen('lvt:error');
      s = start('<button lvt-click="inc">+</button>');
      click($('button'));
      s.ws().close(code, 'Session ended.');
      expect(root()).toEqual(['lvt-failed']);
      expect(errs.map((e) => e.detail.code)).toEqual([name, name]); // the action's, then the page's
      expect(errs[1].target).toBe(document);
      expect(errs[1].detail).toEqual({ code: name, message: 'Session ended.' });
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(requests()).toBe(1);
      click($('button')); // fails at once
      expect(errs).toHaveLength(3);
      expect(root()).toEqual(['lvt-failed']);
    });
  }

  for (const [status, name] of [
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ] as const) {
    it(`HTTP ${status}: stops for good (${name})`, async () => {
      const errs = listen('lvt:error');
      await overHTTP();
      lastOf('poll').resolve(status, { t: 'reply', error: { code: name, message: 'No.' } });
      await flush();
      expect(root()).toEqual(['lvt-failed']);
      expect(errs.map((e) => e.detail)).toEqual([{ code: name, message: 'No.' }]);
      const n = requests();
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(requests()).toBe(n);
    });
  }

  it('the backoff restarts after a connection stayed up 10 s, not before', async () => {
    s = start('<p>a</p>', { connect: false });
    for (let i = 0; i < 6; i++) {
      const ws = i ? await nextWS() : s.ws();
      ws.open();
      ws.receive(tree(1, 'a'));
      vi.advanceTimersByTime(i < 5 ? 1000 : HEALTHY);
      ws.close(1001);
    }
    const t0 = Date.now();
    await nextWS();
    expect(Date.now() - t0).toBeLessThanOrEqual(500);
  });

  it('a reload message over HTTP stops polling', async () => {
    const reload = vi.fn();
    const loc = window.location;
    Object.defineProperty(window, 'location', { configurable: true, value: { ...loc, reload } });
    try {
      sessionStorage.clear();
      await overHTTP();
      lastOf('poll').resolve(200, { t: 'reload', reason: 'state_lost' });
      await flush();
      const n = requests();
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(reload).toHaveBeenCalledTimes(1);
      expect(requests()).toBe(n);
    } finally {
      Object.defineProperty(window, 'location', { configurable: true, value: loc });
    }
  });

  it('a reload answering the sync stops everything: no poll follows', async () => {
    const reload = vi.fn();
    const loc = window.location;
    Object.defineProperty(window, 'location', { configurable: true, value: { ...loc, reload } });
    try {
      sessionStorage.clear();
      s = start('<p>a</p>', { connect: false });
      s.ws().close();
      await until(() => s.fetch.of('sync').length > 0);
      s.fetch.of('sync')[0].resolve(200, { t: 'reload', reason: 'state_lost' });
      await flush();
      const n = requests();
      await vi.advanceTimersByTimeAsync(5 * 60_000);
      expect(reload).toHaveBeenCalledTimes(1);
      expect(s.fetch.of('poll')).toHaveLength(0);
      expect(requests()).toBe(n);
    } finally {
      Object.defineProperty(window, 'location', { configurable: true, value: loc });
    }
  });

  for (const [code, what] of [
    [1001, 'server going away'],
    [1012, 'service restart: a draining server'],
  ] as const) {
    it(`${code} (${what}) reconnects with backoff and is not a flap`, async () => {
      s = start('<p>a</p>', { connect: false });
      for (let i = 0; i < 6; i++) {
        const ws = i ? await nextWS() : s.ws();
        ws.open();
        ws.receive(tree(1, 'a'));
        ws.close(code);
      }
      await nextWS();
      expect(s.fetch.reqs).toHaveLength(0);
      const times = sent();
      expect(times[times.length - 1] - times[times.length - 2]).toBeGreaterThan(4000); // backing off
    });
  }

  it('1012 after a healthy connection reconnects after a jittered pause, over WebSocket', async () => {
    const waits: number[] = [];
    for (const r of [0, 0.999]) {
      vi.useFakeTimers();
      s = start('<p>a</p>', { connect: false, random: () => r });
      const ws = s.ws();
      ws.open();
      ws.receive(tree(1, 'a'));
      await vi.advanceTimersByTimeAsync(HEALTHY);
      const closed = Date.now();
      ws.close(1012, 'server restarting');
      const next = await nextWS();
      waits.push(next.at - closed);
      expect(s.fetch.reqs).toHaveLength(0); // no HTTP fallback
      stop(s);
    }
    expect(waits[0]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeGreaterThan(waits[0]); // spread by jitter
    expect(waits[1]).toBeLessThanOrEqual(550);
  });

  for (const [what, answer] of [
    ['a 5xx', (r: Req) => r.resolve(502)],
    ['a network error', (r: Req) => r.reject()],
    ['a 2xx body that is not a message', (r: Req) => r.resolve(200, '<html>')],
  ] as const) {
    it(`${what} on a poll backs off: lvt:disconnected, lvt-disconnected, no request at once`, async () => {
      const down = listen('lvt:disconnected');
      await overHTTP();
      const n = requests();
      answer(lastOf('poll'));
      await flush();
      expect(down).toHaveLength(1);
      expect(root()).toEqual(['lvt-disconnected']);
      expect(requests()).toBe(n);
      await vi.advanceTimersByTimeAsync(100);
      expect(requests()).toBe(n);
      await until(() => requests() > n);
      expect(lastOf('sync').body.t).toBe('sync');
    });
  }

  it('polls answered with 204 at once, again and again, back off', async () => {
    await overHTTP();
    for (let i = 0; i < 30 && Date.now() < 60_000; i++) {
      await until(() => s.fetch.of('poll').length > i);
      s.fetch.of('poll')[i].resolve(204);
      await flush();
    }
    expect(s.fetch.of('poll').length).toBeLessThanOrEqual(10);
  });
});

describe('request bound', () => {
  /** serve answers every request at once, for a minute of fake time, as
   * the server would (ws, http); it returns how many requests (WebSockets
   * and POSTs) the client made. A request loop without a timer in between
   * fails it. */
  async function serve(ws: (w: FakeWS) => void, http: (r: Req) => void): Promise<number> {
    const done = new Set<FakeWS | Req>();
    const t0 = Date.now();
    while (Date.now() - t0 < 60_000) {
      for (let i = 0; ; i++) {
        const fresh = [...FakeWS.all, ...s.fetch.reqs].filter((r) => !done.has(r));
        if (!fresh.length) break;
        if (i > 100) throw new Error('tight loop');
        for (const r of fresh) {
          done.add(r);
          if (r instanceof FakeWS) ws(r);
          else http(r);
        }
        await flush();
      }
      await vi.advanceTimersByTimeAsync(100);
    }
    return requests();
  }

  const refuse = (r: Req) => r.resolve(429, { t: 'reply', error: { code: 'rate_limited', message: 'No.' } }, { 'Retry-After': '1' });
  const full = (w: FakeWS) => {
    w.open();
    w.close(4029);
  };
  const cannotOpen = (w: FakeWS) => w.close();
  for (const [what, ws, http] of [
    ['group full (4029)', full, refuse],
    ['sockets closed with 1000 at once, HTTP 429', (w: FakeWS) => (w.open(), w.close(1000)), refuse],
    ['sockets closed after a tree with 1011, HTTP 503', (w: FakeWS) => (w.open(), w.receive(tree(1, 'a')), w.close(1011)), (r: Req) => r.resolve(503)],
    ['join timeouts (4008), HTTP network errors', (w: FakeWS) => (w.open(), w.close(4008)), (r: Req) => r.reject()],
    ['server down', cannotOpen, (r: Req) => r.reject()],
    ['no WebSocket, HTTP 429', cannotOpen, refuse],
    ['no WebSocket, HTTP 500', cannotOpen, (r: Req) => r.resolve(500, { t: 'reply', error: { code: 'internal', message: 'x' } })],
    ['no WebSocket, junk 200 bodies', cannotOpen, (r: Req) => r.resolve(200, 'ok')],
    ['no WebSocket, polls answered 204 at once', cannotOpen, (r: Req) => (r.body.t === 'sync' ? r.resolve(200, tree(1, 'a')) : r.resolve(204))],
    ['no WebSocket, every POST answered with a new tree (unknown token)', cannotOpen, (r: Req) => r.resolve(200, tree(1, 'a'))],
  ] as const) {
    it(`${what}: at most 15 requests a minute`, async () => {
      s = start('<p>a</p>', { connect: false });
      const n = await serve(ws, http);
      expect(n).toBeLessThanOrEqual(15);
    });
  }
});
