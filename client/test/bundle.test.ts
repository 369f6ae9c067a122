// Runs the built bundle (dist/livetemplate.js) as a page would, to catch
// what building can break (property renaming, the entry point).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeFetch, FakeWS, doc } from './harness';

const code = readFileSync(join(__dirname, '..', 'dist', 'livetemplate.js'), 'utf8');
/** The parts' code, run as the page would after fetching them (happy-dom
 * does not): what they share with the bundle must survive the renaming. */
const parts = ['errors', 'scroll', 'upload'].map((n) => readFileSync(join(__dirname, '..', 'dist', 'parts', n + '.js'), 'utf8'));

describe('the built bundle', () => {
  const events: [string, unknown][] = [];
  for (const n of ['connected', 'error', 'success', 'navigated']) {
    document.addEventListener('lvt:' + n, (e) => events.push([n, (e as CustomEvent).detail]));
  }
  const body = '<form lvt-submit="todos.add" lvt-reset><input name="title" value="007"><p lvt-error="title"></p></form><div lvt-hook="H"></div>';
  const [pre, post] = doc(body + '<ul>|</ul>').split('|');
  const item = ['<li data-key="', '">', '</li>'];
  const w = window as unknown as Record<string, unknown>;
  const realWS = w.WebSocket;
  const realFetch = w.fetch;
  const fetch = new FakeFetch();
  afterAll(() => {
    w.WebSocket = realWS;
    w.fetch = realFetch;
  });

  it('connects, sends actions and handles replies', async () => {
    document.body.innerHTML = body + '<script data-lvt-token="tok-1"></script>';
    FakeWS.all = [];
    w.WebSocket = FakeWS;
    w.fetch = fetch.fn;
    const mounted: unknown[] = [];
    w.LiveTemplate = { hooks: { H: { mounted(this: { el: Element; action: unknown }) { mounted.push([this.el.tagName, typeof this.action]); } } } };
    (0, eval)(code);
    for (const p of parts) (0, eval)(p);
    const ws = FakeWS.last();
    ws.open();
    expect(ws.sent[0]).toEqual({ t: 'join', token: 'tok-1', seq: 0 });
    ws.receive({ t: 'tree', seq: 1, tree: { s: [pre, post], 0: { s: item, r: [{ 0: 'a', 1: 'A' }, { 0: 'b', 1: 'B' }] } } });
    expect(events[0]).toEqual(['connected', { transport: 'websocket' }]);
    expect(document.documentElement.classList.contains('lvt-connected')).toBe(true);
    expect(mounted).toEqual([['DIV', 'function']]);

    document.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(ws.sent[1]).toEqual({ t: 'action', ref: 1, name: 'todos.add', data: { title: '007' } });
    ws.receive({ t: 'reply', ref: 1, error: { code: 'invalid', message: 'Bad.' }, fields: { title: 'Required.' } });
    expect(events[1]).toEqual(['error', { code: 'invalid', message: 'Bad.', action: 'todos.add', fields: { title: 'Required.' } }]);
    expect(document.querySelector('[lvt-error]')!.textContent).toBe('Required.');

    const api = w.LiveTemplate as { action(n: string, d: object): Promise<unknown> };
    const p = api.action('todos.clear', { all: 'yes' });
    expect(ws.sent[2]).toEqual({ t: 'action', ref: 2, name: 'todos.clear', data: { all: 'yes' } });
    ws.receive({ t: 'reply', ref: 2, seq: 2, patch: {} });
    await expect(p).resolves.toEqual({ ok: true });
    expect(events[2]).toEqual(['success', { action: 'todos.clear', ref: 2 }]);

    // a patch: one item changed, one moved, one added
    ws.receive({ t: 'patch', seq: 3, patch: { 0: [-1, [{ 1: 'B2' }], { 0: 'c', 1: 'C' }, [0, 1]] } });
    expect(Array.from(document.querySelectorAll('li'), (li) => li.textContent)).toEqual(['B2', 'C', 'A']);

    // lvt-reset resets the form (HTMLFormElement.reset) after a success
    const input = document.querySelector('input')!;
    input.value = 'typed';
    document.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(ws.sent[3]).toMatchObject({ t: 'action', ref: 3, data: { title: 'typed' } });
    ws.receive({ t: 'reply', ref: 3, seq: 4, patch: {} });
    expect(input.value).toBe('007');
    expect(document.querySelector('[lvt-error]')!.textContent).toBe('');
  });

  it('navigates live (window.LiveTemplate.navigate)', async () => {
    const ws = FakeWS.last();
    const api = w.LiveTemplate as { navigate(url: string): void };
    api.navigate('/b?x=1');
    expect(fetch.urls).toEqual(['http://example.test/b?x=1']);
    expect(fetch.reqs[0].init.headers).toEqual({ 'Lvt-Navigate': 'tok-1' });
    fetch.reqs[0].resolve(200, { t: 'page', token: 'tok-2' }, { 'Content-Type': 'application/json' }, 'http://example.test/b?x=1');
    await new Promise((r) => setTimeout(r));
    expect(location.href).toBe('http://example.test/b?x=1');
    expect(ws.sent[ws.sent.length - 1]).toEqual({ t: 'navigate', ref: 4, token: 'tok-2' });
    ws.receive({ t: 'tree', ref: 4, seq: 1, tree: { s: [doc('<h1>B</h1>')] } });
    expect(document.querySelector('h1')!.textContent).toBe('B');
    expect(events[events.length - 1]).toEqual(['navigated', { url: 'http://example.test/b?x=1' }]);
  });
});
