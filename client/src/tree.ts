// Rendered trees and patches (docs/protocol.md §1–2). Trees are immutable:
// applying a patch builds new objects for what changed and shares the rest, so
// the DOM updater can find changes by comparing references.

/** A node: statics s (N+1 strings) around dynamics d (N). */
export interface TNode {
  s: string[];
  d: Dyn[];
}

/** A range: its items in order. */
export interface TRange {
  r: TNode[];
  /** Default statics from the wire, used when the range is empty. */
  x: Def;
}

export type Dyn = string | TNode | TRange;

type Def = string[] | null;

export const isRange = (d: Dyn): d is TRange => typeof d === 'object' && 'r' in d;

/** Statics by id: everything this connection was sent since its last full
 * tree (docs/protocol.md §1.3). Keep one map per connection: start a new one
 * for each "tree" message and pass the same one to every patch after it. */
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

/** Resolves statics: an id the connection was sent, or inline strings. */
const resolve = (v: unknown): string[] => (typeof v == 'number' ? known.get('' + v) || fail() : strings(v));

/** The "s" of an object, or null when absent. */
const statics = (o: Obj): Def => (o.s === undefined ? null : resolve(o.s));

function node(o: Obj, def: Def): TNode {
  const s = statics(o) || def || fail();
  const d: Dyn[] = [];
  for (let i = 0; i < s.length - 1; i++) d.push(i in o ? dyn(o[i]) : fail());
  return { s, d };
}

function dyn(v: unknown): Dyn {
  if (typeof v === 'string') return v;
  // A number is a node without dynamics, by its statics id.
  if (typeof v === 'number') return node({ s: v }, null);
  const o = obj(v);
  if (!('r' in o)) return node(o, null);
  const x = statics(o);
  return { r: (Array.isArray(o.r) ? o.r : fail()).map((it: unknown) => item(it, x)), x };
}

/** item reads a range item: a node object, or the array of its dynamics. */
const item = (v: unknown, def: Def): TNode =>
  !Array.isArray(v) ? node(obj(v), def) : def && v.length === def.length - 1 ? { s: def, d: v.map(dyn) } : fail();

function patchNode(old: TNode, o: Obj, root?: boolean): TNode {
  if ('s' in o) return node(o, null);
  const d = old.d.slice();
  for (const k of Object.keys(o)) {
    if (k === 'p' && root) continue;
    const i = Number(k);
    if (!(String(i) === k && i in d)) fail();
    d[i] = patchDyn(d[i], o[k]);
  }
  const n = { s: old.s, d };
  from.set(n, old);
  return n;
}

function patchDyn(old: Dyn, v: unknown): Dyn {
  const r = typeof old === 'object' && isRange(old);
  if (Array.isArray(v)) {
    // A range patch (§2.2), or a text patch [n, "suffix"] (§2.1): the first
    // n UTF-16 code units of the old text, then the suffix.
    const [n, s] = v;
    return r
      ? ops(old as TRange, v)
      : typeof old == 'string' && v.length == 2 && int(n) && n && n <= old.length && typeof s == 'string'
        ? old.slice(0, n) + s
        : fail();
  }
  if (!isObj(v) || 's' in v || 'r' in v) return dyn(v);
  return typeof old === 'object' && !r ? patchNode(old as TNode, v) : fail();
}

/** Builds a range's new items from its old ones (§2.2): integers copy (n > 0)
 * or drop (n < 0) old items at a cursor, [{…}] patches the item at the
 * cursor, [a, n] and [a, {…}] copy or patch old items anywhere, {…} and any
 * other array are new items, and the old items from the cursor on follow the
 * last operation. */
function ops(old: TRange, v: unknown[]): TRange {
  const items = old.r;
  const len = items.length;
  const def: Def = len ? items[0].s : old.x;
  const used = new Uint8Array(len);
  // An old item referenced twice is copied, so every item in the new tree
  // is a distinct object (the DOM updater keys regions by identity).
  const take = (i: number) => (used[i]++ ? clone(items[i]) : items[i]);
  const copy = (a: number, n: number) => {
    while (n--) r.push(take(a++));
  };
  const r: TNode[] = [];
  let c = 0;
  for (const op of v) {
    if (Number.isInteger(op) && op) {
      const n = op as number;
      const m = n < 0 ? -n : n;
      if (m > len - c) fail();
      if (n > 0) copy(c, n);
      c += m;
    } else if (!Array.isArray(op)) r.push(item(op, def));
    else {
      const [a, b] = op as [number, unknown];
      const l = op.length;
      if (l == 1 && isObj(a)) r.push(c < len ? patchNode(take(c++), a) : fail());
      else if (l != 2 || typeof a != 'number' || !(typeof b == 'number' || isObj(b))) r.push(item(op, def));
      else if (!int(a) || a >= len) fail();
      else if (isObj(b)) r.push(patchNode(take(a), b));
      else int(b) && b && a + b <= len ? copy(a, b) : fail();
    }
  }
  copy(c, len - c);
  const n: TRange = { r, x: old.x };
  from.set(n, old);
  return n;
}

const clone = (n: TNode): TNode => ({ s: n.s, d: n.d.map(cloneDyn) });

const cloneDyn = (d: Dyn): Dyn => (typeof d === 'string' ? d : isRange(d) ? { r: d.r.map(clone), x: d.x } : clone(d));

/** read starts reading a message: its statics table, then its root node. */
function read(msg: unknown, k: Statics): Obj {
  const o = obj(msg);
  known = k;
  from = new Map();
  const p = o.p;
  if (p !== undefined) for (const [id, st] of Object.entries(obj(p))) k.set(id, strings(st));
  return o;
}

/** parseTree reads a full tree (the "tree" field of a tree message) into a
 * new statics map, which the patches that follow are then applied with. */
export function parseTree(msg: unknown, known: Statics): TNode {
  return node(read(msg, known), null);
}

/** applyPatch applies a patch to the tree held; old is not modified. Statics
 * the patch carries are added to known. It throws for a malformed patch or
 * an unknown statics id. */
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
