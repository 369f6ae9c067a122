// The comment markers in the live DOM, by id: where each marked part of the
// tree starts and ends.

import { END, START } from './render';

/** A part's place: the nodes strictly between a and b. */
export interface Region {
  a: Comment;
  b: Comment;
}

export interface Markers {
  /** reset forgets everything and registers the markers under root. */
  reset(root: Node): void;
  /** scan registers the markers in node and its subtree. */
  scan(node: Node): void;
  /** find returns the region of a part, or null when its markers are not
   * both in the body, in one parent. */
  find(id: string): Region | null;
}

const MARKER = /^\/?lvt:/;

export const isMarker = (n: Node) => n.nodeType === 8 && MARKER.test((n as Comment).data);

export function markers(doc: Document): Markers {
  // Markers by their text ("lvt:ID" or "/lvt:ID").
  let all = new Map<string, Comment>();
  let swept = 0;
  const add = (c: Node | null) => isMarker(c!) && all.set((c as Comment).data, c as Comment);
  const scan = (node: Node) => {
    add(node);
    if (node.nodeType === 1 || node.nodeType === 11) {
      const w = doc.createTreeWalker(node, 128 /* comments */);
      while (w.nextNode()) add(w.currentNode);
    }
    if (all.size > 2 * swept + 2048) {
      all.forEach((c, k) => c.isConnected || all.delete(k));
      swept = all.size;
    }
  };
  return {
    reset(root) {
      all = new Map();
      scan(root);
      swept = all.size;
    },
    scan,
    find(id) {
      const a = all.get(START + id);
      const b = all.get(END + id);
      const p = a && a.parentNode;
      // Never a part inside lvt-ignore: the browser owns what is there.
      return p && b && a.data === START + id && b.data === END + id && p === b.parentNode && doc.body.contains(p) && !(p as Element).closest('[lvt-ignore]')
        ? { a, b }
        : null;
    },
  };
}
