// The live page: holds the tree, applies what the server sends in order,
// sends actions and settles each one exactly once (reply, error, lost
// connection or timeout), and tells the page about its connection.

import { type ActionError, errors } from './errors';
import { emit } from './emit';
import { listen } from './events';
import type { Data } from './forms';
import { type Hook, hooks } from './hooks';
import { loading } from './loading';
import { morph } from './morph';
import { scroll } from './scroll';
import { type ConnError, type Env, type ServerMsg, jitter, transport } from './transport';
import { type Statics, type TNode, applyPatch, parseTree } from './tree';
import { updater } from './update';

export const ACTION_TIMEOUT = 15_000;
export const RELOADS = 5;
export const RELOAD_WINDOW = 5 * 60_000;
const RELOADS_KEY = 'lvt-reloads';

export interface Options {
  doc: Document;
  win: Window;
  token: string;
  env: Env;
  hooks: () => Record<string, Hook | undefined>;
}

/** What an action settles to. */
export interface Result {
  ok: boolean;
  error?: ActionError;
}

export interface Live {
  start(): void;
  /** stop ends the live connection and unbinds everything. */
  stop(): void;
  /** action sends a user action; the promise settles with its outcome. */
  action(name: string, data: Data, el: Element | null, form: Element | null): Promise<Result>;
}

interface Pending {
  name: string;
  el: Element | null;
  form: Element | null;
  timer: ReturnType<typeof setTimeout>;
  stop: () => void;
  done: (r: Result) => void;
}

export function live(o: Options): Live {
  const { doc, win, env } = o;
  const root = doc.documentElement;
  const load = loading(root);
  const errs = errors(doc);
  const hk = hooks(o.hooks, (el, name, data) => action(name, data, el, el.closest('form')));
  const sc = scroll();
  const up = updater(
    doc,
    morph(doc, {
      added(n, deep) {
        hk.added(n, deep);
        sc.added(n, deep);
      },
      morphing: load.suspend,
      morphed(el, changed) {
        load.resume(el);
        hk.morphed(el, changed);
        sc.added(el, false);
      },
    }),
  );
  const life = new AbortController();
  const pending = new Map<number, Pending>();
  let tree: TNode | null = null;
  let known: Statics = new Map();
  let last = 0;
  let syncing = true; // a tree is on its way: drop patches until it arrives
  let connected = false;
  let wasDown = false;
  let ref = 0;
  let told = ''; // the code of the connection error reported since the last tree
  let dead: ConnError | null = null; // the client stopped for good

  const fire = (name: string, detail: object) => emit(doc, null, name, detail);

  const setRoot = (cls: string) => {
    root.classList.remove('lvt-connected', 'lvt-disconnected', 'lvt-failed');
    root.classList.add(cls);
  };

  /** gone: the client stopped for good (refused, or too many reloads). */
  const gone = (err: ConnError) => {
    dead = err;
    connected = false;
    pending.forEach((_, r) => end(r, err));
    setRoot('lvt-failed');
    fire('error', err);
  };

  /** settled runs what follows any change of the DOM. */
  const settled = () => {
    hk.settle();
    sc.settle();
    errs.reapply();
  };

  const failed = (p: Pending, err: ActionError, fields: Record<string, string> | null = null, form: Element | null = null) => {
    errs.report(p.el, p.name, err, fields, form);
    p.done({ ok: false, error: err });
  };

  /** end settles action r (failed with err, if given); it returns the
   * action unless it was settled before. */
  const end = (r: number, err?: ActionError): Pending | undefined => {
    const p = pending.get(r);
    if (!p) return;
    t.unqueue(r);
    clearTimeout(p.timer);
    pending.delete(r);
    p.stop();
    if (!err) return p;
    failed(p, err);
  };

  const lost = (r: number) => end(r, { code: 'disconnected', message: 'Connection lost.' });

  /** reload reloads the page after a jittered delay, at most RELOADS times
   * in RELOAD_WINDOW (counted in sessionStorage); past that it gives up:
   * lvt:error with code "reload", lvt-failed. */
  const reload = () => {
    const now = Date.now();
    let times: number[] = [];
    t.stop();
    try {
      const store = win.sessionStorage;
      times = JSON.parse(store.getItem(RELOADS_KEY) || '[]').filter((x: number) => now - x < RELOAD_WINDOW);
      store.setItem(RELOADS_KEY, JSON.stringify(times.concat(now)));
    } catch {
      // no sessionStorage: reload without counting
    }
    if (times.length >= RELOADS) gone({ code: 'reload', message: 'Too many reloads.' });
    else setTimeout(() => win.location.reload(), jitter(env, Math.min(30_000, 250 << times.length)));
  };

  /** ordered applies a numbered patch in sequence, or asks for a full tree. */
  const ordered = (m: ServerMsg) => {
    if (syncing || !tree) return;
    try {
      if (m.seq !== last + 1) throw 0;
      const a = applyPatch(tree, m.patch, known);
      up.apply(tree, a.root, a.from);
      tree = a.root;
    } catch {
      // sync: ask for a full tree; patches are dropped until it arrives.
      syncing = true;
      return t.send({ t: 'sync' });
    }
    last++;
    settled();
  };

  const message = (m: ServerMsg) => {
    if (m.t === 'tree') {
      const k: Statics = new Map();
      try {
        if (typeof m.seq !== 'number') throw 0;
        tree = parseTree(m.tree, k);
      } catch {
        return reload();
      }
      known = k;
      last = m.seq as number;
      syncing = false;
      told = '';
      up.full(tree);
      hk.added(doc.body, true);
      settled();
      if (connected) return;
      connected = true;
      setRoot('lvt-connected');
      const detail = { transport: t.mode() };
      fire('connected', detail);
      if (wasDown) fire('reconnected', detail);
    } else if (m.t === 'patch') ordered(m);
    else if (m.t === 'reply') {
      const err = m.error as (ActionError & { fields?: unknown }) | undefined;
      const p = end(m.ref as number);
      if (err) return p && failed(p, err, (m.fields || err.fields || null) as Record<string, string> | null, p.form);
      if ('seq' in m) ordered(m);
      if (!p) return;
      const form = p.form as HTMLFormElement | null;
      errs.ok(form);
      // Quoted: "reset" is a shortened internal name in the bundle (build.mjs).
      if (form && form.hasAttribute('lvt-reset')) form['reset']();
      emit(doc, p.el, 'success', { action: p.name, ref: m.ref });
      p.done({ ok: true });
    } else if (m.t === 'reload') reload();
  };

  const t = transport(env, o.token, {
    message,
    seq: () => last,
    down(was, err) {
      syncing = true;
      // Nothing waits in the transport's queue while it is up, so every
      // pending action was sent over the connection that is gone.
      if (was) pending.forEach((_, r) => lost(r));
      setRoot('lvt-disconnected');
      if (connected) {
        connected = false;
        wasDown = true;
        fire('disconnected', {});
      }
      // A refusal: once per episode (until the next tree).
      if (err && err.code !== told) {
        told = err.code;
        fire('error', err);
      }
    },
    fail: gone,
    lost(m) {
      if (m.t === 'action') lost(m.ref!);
    },
  });

  const action = (name: string, data: Data, el: Element | null, form: Element | null) =>
    new Promise<Result>((done) => {
      const r = ++ref;
      pending.set(r, {
        name,
        el,
        form,
        // A form's own action (submit, change, input) also decorates its lvt-disable-with buttons.
        stop: load.begin(el ? (el === form ? [el, ...Array.from(el.querySelectorAll('[lvt-disable-with]'))] : [el]) : []),
        timer: setTimeout(() => end(r, { code: 'timeout', message: 'No answer from the server.' }), ACTION_TIMEOUT),
        done,
      });
      t.send({ t: 'action', ref: r, name, data });
      if (dead) end(r, dead);
    });

  return {
    start() {
      const signal = life.signal;
      listen(doc, win, (el, name, data, form) => void action(name, data, el, form), signal);
      doc.addEventListener('scroll', (e) => sc.scrolled(e.target), { capture: true, signal });
      hk.added(doc.body, true);
      sc.added(doc.body, true);
      sc.settle();
      t.start();
    },
    stop() {
      life.abort();
      t.stop();
    },
    action,
  };
}
