// Rendered trees and patches (docs/protocol.md §1–2). Trees are immutable:
// applying a patch builds new objects for what changed and shares the rest, so
// the DOM updater can find changes by comparing references.

/** A node: statics s (N+1 strings) around dynamics d (N). */
export interface TNode {
  s: string[];
  /** Fingerprint of s, or "" when the statics came inline. */
  f: string;
  d: Dyn[];
}

/** A range: its items in order. */
export interface TRange {
  r: TNode[];
  /** Default statics from the wire, used when the range is empty. */
  ds: string[] | null;
  df: string;
}

export type Dyn = string | TNode | TRange;

export const isRange = (d: Dyn): d is TRange => typeof d === 'object' && 'r' in d;
export const isNode = (d: Dyn): d is TNode => typeof d === 'object' && 's' in d;


/** Statics by fingerprint: everything this client was ever sent. */
export type Statics = Map<string, string[]>;

/** Result of applying a patch. `from` maps each node or range built by
 * patching to the one it was patched from. */
export interface Applied {
  root: TNode;
  from: Map<object, object>;
}

type Obj = Record<string, unknown>;

/** fail rejects JSON that does not follow the wire format; the client then asks for a full tree. */
function fail(): never {
  throw new Error('livetemplate: malformed message');
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const FP = /^[0-9a-f]{16}$/;

type Def = [string[], string] | null;

class Reader {
  constructor(
    readonly known: Statics,
    readonly from: Map<object, object>,
  ) {}

  table(p: unknown): void {
    if (p === undefined) return;
    if (!isObj(p)) fail();
    for (const fp of Object.keys(p)) this.known.set(fp, strings(p[fp]));
  }

  /** Resolves an "s" value: [statics, fingerprint], or null when absent. */
  statics(o: Obj): Def {
    const v = o.s;
    if (v === undefined) return null;
    if (typeof v !== 'string') return [strings(v), ''];
    const st = FP.test(v) && this.known.get(v);
    return st ? [st, v] : fail();
  }

  node(o: Obj, def: Def): TNode {
    const st = this.statics(o) || def || fail();
    const d: Dyn[] = [];
    for (let i = 0; i < st[0].length - 1; i++) d.push(i in o ? this.dyn(o[i]) : fail());
    return { s: st[0], f: st[1], d };
  }

  dyn(v: unknown): Dyn {
    if (typeof v === 'string') return v;
    if (!isObj(v)) return fail();
    if (!('r' in v)) return this.node(v, null);
    const def = this.statics(v);
    const r = Array.isArray(v.r) ? v.r : fail();
    return { r: r.map((it: unknown) => this.node(isObj(it) ? it : fail(), def)), ds: def && def[0], df: def ? def[1] : '' };
  }

  patchNode(old: TNode, o: Obj, root?: boolean): TNode {
    if ('s' in o) return this.node(o, null);
    const d = old.d.slice();
    for (const k of Object.keys(o)) {
      if (k === 'p' && root) continue;
      const i = Number(k);
      if (!(i >= 0 && i < d.length && String(i) === k)) fail();
      d[i] = this.patchDyn(old.d[i], o[k]);
    }
    const n = { s: old.s, f: old.f, d };
    this.from.set(n, old);
    return n;
  }

  patchDyn(old: Dyn, v: unknown): Dyn {
    if (!isObj(v) || 's' in v || 'r' in v) return this.dyn(v);
    if ('o' in v) return isRange(old) ? this.ops(old, v.o) : fail();
    return isNode(old) ? this.patchNode(old, v) : fail();
  }

  /** Builds a range's new items from its old ones (§2.2). */
  ops(old: TRange, v: unknown): TRange {
    const items = old.r;
    const first = items[0];
    const def: Def = first ? [first.s, first.f] : old.ds && [old.ds, old.df];
    const used = new Uint8Array(items.length);
    // An old item referenced twice is copied, so every item in the new tree
    // is a distinct object (the DOM updater keys regions by identity).
    const take = (i: number) => (used[i]++ ? clone(items[i]) : items[i]);
    const r: TNode[] = [];
    for (const op of Array.isArray(v) ? v : fail()) {
      if (isObj(op)) {
        r.push(this.node(op, def));
        continue;
      }
      if (!Array.isArray(op) || op.length !== 2) fail();
      const [a, b] = op as unknown[];
      if (!int(a) || a >= items.length) fail();
      if (isObj(b)) r.push(this.patchNode(take(a as number), b));
      else if (int(b) && (a as number) + b <= items.length) {
        for (let i = a as number; i < (a as number) + b; i++) r.push(take(i));
      } else fail();
    }
    const n: TRange = { r, ds: old.ds, df: old.df };
    this.from.set(n, old);
    return n;
  }
}

const int = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

function strings(v: unknown): string[] {
  if (!Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string')) fail();
  return v as string[];
}

function clone(n: TNode): TNode {
  return { s: n.s, f: n.f, d: n.d.map(cloneDyn) };
}

function cloneDyn(d: Dyn): Dyn {
  if (typeof d === 'string') return d;
  if (isRange(d)) return { r: d.r.map(clone), ds: d.ds, df: d.df };
  return clone(d);
}

function root(msg: unknown): Obj {
  if (!isObj(msg)) fail();
  return msg as Obj;
}

/** parseTree reads a full tree (the "tree" field of a tree message). */
export function parseTree(msg: unknown, known: Statics): TNode {
  const o = root(msg);
  const r = new Reader(known, new Map());
  r.table(o.p);
  return r.node(o, null);
}

/** applyPatch applies a patch to the tree held; old is not modified. It
 * throws for a malformed patch or an unknown fingerprint. */
export function applyPatch(old: TNode, msg: unknown, known: Statics): Applied {
  const o = root(msg);
  const from = new Map<object, object>();
  const r = new Reader(known, from);
  r.table(o.p);
  const keys = Object.keys(o).filter((k) => k !== 'p');
  if (keys.length === 0) return { root: old, from };
  return { root: r.patchNode(old, o, true), from };
}

/** html reconstructs the HTML a tree stands for (§1.4). */
export function html(n: TNode): string {
  let out = '';
  const { s, d } = n;
  for (let i = 0; i < d.length; i++) out += s[i] + dynHTML(d[i]);
  return out + s[d.length];
}

function dynHTML(d: Dyn): string {
  if (typeof d === 'string') return d;
  if (isRange(d)) return d.r.map(html).join('');
  return html(d);
}
