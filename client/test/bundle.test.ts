// Runs the built bundle (dist/livetemplate.js) as a page would, to catch
// what building can break (property renaming, the entry point).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeWS, doc } from './harness';

const code = readFileSync(join(__dirname, '..', 'dist', 'livetemplate.js'), 'utf8');

describe('the built bundle', () => {
  const events: [string, unknown][] = [];
  for (const n of ['connected', 'error', 'success']) {
    document.addEventListener('lvt:' + n, (e) => events.push([n, (e as CustomEvent).detail]));
  }
  const body = '<form lvt-submit="todos.add"><input name="title" value="007"><p lvt-error="title"></p></form><div lvt-hook="H"></div>';
  const w = window as unknown as Record<string, unknown>;
  const realWS = w.WebSocket;
  afterAll(() => {
    w.WebSocket = realWS;
  });

  it('connects, sends actions and handles replies', async () => {
    document.body.innerHTML = body + '<script data-lvt-token="tok-1"></script>';
    FakeWS.all = [];
    w.WebSocket = FakeWS;
    const mounted: unknown[] = [];
    w.LiveTemplate = { hooks: { H: { mounted(this: { el: Element; action: unknown }) { mounted.push([this.el.tagName, typeof this.action]); } } } };
    (0, eval)(code);
    const ws = FakeWS.last();
    ws.open();
    expect(ws.sent[0]).toEqual({ t: 'join', token: 'tok-1', seq: 0 });
    ws.receive({ t: 'tree', seq: 1, tree: { s: [doc(body)] } });
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
  });
});
