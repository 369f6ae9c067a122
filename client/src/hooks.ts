// JS hooks: an element with lvt-hook="Name" gets the hook registered as
// window.LiveTemplate.hooks.Name. Its callbacks run with `this` set to an
// instance holding `el` and `action(name, data)`.

import { report, within } from './emit';

export interface Hook {
  mounted?(this: HookInstance, el: Element): void;
  updated?(this: HookInstance, el: Element): void;
  destroyed?(this: HookInstance, el: Element): void;
}

export interface HookInstance extends Hook {
  el: Element;
  /** action sends an action to the server, as a binding would. */
  action(name: string, data?: Record<string, unknown>): Promise<unknown>;
  /** handleEvent calls fn with the payload of every server event name
   * (ActionContext.PushEvent) while the hook's element is in the page. */
  handleEvent(name: string, fn: (payload: unknown) => void): void;
  /** the handlers, by event name */
  on_?: Record<string, ((payload: unknown) => void)[]>;
}

export interface Hooks {
  /** added mounts the hooks of a new node (deep: and of its subtree). */
  added(n: Node, deep: boolean): void;
  /** morphed is called for every morphed element. */
  morphed(el: Element, changed: boolean): void;
  /** settle runs after an update: updated() for the hooks whose element
   * changed, destroyed() for those whose element left the document. */
  settle(): void;
  /** event hands server event name to the hooks that handle it. */
  event(name: string, payload: unknown): void;
}

export function hooks(
  registry: () => Record<string, Hook | undefined>,
  act: (el: Element, name: string, data: Record<string, unknown>) => Promise<unknown>,
): Hooks {
  const live = new Map<Element, HookInstance>();
  const changed = new Set<Element>();
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      report(e);
    }
  };
  const call = (inst: HookInstance, fn: 'mounted' | 'updated' | 'destroyed') =>
    safe(() => inst[fn] && inst[fn]!(inst.el));
  const added = (n: Node, deep: boolean) => {
    for (const el of within(n, '[lvt-hook]', deep)) {
      const def = registry()[el.getAttribute('lvt-hook')!];
      if (!def || live.has(el)) continue;
      const inst = Object.create(def) as HookInstance;
      inst.el = el;
      inst.action = (name, data = {}) => act(el, name, data);
      inst.handleEvent = (name, fn) => {
        const on = (inst.on_ = inst.on_ || {});
        (on[name] = on[name] || []).push(fn);
      };
      live.set(el, inst);
      call(inst, 'mounted');
    }
  };
  return {
    added,
    event(name, payload) {
      live.forEach((inst) => inst.on_ && (inst.on_[name] || []).forEach((fn) => safe(() => fn.call(inst, payload))));
    },
    morphed(el, ch) {
      if (!live.has(el)) added(el, false);
      else if (ch) changed.add(el);
    },
    settle() {
      const ch = Array.from(changed);
      changed.clear();
      for (const el of ch) {
        const inst = live.get(el);
        if (inst && el.isConnected) call(inst, 'updated');
      }
      live.forEach((inst, el) => {
        if (el.isConnected) return;
        live.delete(el);
        call(inst, 'destroyed');
      });
    },
  };
}
