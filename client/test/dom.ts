// Helpers for DOM tests: a page driven by an Updater, and its HTML without markers.
import { type Watch, morph } from '../src/morph';
import { type Statics, type TNode, applyPatch, parseTree } from '../src/tree';
import { type Updater, updater } from '../src/update';

export const noWatch: Watch = { added() {}, morphing() {}, morphed() {} };

/** A page whose body shows a tree, updated like the client does. */
export class Page {
  known: Statics = new Map();
  tree!: TNode;
  readonly up: Updater;

  constructor(watch: Watch = noWatch) {
    this.up = updater(document, morph(document, watch));
  }

  load(tree: unknown): void {
    this.known = new Map();
    this.tree = asDocument(parseTree(tree, this.known));
    this.up.full(this.tree);
  }

  patch(p: unknown): void {
    const a = applyPatch(this.tree, p, this.known);
    this.up.apply(this.tree, a.root, a.from);
    this.tree = a.root;
  }
}

/** withoutMarkers returns the body's HTML with the client's comment markers removed. */
export function bodyHTML(): string {
  const clone = document.body.cloneNode(true) as HTMLElement;
  const walk = document.createTreeWalker(clone, 128);
  const drop: Node[] = [];
  for (let c = walk.nextNode(); c; c = walk.nextNode()) if (/^\/?lvt:/.test((c as Comment).data)) drop.push(c);
  for (const c of drop) c.parentNode!.removeChild(c);
  clone.normalize();
  return clone.innerHTML;
}

/** expectedBody parses a page's HTML and returns its body's HTML. */
export function expectedBody(html: string): string {
  const d = new DOMParser().parseFromString(html, 'text/html');
  d.body.normalize();
  return d.body.innerHTML;
}

export function resetDocument(): void {
  document.body.innerHTML = '';
  document.title = '';
}

const DOC = /^\s*<(!doctype|html)/i;

/** asDocument wraps a fragment template's tree in <html><body>, as a real
 * page is. (happy-dom drops comments from a body that the parser implies.) */
export function asDocument(root: TNode): TNode {
  if (DOC.test(root.s[0])) return root;
  const s = root.s.slice();
  s[0] = '<!DOCTYPE html><html><head></head><body>' + s[0];
  s[s.length - 1] += '</body></html>';
  return { s, d: root.d };
}
