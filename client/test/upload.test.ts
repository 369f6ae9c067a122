// The upload part: declares a file input's files, sends their chunks up to
// the window ahead of the acknowledgements (one at a time over HTTP), shows
// progress, shows refusals as field errors, halts while the connection is
// down and resumes from where the server stands, and cancels.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ACK_WAIT, WINDOW, type UploadHost, uploads } from '../src/upload';
import { $, partsAsked, start, stop, treeOf } from './harness';

type Msg = Record<string, unknown>;

function setup(http = false) {
  document.body.innerHTML =
    '<form lvt-submit="add"><input type="file" name="photo"><progress lvt-upload-progress="photo"></progress><button lvt-upload-cancel="photo" type="button">x</button></form>';
  const form = document.querySelector('form')!;
  const input = form.querySelector('input')!;
  const sent: Msg[] = [];
  const shown: Msg[] = [];
  let connected = true;
  const host: UploadHost = {
    send: (m) => void sent.push(m),
    up: () => connected,
    http: () => http,
    invalid: (_f, err, fields) => void shown.push({ err, fields }),
  };
  const u = uploads(document, host);
  const choose = (...files: File[]) => Object.defineProperty(input, 'files', { value: files, configurable: true });
  return { form, input, sent, shown, u, choose, setUp: (v: boolean) => (connected = v) };
}

/** settle lets the part's file reads and sends run. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
};

const file = (size: number, name = 'a.png') => new File([new Uint8Array(size).fill(65)], name, { type: 'image/png' });
const chunks = (sent: Msg[]) => sent.filter((m) => m.t === 'chunk');

describe('uploads', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('declares the files, sends chunks within the window, and resolves to the batch', async () => {
    const { form, sent, u, choose } = setup();
    choose(file(100));
    const done = u.submit(form, 'add');
    await settle();
    expect(sent[0]).toEqual({ t: 'upload', ref: 1, name: 'add', field: 'photo', auto: false, files: [{ name: 'a.png', size: 100 }] });
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    expect(chunks(sent)).toHaveLength(WINDOW);
    expect(chunks(sent)[0]).toEqual({ t: 'chunk', id: 'f1', n: 0, b: btoa('A'.repeat(10)) });
    for (let n = 1; n <= 10; n++) {
      u.message({ t: 'upload', id: 'f1', n, done: n === 10 });
      await settle();
    }
    expect(chunks(sent).map((m) => m.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expect(done).resolves.toEqual(['b1']);
    const p = form.querySelector('progress')!;
    expect([p.value, p.max]).toEqual([100, 100]);
  });

  it('sends one chunk at a time over HTTP', async () => {
    const { form, sent, u, choose } = setup(true);
    choose(file(30));
    void u.submit(form, 'add');
    await settle();
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    expect(chunks(sent)).toHaveLength(1);
    u.message({ t: 'upload', id: 'f1', n: 1 });
    await settle();
    expect(chunks(sent)).toHaveLength(2);
  });

  it('shows a refusal as a field error and sends nothing', async () => {
    const { form, sent, shown, u, choose } = setup();
    choose(file(100, 'big.png'));
    const done = u.submit(form, 'add');
    await settle();
    const fields = { photo: '"big.png" is larger than 50 bytes.' };
    u.message({ t: 'upload', ref: 1, error: { code: 'invalid', message: fields.photo }, fields });
    await expect(done).resolves.toBeNull();
    expect(shown).toEqual([{ err: { code: 'invalid', message: fields.photo }, fields }]);
    expect(chunks(sent)).toHaveLength(0);
  });

  it('halts while the connection is down and resumes where the server stands', async () => {
    const { form, sent, u, choose, setUp } = setup();
    choose(file(100));
    const done = u.submit(form, 'add');
    await settle();
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    u.message({ t: 'upload', id: 'f1', n: 3 });
    setUp(false);
    u.halt();
    await settle();
    const before = chunks(sent).length;
    setUp(true);
    u.resume();
    expect(sent[sent.length - 1]).toEqual({ t: 'resume', id: 'f1' });
    await settle();
    expect(chunks(sent)).toHaveLength(before); // nothing until the answer
    u.message({ t: 'upload', id: 'f1', n: 5 }); // the server holds 5
    await settle();
    expect(chunks(sent)[before].n).toBe(5);
    for (let n = 6; n <= 10; n++) u.message({ t: 'upload', id: 'f1', n, done: n === 10 });
    await expect(done).resolves.toEqual(['b1']);
  });

  it('asks where a file stands when its chunks go unacknowledged (an answer was dropped), and goes on', async () => {
    vi.useFakeTimers();
    try {
      const { form, sent, u, choose } = setup();
      const tick = async (ms: number) => {
        for (let i = 0; i < 20; i++) await vi.advanceTimersByTimeAsync(ms / 20);
      };
      choose(file(30));
      const done = u.submit(form, 'add');
      await tick(1);
      u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
      await tick(1);
      expect(chunks(sent)).toHaveLength(3);
      u.message({ t: 'upload', id: 'f1', n: 1 }); // the acks of 2 and 3 are lost
      await tick(ACK_WAIT - 1000);
      expect(sent.filter((m) => m.t === 'resume')).toEqual([]);
      await tick(ACK_WAIT);
      expect(sent.filter((m) => m.t === 'resume')).toEqual([{ t: 'resume', id: 'f1' }]);
      u.message({ t: 'upload', id: 'f1', n: 3, done: true }); // the answer: all of it, stored
      await expect(done).resolves.toEqual(['b1']);
      expect(chunks(sent)).toHaveLength(3); // nothing sent twice
      await tick(3 * ACK_WAIT);
      expect(sent.filter((m) => m.t === 'resume')).toHaveLength(1); // no file, no watchdog
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('cancels: the server is told, and a batch with every file cancelled sends no action', async () => {
    const { form, sent, u, choose } = setup();
    choose(file(100));
    const done = u.submit(form, 'add');
    await settle();
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    u.cancel(form, 'photo');
    expect(sent[sent.length - 1]).toEqual({ t: 'cancel', id: 'f1' });
    await expect(done).resolves.toBeNull();
  });

  it('uploads a file as soon as it is chosen when the field says so, else at the submit', async () => {
    const { form, input, sent, u, choose } = setup();
    choose(file(10));
    u.chosen(input, 'add');
    expect(sent[0]).toMatchObject({ t: 'upload', ref: 1, auto: true });
    u.message({ t: 'upload', ref: 1, later: true });
    const done = u.submit(form, 'add');
    await settle();
    expect(sent[1]).toMatchObject({ t: 'upload', ref: 2, auto: false });
    u.message({ t: 'upload', ref: 2, batch: 'b2', files: ['f2'], chunk: 10 });
    await settle();
    u.message({ t: 'upload', id: 'f2', n: 1, done: true });
    await expect(done).resolves.toEqual(['b2']);
  });

  it('fires lvt:upload-progress with a cancel of its own', async () => {
    const { form, input, u, choose } = setup();
    const seen: { loaded: number; total: number; cancel: () => void }[] = [];
    input.addEventListener('lvt:upload-progress', (e) => seen.push((e as CustomEvent).detail));
    choose(file(20));
    const done = u.submit(form, 'add');
    await settle();
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    u.message({ t: 'upload', id: 'f1', n: 1 });
    expect(seen.map((d) => [d.loaded, d.total])).toEqual([
      [0, 20],
      [10, 20],
    ]);
    seen[1].cancel();
    await expect(done).resolves.toBeNull();
  });
});

describe('uploads in the live page', () => {
  const page =
    '<form lvt-submit="add"><input name="caption" value="hi"><input type="file" name="photo"><button>Go</button></form>';

  it('loads the part only for a form with files, sends the files, then the action naming them', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const s = start(page);
    try {
      const form = $('form') as HTMLFormElement;
      form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await vi.advanceTimersByTimeAsync(0);
      expect(partsAsked).toEqual([]);
      expect(s.actions()).toEqual([{ t: 'action', ref: 1, name: 'add', data: { caption: 'hi' } }]);
      s.ws().receive({ t: 'reply', ref: 1, seq: 2, patch: {} });

      Object.defineProperty($('input[type=file]'), 'files', { value: [file(15)], configurable: true });
      form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
      await vi.advanceTimersByTimeAsync(0);
      expect(partsAsked).toEqual(['upload']);
      const ws = s.ws();
      const up = ws.sent.find((m) => m.t === 'upload')!;
      expect(up).toMatchObject({ name: 'add', field: 'photo', files: [{ name: 'a.png', size: 15 }] });
      ws.receive({ t: 'upload', ref: up.ref, batch: 'b1', files: ['f1'], chunk: 10 });
      await vi.advanceTimersByTimeAsync(0);
      expect(ws.sent.filter((m) => m.t === 'chunk').map((m) => m.n)).toEqual([0, 1]);

      // The connection drops: the upload resumes on the next one.
      ws.receive({ t: 'upload', id: 'f1', n: 1 });
      ws.close();
      await vi.advanceTimersByTimeAsync(30_000);
      const ws2 = s.ws();
      ws2.open();
      ws2.receive({ t: 'tree', seq: 1, tree: treeOf(page) });
      expect(ws2.sent.find((m) => m.t === 'resume')).toEqual({ t: 'resume', id: 'f1' });
      ws2.receive({ t: 'upload', id: 'f1', n: 1 });
      await vi.advanceTimersByTimeAsync(0);
      expect(ws2.sent.filter((m) => m.t === 'chunk').map((m) => m.n)).toEqual([1]);
      ws2.receive({ t: 'upload', id: 'f1', n: 2, done: true });
      await vi.advanceTimersByTimeAsync(0);
      const act = ws2.sent.filter((m) => m.t === 'action');
      expect(act).toHaveLength(1);
      expect(act[0]).toMatchObject({ name: 'add', data: { caption: 'hi' }, uploads: ['b1'] });
      expect(JSON.stringify(act[0])).not.toContain('a.png');
    } finally {
      stop(s);
    }
  });
});

describe('progress across updates', () => {
  it('shows again after an update re-renders the progress element', async () => {
    const { form, u, choose } = setup();
    choose(file(100));
    void u.submit(form, 'add');
    await settle();
    u.message({ t: 'upload', ref: 1, batch: 'b1', files: ['f1'], chunk: 10 });
    await settle();
    u.message({ t: 'upload', id: 'f1', n: 4 });
    const bar = () => form.querySelector('progress')!;
    expect([bar().value, bar().max]).toEqual([40, 100]);
    bar().replaceWith(Object.assign(document.createElement('progress'), { value: 0 })); // a re-render
    bar().setAttribute('lvt-upload-progress', 'photo');
    u.settle();
    expect([bar().value, bar().max]).toEqual([40, 100]);
  });
});
