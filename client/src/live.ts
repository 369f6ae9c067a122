// The live page: holds the tree, applies what the server sends in order,
// sends actions and settles each one exactly once (reply, error, lost
// connection or timeout), and tells the page about its connection.

import { type ActionError, Errors } from './errors';
import { emit } from './emit';
import { Events } from './events';
import type { Data } from './forms';
import { type Hook, Hooks } from './hooks';
import { Loading } from './loading';
import { Morph } from './morph';
import { Renderer } from './render';
import { Scroll } from './scroll';
import { type ClientMsg, type Env, type Link, type ServerMsg, Transport } from './transport';
import { type Statics, type TNode, applyPatch, parseTree } from './tree';
import { Updater } from './update';

export const ACTION_TIMEOUT = 15_000;
export const RELOADS = 5;
export const RELOAD_WINDOW = 5 * 60_000;
const LOST = 'Connection lost.';
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

interface Pending {
  name: string;
  el: Element | null;
  form: Element | null;
  timer: ReturnType<typeof setTimeout>;
  stop: () => void;
  done: (r: Result) => void;
}

export class Live implements Link {
  readonly transport: Transport;
  readonly updater: Updater;
  private readonly doc_: Document;
  private readonly root_: Element;
  private readonly hooks_: Hooks;
  private readonly scroll_ = new Scroll();
  private readonly loading_: Loading;
  private readonly errors_: Errors;
  private readonly events_: Events;
  private tree_: TNode | null = null;
  private known_: Statics = new Map();
  private last_ = 0;
  private syncing_ = true; // a tree is on its way: drop patches until it arrives
  private connected_ = false;
  private wasDown_ = false;
  private ref_ = 0;
  private pending_ = new Map<number, Pending>();
  private readonly life_ = new AbortController();

  constructor(private readonly o_: Options) {
    const doc = (this.doc_ = o_.doc);
    this.root_ = doc.documentElement;
    this.loading_ = new Loading(this.root_);
    this.errors_ = new Errors(doc);
    this.hooks_ = new Hooks(o_.hooks, (el, name, data) => this.action(name, data, el, el.closest('form')));
    this.events_ = new Events(doc, o_.win, (el, name, data, form) => void this.action(name, data, el, form));
    const hooks = this.hooks_;
    const scroll = this.scroll_;
    const loading = this.loading_;
    const morph = new Morph(doc, {
      added(n, deep) {
        hooks.added(n, deep);
        scroll.added(n, deep);
      },
      removing(n, deep) {
        hooks.removing(n, deep);
        scroll.removing(n, deep);
      },
      morphing: (el) => loading.suspend(el),
      morphed(el, changed) {
        loading.resume(el);
        hooks.morphed(el, changed);
        scroll.morphed(el);
      },
    });
    this.updater = new Updater(doc, new Renderer(), morph);
    this.transport = new Transport(o_.env, o_.token, this);
  }

  start(): void {
    const { doc } = this.o_;
    const signal = this.life_.signal;
    this.events_.listen(signal);
    doc.addEventListener('scroll', (e) => this.scroll_.scrolled(e.target), { capture: true, signal });
    this.hooks_.added(doc.body);
    this.scroll_.added(doc.body);
    this.transport.start();
  }

  /** stop ends the live connection and unbinds everything. */
  stop(): void {
    this.life_.abort();
    this.transport.stop();
  }

  /** action sends a user action; the promise settles with its outcome. */
  action(name: string, data: Data, el: Element | null, form: Element | null): Promise<Result> {
    const ref = ++this.ref_;
    // A form's own action (submit, change, input) also decorates its lvt-disable-with buttons.
    const decorated = el && el === form ? [el, ...Array.from(el.querySelectorAll('[lvt-disable-with]'))] : [el];
    return new Promise<Result>((done) => {
      const p: Pending = {
        name,
        el,
        form,
        stop: this.loading_.start(decorated.filter((x): x is Element => !!x)),
        timer: setTimeout(
          () => this.fail_(ref, { code: 'timeout', message: 'No answer from the server.' }),
          ACTION_TIMEOUT,
        ),
        done,
      };
      this.pending_.set(ref, p);
      this.transport.send({ t: 'action', ref, name, data });
    });
  }

  // Link: what the transport reports.

  seq(): number {
    return this.last_;
  }

  message(m: ServerMsg): void {
    switch (m.t) {
      case 'tree':
        return this.onTree_(m);
      case 'patch':
        return this.ordered_(m);
      case 'reply':
        return this.onReply_(m);
      case 'reload':
        return this.reload_();
    }
  }

  down(): void {
    this.syncing_ = true;
    // Nothing waits in the transport's queue while it is up, so every
    // pending action was sent over the connection that is gone.
    for (const ref of Array.from(this.pending_.keys())) this.fail_(ref, { code: 'disconnected', message: LOST });
    if (!this.connected_) return;
    this.connected_ = false;
    this.wasDown_ = true;
    this.setRoot_('lvt-disconnected');
    emit(this.doc_, null, 'disconnected', {});
  }

  lost(m: ClientMsg): void {
    if (m.t === 'action') this.fail_(m.ref!, { code: 'disconnected', message: LOST });
  }

  // Server messages.

  private onTree_(m: ServerMsg): void {
    let tree: TNode;
    const known: Statics = new Map();
    try {
      if (typeof m.seq !== 'number') throw new Error('tree without seq');
      tree = parseTree(m.tree, known);
    } catch {
      this.reload_();
      return;
    }
    this.tree_ = tree;
    this.known_ = known;
    this.last_ = m.seq as number;
    this.syncing_ = false;
    this.updater.full(tree);
    this.hooks_.added(this.doc_.body);
    this.settled_();
    if (this.connected_) return;
    this.connected_ = true;
    this.setRoot_('lvt-connected');
    emit(this.doc_, null, 'connected', { transport: this.transport.mode });
    if (this.wasDown_) emit(this.doc_, null, 'reconnected', { transport: this.transport.mode });
  }

  private onReply_(m: ServerMsg): void {
    const ref = m.ref as number;
    const p = this.pending_.get(ref);
    if (p) this.settle_(ref, p);
    const err = m.error as ActionError | undefined;
    if (err) {
      if (!p) return;
      const fields = (m.fields || (err as { fields?: unknown }).fields || null) as Record<string, string> | null;
      this.errors_.report(p.el, p.name, err, fields, p.form);
      p.done({ ok: false, error: err });
      return;
    }
    if ('seq' in m) this.ordered_(m);
    if (!p) return;
    if (p.form) {
      this.errors_.set(p.form, {});
      // Quoted: "reset" is a shortened internal name in the bundle (build.mjs).
      if (p.form.hasAttribute('lvt-reset')) (p.form as HTMLFormElement)['reset']();
    }
    emit(this.doc_, p.el, 'success', { action: p.name, ref });
    p.done({ ok: true });
  }

  /** ordered applies a numbered patch in sequence, or asks for a full tree. */
  private ordered_(m: ServerMsg): void {
    if (this.syncing_ || !this.tree_) return;
    if (m.seq !== this.last_ + 1 || !this.patch_(m.patch)) return this.sync_();
    this.last_++;
    this.settled_();
  }

  private patch_(p: unknown): boolean {
    try {
      const a = applyPatch(this.tree_!, p, this.known_);
      this.updater.apply(this.tree_!, a.root, a.from);
      this.tree_ = a.root;
      return true;
    } catch {
      return false;
    }
  }

  /** sync asks for a full tree; patches are dropped until it arrives. */
  private sync_(): void {
    if (this.syncing_) return;
    this.syncing_ = true;
    this.transport.send({ t: 'sync' });
  }

  /** settled runs what follows any change of the DOM. */
  private settled_(): void {
    this.hooks_.settle();
    this.scroll_.settle();
    this.errors_.reapply();
  }

  // Actions.

  private settle_(ref: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending_.delete(ref);
    p.stop();
  }

  private fail_(ref: number, err: ActionError): void {
    const p = this.pending_.get(ref);
    if (!p) return;
    this.transport.unqueue(ref);
    this.settle_(ref, p);
    this.errors_.report(p.el, p.name, err, null, null);
    p.done({ ok: false, error: err });
  }

  // The page.

  private setRoot_(cls: string): void {
    this.root_.classList.remove('lvt-connected', 'lvt-disconnected');
    this.root_.classList.add(cls);
  }

  /** reload reloads the page after a jittered delay, at most RELOADS times
   * in RELOAD_WINDOW (counted in sessionStorage); past that it gives up and
   * fires lvt:error with code "reload". */
  private reload_(): void {
    const { win } = this.o_;
    const now = Date.now();
    let times: number[] = [];
    this.transport.stop();
    try {
      times = JSON.parse(win.sessionStorage.getItem(RELOADS_KEY) || '[]').filter((t: number) => now - t < RELOAD_WINDOW);
      win.sessionStorage.setItem(RELOADS_KEY, JSON.stringify(times.concat(now)));
    } catch {
      // no sessionStorage: reload without counting
    }
    if (times.length >= RELOADS) {
      emit(this.doc_, null, 'error', { code: 'reload', message: 'Too many reloads.', action: '' });
      return;
    }
    setTimeout(() => win.location.reload(), Math.min(30_000, 250 << times.length) * (0.5 + this.o_.env.random() / 2));
  }
}
