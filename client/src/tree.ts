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
  /** Default statics from the wire ([statics, fingerprint]), used when the range is empty. */
  x: Def;
}

export type Dyn = string | TNode | TRange;

type Def = [string[], string] | null;

export const isRange = (d: Dyn): d is TRange => typeof d === 'object' && 'r' in d;

/** Statics by fingerprint: everything this client was ever sent. */
export type Statics = Map<string, string[]>;

/** Result of applying a patch. `from` maps each node or range built by
 * patching to the one it was patched from. */
export interface Applied {
  root: TNode;
  from: Map<object, object>;
}

type Obj = Record<string, unknown>;

// The statics known and the patched-from map of the message being read.
let known: Statics;
let from: Map<object, object>;

/** fail rejects JSON that does not follow the wire format; the client then asks for a full tree. */
const fail = (): never => {
  throw new Error('livetemplate: malformed message');
};

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const obj = (v: unknown): Obj => (isObj(v) ? v : fail());

const int = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

const strings = (v: unknown): string[] =>
  !Array.isArray(v) || !v.length || v.some((x) => typeof x !== 'string') ? fail() : v;

/** Resolves an "s" value: [statics, fingerprint], or null when absent. */
function statics(o: Obj): Def {
  const v = o.s;
  if (v === undefined) return null;
  if (typeof v !== 'string') return [strings(v), ''];
  const st = /^[0-9a-f]{16}$/.test(v) && known.get(v);
  return st ? [st, v] : fail();
}

function node(o: Obj, def: Def): TNode {
  const st = statics(o) || def || fail();
  const d: Dyn[] = [];
  for (let i = 0; i < st[0].length - 1; i++) d.push(i in o ? dyn(o[i]) : fail());
  return { s: st[0], f: st[1], d };
}

function dyn(v: unknown): Dyn {
  if (typeof v === 'string') return v;
  const o = obj(v);
  if (!('r' in o)) return node(o, null);
  const x = statics(o);
  return { r: (Array.isArray(o.r) ? o.r : fail()).map((it: unknown) => node(obj(it), x)), x };
}

function patchNode(old: TNode, o: Obj, root?: boolean): TNode {
  if ('s' in o) return node(o, null);
  const d = old.d.slice();
  for (const k of Object.keys(o)) {
    if (k === 'p' && root) continue;
    const i = Number(k);
    if (!(String(i) === k && i in d)) fail();
    d[i] = patchDyn(d[i], o[k]);
  }
  const n = { s: old.s, f: old.f, d };
  from.set(n, old);
  return n;
}

function patchDyn(old: Dyn, v: unknown): Dyn {
  if (!isObj(v) || 's' in v || 'r' in v) return dyn(v);
  const o = 'o' in v;
  if (typeof old !== 'object' || isRange(old) !== o) fail();
  return o ? ops(old as TRange, v.o) : patchNode(old as TNode, v);
}

/** Builds a range's new items from its old ones (§2.2). */
function ops(old: TRange, v: unknown): TRange {
  const items = old.r;
  const first = items[0];
  const def: Def = first ? [first.s, first.f] : old.x;
  const used = new Uint8Array(items.length);
  // An old item referenced twice is copied, so every item in the new tree
  // is a distinct object (the DOM updater keys regions by identity).
  const take = (i: number) => (used[i]++ ? clone(items[i]) : items[i]);
  const r: TNode[] = [];
  for (const op of Array.isArray(v) ? v : fail()) {
    if (isObj(op)) {
      r.push(node(op, def));
      continue;
    }
    if (!Array.isArray(op) || op.length !== 2) fail();
    const [a, b] = op as [number, unknown];
    if (!int(a) || a >= items.length) fail();
    if (isObj(b)) r.push(patchNode(take(a), b));
    else if (int(b) && a + b <= items.length) for (let i = a; i < a + b; i++) r.push(take(i));
    else fail();
  }
  const n: TRange = { r, x: old.x };
  from.set(n, old);
  return n;
}

const clone = (n: TNode): TNode => ({ s: n.s, f: n.f, d: n.d.map(cloneDyn) });

const cloneDyn = (d: Dyn): Dyn => (typeof d === 'string' ? d : isRange(d) ? { r: d.r.map(clone), x: d.x } : clone(d));

/** read starts reading a message: its statics table, then its root node. */
function read(msg: unknown, k: Statics): Obj {
  const o = obj(msg);
  known = k;
  from = new Map();
  const p = o.p;
  if (p !== undefined) for (const [fp, st] of Object.entries(obj(p))) k.set(fp, strings(st));
  return o;
}

/** parseTree reads a full tree (the "tree" field of a tree message). */
export function parseTree(msg: unknown, known: Statics): TNode {
  return node(read(msg, known), null);
}

/** applyPatch applies a patch to the tree held; old is not modified. It
 * throws for a malformed patch or an unknown fingerprint. */
export function applyPatch(old: TNode, msg: unknown, known: Statics): Applied {
  const o = read(msg, known);
  const root = Object.keys(o).some((k) => k !== 'p') ? patchNode(old, o, true) : old;
  return { root, from };
}

/** html reconstructs the HTML a tree stands for (§1.4). */
export function html(n: TNode): string {
  let out = '';
  const { s, d } = n;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    out += s[i] + (typeof v === 'string' ? v : isRange(v) ? v.r.map(html).join('') : html(v));
  }
  return out + s[d.length];
}
