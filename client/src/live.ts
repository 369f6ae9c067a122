// The live page: holds the tree, applies what the server sends in order,
// sends actions and settles each one exactly once (reply, error, lost
// connection or timeout), navigates between live pages, and tells the page
// about its connection.

import type { Commands } from './commands';
import { type ActionError, type Errors, log } from './errors';
import { emit, report, within } from './emit';
import { listen } from './events';
import type { Data } from './forms';
import { type Hook, hooks } from './hooks';
import { loading } from './loading';
import { morph } from './morph';
import { type Go, ask, links, same, strip } from './nav';
import { type Load, loaded } from './part';
import { SEL as SCROLL, type Scroll } from './scroll';
import { type ConnError, type Env, type ServerMsg, jitter, transport } from './transport';
import { type Statics, type TNode, applyPatch, html, parseTree } from './tree';
import { updater } from './update';
import type { UploadHost, Uploads } from './upload';

export const ACTION_TIMEOUT = 15_000;
export const RELOADS = 5;
export const RELOAD_WINDOW = 5 * 60_000;
/** While the page is visible the client pings every PING_EVERY ms and
 * gives the pong PING_WAIT ms; waking up (visible again, back online) it
 * pings at once and gives the pong WAKE_WAIT ms. */
export const PING_EVERY = 20_000;
export const PING_WAIT = 10_000;
export const WAKE_WAIT = 1_000;
const RELOADS_KEY = 'lvt-reloads';

export interface Options {
  doc: Document;
  win: Window;
  token: string;
  env: Env;
  hooks: () => Record<string, Hook | undefined>;
  /** part loads the code that only some pages need (part.ts). */
  part: Load;
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
  /** navigate goes to url: live if the server has a live page for it, else
   * by loading it. push: a new history entry (else the current one's URL
   * changes). */
  navigate: Go;
}

interface Pending {
  name: string;
  el: Element | null;
  form: Element | null;
  timer: ReturnType<typeof setTimeout>;
  stop: () => void;
  done: (r: Result) => void;
}

/** A navigation switched to its page and waits for the page's tree. */
interface Nav {
  /** the ref of its navigate message; 0 when the tree comes with a (re)join */
  r: number;
  /** the URL it went to */
  url: string;
  timer: ReturnType<typeof setTimeout>;
}

/** head is a document's <head> (without its <title>) as a tree renders it. */
const head = (n: TNode) => {
  const h = new DOMParser().parseFromString(html(n), 'text/html').head;
  const t = h.querySelector('title');
  if (t) t.remove();
  return h.innerHTML;
};

export function live(o: Options): Live {
  const { doc, win, env } = o;
  const loc = env.location;
  const root = doc.documentElement;
  const load = loading(root);
  // Showing action errors is a part (errors.ts), loaded at the first one;
  // what comes meanwhile waits for it, in order.
  let errs: Errors | null = null;
  let loadingErrs: Promise<unknown> | null = null;
  const withErrs = (f: (e: Errors) => void, otherwise?: () => void) => {
    if (errs) f(errs);
    else if (loadingErrs) loadingErrs = loadingErrs.then(() => (errs ? f(errs) : otherwise && otherwise()));
  };
  const hk = hooks(o.hooks, (el, name, data) => action(name, data, el, el.closest('form')));
  // lvt-scroll's code is a part, loaded once a page has such a container.
  let sc: Scroll | null = null;
  let scrolls = false;
  const scrolled = (n: Node, deep: boolean) => {
    if (sc) sc.added(n, deep);
    else if (!scrolls && within(n, SCROLL, deep).length) {
      scrolls = true;
      o.part<() => Scroll>('scroll').then(
        (f) => {
          sc = f();
          sc.added(doc.body, true);
          sc.settle();
        },
        (e) => {
          scrolls = false; // the next container tries again
          report(e);
        },
      );
    }
  };
  // DOM commands (lvt-js-*) are a part, loaded when the page has some at
  // start, or when one first runs.
  let cmd: Commands | null = null;
  let cmdP: Promise<Commands> | null = null;
  const cmds = () =>
    (cmdP =
      cmdP ||
      o.part<(d: Document) => Commands>('commands').then(
        (f) => (cmd = f(doc)),
        (e) => {
          cmdP = null;
          throw e;
        },
      ));
  const js = (el: Element, text: string) => (cmd ? cmd.run(el, text) : cmds().then((c) => c.run(el, text), report));
  const up = updater(
    doc,
    morph(doc, {
      added(n, deep) {
        hk.added(n, deep);
        scrolled(n, deep);
      },
      morphing: load.suspend,
      morphed(el, changed) {
        if (cmd) cmd.keep(el);
        load.resume(el);
        hk.morphed(el, changed);
        scrolled(el, false);
      },
    }),
  );
  const life = new AbortController();
  const pending = new Map<number, Pending>();
  let tree: TNode | null = null;
  let known: Statics = new Map();
  let last = 0;
  let syncing = true; // a tree is on its way: drop patches until it arrives
  let rejoin = false; // the connection went down: a rejoin may be answered by a patch
  let connected = false;
  let wasDown = false;
  let via = ''; // the transport lvt:connected named last
  let ref = 0;
  let told = ''; // the code of the connection error reported since the last tree
  let dead: ConnError | null = null; // the client stopped for good
  let navs = 0; // navigations started; only the last one goes on
  let nav: Nav | null = null;
  let shown = strip(loc.href); // the URL of the page on screen

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
    log('connection', err);
  };

  /** settled runs what follows any change of the DOM. */
  const settled = () => {
    hk.settle();
    if (sc) sc.settle();
    if (errs) errs.reapply();
    if (upl) upl.settle();
  };

  /** showError fires lvt:error on el and shows err (errors.ts), loading
   * the part that shows errors first if need be. */
  const showError = (el: Element | null, action: string, err: ActionError, fields: Record<string, string> | null, form: Element | null) => {
    emit(doc, el, 'error', { code: err.code, message: err.message, action, fields: fields || {} });
    if (!errs && !loadingErrs) {
      const f = loaded<(d: Document) => Errors>(win, 'errors');
      if (f) errs = f(doc); // loaded for another page of this document
      else
        loadingErrs = o.part<(d: Document) => Errors>('errors').then(
          (f) => (errs = f(doc)),
          () => (loadingErrs = null), // unshown: logged below; the next error tries again
        );
    }
    withErrs(
      (e) => e.report(action, err, fields, form),
      () => log('action "' + action + '"', err),
    );
  };

  const failed = (p: Pending, err: ActionError, fields: Record<string, string> | null = null, form: Element | null = null) => {
    showError(p.el, p.name, err, fields, form);
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

  /** joined: connected, or moved from HTTP back to a WebSocket. */
  const joined = () => {
    const mode = t.mode();
    if (connected && via === mode) return;
    const moved = connected;
    connected = true;
    via = mode;
    if (upl) upl.resume();
    setRoot('lvt-connected');
    const detail = { transport: mode };
    fire('connected', detail);
    if (wasDown && !moved) fire('reconnected', detail);
  };

  /** away loads url instead (replacing the current history entry). */
  const away = (url: string) => loc.replace(url);

  /** message handles m, then its server events: to the hooks that handle
   * them, and to the window as lvt:<name>. */
  const message = (m: ServerMsg) => {
    handle(m);
    for (const [name, detail] of (m.events as [string, unknown][]) || []) {
      hk.event(name, detail);
      win.dispatchEvent(new CustomEvent('lvt:' + name, { detail }));
    }
  };

  const handle = (m: ServerMsg) => {
    if (m.t === 'tree') {
      const k: Statics = new Map();
      let n: TNode;
      try {
        if (typeof m.seq !== 'number') throw 0;
        n = parseTree(m.tree, k);
      } catch {
        return reload();
      }
      // The tree of the page a navigation went to: assets in <head> cannot
      // be swapped safely, so a page whose <head> differs is loaded instead.
      const to = nav && (m.ref || 0) === nav.r && nav.url;
      if (to) {
        clearTimeout(nav!.timer);
        nav = null;
        if (!tree || head(tree) !== head(n)) return away(to);
      }
      tree = n;
      known = k;
      last = m.seq as number;
      syncing = false;
      rejoin = false;
      told = '';
      up.full(n);
      hk.added(doc.body, true);
      settled();
      if (to) {
        // To the top, or to the element the #fragment names.
        let el: Element | null = null;
        try {
          el = doc.getElementById(decodeURIComponent(new URL(to).hash.slice(1)));
        } catch {}
        if (el) el.scrollIntoView();
        else win.scrollTo(0, 0);
        fire('navigated', { url: to });
      }
      joined();
    } else if (m.t === 'patch') {
      // A rejoin the server resumed (docs/protocol.md §3.4): its answer is
      // one patch from the seq the join named, not a tree.
      if (rejoin && tree && m.seq === last + 1) syncing = false;
      rejoin = false;
      ordered(m);
      if (!syncing) joined();
    }
    else if (m.t === 'reply') {
      // The server cannot switch to the page a navigation went to: load it.
      if (nav && m.ref === nav.r) return away(nav.url);
      const err = m.error as (ActionError & { fields?: unknown }) | undefined;
      const p = end(m.ref as number);
      if (err) return p && failed(p, err, (m.fields || err.fields || null) as Record<string, string> | null, p.form);
      if ('seq' in m) ordered(m);
      if (p) {
        const form = p.form as HTMLFormElement | null;
        withErrs((e) => e.ok(form));
        // Quoted: "reset" is a shortened internal name in the bundle (build.mjs).
        if (form && form.hasAttribute('lvt-reset')) form['reset']();
        emit(doc, p.el, 'success', { action: p.name, ref: m.ref });
        p.done({ ok: true });
      }
      if (typeof m.redirect == 'string') navigate(m.redirect, true);
    } else if (m.t === 'reload') reload();
    else if (m.t === 'upload' && upl) upl.message(m);
  };

  /** navigate: see Live. The server answers the GET of a live page with
   * its token (nav.ts, ask); then the URL changes and the connection
   * switches to that page, whose tree arrives as a tree message with the
   * navigate's ref. Anything else loads the URL. */
  const navigate: Go = async (url, push) => {
    const n = ++navs;
    const u = new URL(url, doc.baseURI);
    try {
      if (!same(u, loc) || dead) throw 0;
      const [token, to] = await ask(env, u, t.token());
      if (n !== navs) return;
      win.history[push ? 'pushState' : 'replaceState']({ lvt: 1 }, '', to.href);
      shown = strip(to.href);
      // Until the new page's tree: no patch of the old one applies, and a
      // (re)join asks for a tree (seq 0).
      syncing = true;
      last = 0;
      if (nav) clearTimeout(nav.timer);
      const r = ++ref;
      nav = {
        r: t.nav(token, { t: 'navigate', ref: r, token }) ? r : 0,
        url: to.href,
        timer: setTimeout(() => away(to.href), ACTION_TIMEOUT),
      };
    } catch {
      if (n === navs) push ? loc.assign(u.href) : away(u.href);
    }
  };

  const t = transport(env, o.token, {
    message,
    seq: () => last,
    down(was, err) {
      syncing = true;
      rejoin = true;
      if (upl) upl.halt();
      // The tree of a navigation's page now comes with the rejoin.
      if (nav) nav.r = 0;
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
        log('connection', err);
      }
    },
    fail: gone,
    lost(m) {
      if (m.t === 'action') lost(m.ref!);
    },
  });

  // File uploads are a part (upload.ts), loaded once a form sends files or
  // a file is chosen in a form with lvt-submit.
  let upl: Uploads | null = null;
  const host: UploadHost = {
    send: (m) => t.send(m as { t: string }),
    up: () => connected,
    http: () => t.mode() === 'http',
    invalid: (form, err, fields) => showError(form, form.getAttribute('lvt-submit') || '', err, fields, form),
  };
  const uploader = () =>
    o.part<(d: Document, h: UploadHost) => Uploads>('upload').then((f) => (upl = upl || f(doc, host)));

  /** action: see Live. A form's submit with chosen files uploads them
   * first, then sends the action naming their uploads. */
  const action = (name: string, data: Data, el: Element | null, form: Element | null): Promise<Result> =>
    el && el === form && Array.from(form.querySelectorAll('input[type=file]')).some((i) => ((i as HTMLInputElement).files || []).length)
      ? uploader()
          .then((u) => u.submit(form as HTMLFormElement, name))
          .then(
            (ids) => (ids ? act(name, data, el, form, ids) : { ok: false }),
            (e) => (report(e), { ok: false }),
          )
      : act(name, data, el, form);

  const act = (name: string, data: Data, el: Element | null, form: Element | null, uploads?: string[]) =>
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
      t.send({ t: 'action', ref: r, name, data, uploads });
      if (dead) end(r, dead);
    });

  return {
    start() {
      const signal = life.signal;
      listen(doc, win, (el, name, data, form) => void action(name, data, el, form), js, signal);
      if (doc.body.innerHTML.includes('lvt-js-')) cmds().catch(report);
      // Waking up: check the connection at once; while visible, now and then.
      const visible = () => doc.visibilityState !== 'hidden';
      const wake = () => visible() && t.check(WAKE_WAIT, true);
      doc.addEventListener('visibilitychange', wake, { signal });
      win.addEventListener('online', wake, { signal });
      const beat = setInterval(() => visible() && t.check(PING_WAIT, false), PING_EVERY);
      signal.addEventListener('abort', () => clearInterval(beat));
      links(doc, win, loc, navigate, () => shown, signal);
      doc.addEventListener('scroll', (e) => sc && sc.scrolled(e.target), { capture: true, signal });
      doc.addEventListener(
        'change',
        (e) => {
          const i = e.target as HTMLInputElement;
          const f = i.form;
          if (i.type === 'file' && f && f.hasAttribute('lvt-submit')) uploader().then((u) => u.chosen(i, f.getAttribute('lvt-submit')!), report);
        },
        { signal },
      );
      doc.addEventListener(
        'click',
        (e) => {
          const c = (e.target as Element).closest && (e.target as Element).closest('[lvt-upload-cancel]');
          if (c && upl) upl.cancel(c.closest('form') || doc.body, c.getAttribute('lvt-upload-cancel')!);
        },
        { signal },
      );
      hk.added(doc.body, true);
      scrolled(doc.body, true);
      t.start();
    },
    stop() {
      life.abort();
      t.stop();
    },
    action,
    navigate,
  };
}
