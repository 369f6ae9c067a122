import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKOFF_CAP, PROBE_EVERY, STABLE } from '../src/transport';
import { $, FakeWS, type Setup, click, doc, start, stop } from './harness';

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

    await vi.advanceTimersByTimeAsync(PROBE_EVERY);
    expect(FakeWS.all).toHaveLength(4);
    const probe = s.ws();
    probe.open();
    expect(probe.sent[0]).toMatchObject({ t: 'join', token: 'tok' });
    await flush();
    // polling stopped: the open poll was aborted and no new one started
    expect(s.fetch.of('poll')).toHaveLength(1);
    poll.resolve(200, { t: 'patch', seq: 2, patch: { 0: 'stale' } });
    await flush();
    probe.receive(tree(1, 'w'));
    expect($('p').textContent).toBe('w');
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

  it('when both fail it backs off exponentially with jitter up to the cap, WebSocket first', async () => {
    s = start('<p>a</p>', { connect: false });
    const starts: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 12; i++) {
      if (i) await nextWS();
      starts.push(Date.now() - t0);
      s.ws().close(); // cannot open
      await flush();
      const sync = s.fetch.of('sync');
      sync[sync.length - 1].reject(); // and HTTP fails too
      await flush();
    }
    expect(s.fetch.of('sync')).toHaveLength(12); // every cycle: WebSocket, then HTTP
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]);
    expect(gaps[0]).toBeLessThan(1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(BACKOFF_CAP + 50);
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
