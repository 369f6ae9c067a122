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
}

const SEL = '[lvt-hook]';

export class Hooks {
  private live_ = new Map<Element, HookInstance>();
  private changed_ = new Set<Element>();

  constructor(
    private readonly registry_: () => Record<string, Hook | undefined>,
    private readonly act_: (el: Element, name: string, data: Record<string, unknown>) => Promise<unknown>,
  ) {}

  /** added mounts the hooks of a new node (deep: and of its subtree). */
  added(n: Node, deep = true): void {
    for (const el of within(n, SEL, deep)) this.mount_(el);
  }

  /** removing destroys the hooks of a node about to go (deep: and of its subtree). */
  removing(n: Node, deep = true): void {
    if (this.live_.size) for (const el of within(n, SEL, deep)) this.destroy_(el);
  }

  /** after is called for every morphed element. */
  morphed(el: Element, changed: boolean): void {
    if (!this.live_.has(el)) this.added(el, false);
    else if (changed) this.changed_.add(el);
  }

  /** settle runs after an update: updated() for the hooks whose element
   * changed, destroyed() for those whose element left the document. */
  settle(): void {
    const changed = Array.from(this.changed_);
    this.changed_.clear();
    for (const el of changed) {
      const inst = this.live_.get(el);
      if (inst && el.isConnected) this.call_(inst, 'updated');
    }
    for (const el of Array.from(this.live_.keys())) if (!el.isConnected) this.destroy_(el);
  }

  private mount_(el: Element): void {
    const name = el.getAttribute('lvt-hook')!;
    const def = this.registry_()[name];
    if (!def || this.live_.has(el)) return;
    const inst = Object.create(def) as HookInstance;
    inst.el = el;
    inst.action = (action, data = {}) => this.act_(el, action, data);
    this.live_.set(el, inst);
    this.call_(inst, 'mounted');
  }

  private destroy_(el: Element): void {
    const inst = this.live_.get(el);
    if (!inst) return;
    this.live_.delete(el);
    this.call_(inst, 'destroyed');
  }

  private call_(inst: HookInstance, fn: 'mounted' | 'updated' | 'destroyed'): void {
    try {
      if (inst[fn]) inst[fn]!(inst.el);
    } catch (e) {
      report(e);
    }
  }
}
