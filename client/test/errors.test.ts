// The general error slot: an element with an empty lvt-error attribute
// shows the message of an action that failed without field errors.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { $, type Setup, click, doc, logged, partsAsked, start, stop } from './harness';

let s: Setup;
afterEach(() => stop(s));

const slotText = (sel = '[lvt-error=""]') => $(sel).querySelector('.lvt-error-message')?.textContent ?? null;
const shown = (sel = '[lvt-error=""]') => $(sel).classList.contains('lvt-error-shown');
const submit = () => $('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));

describe('general error slot', () => {
  it('shows a failed action’s message, with a class and a dismiss button', () => {
    s = start('<p lvt-error role="alert"></p><button id="a" lvt-click="todos.delete">x</button>');
    const seen: string[] = [];
    const fn = (e: Event) => seen.push((e as CustomEvent).detail.message);
    document.addEventListener('lvt:error', fn);
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'That item no longer exists.' } });
    document.removeEventListener('lvt:error', fn);

    expect(seen).toEqual(['That item no longer exists.']); // the event still fires
    expect(slotText()).toBe('That item no longer exists.');
    expect(shown()).toBe(true);
    const dismiss = $<HTMLButtonElement>('[lvt-error=""] button.lvt-error-dismiss');
    expect(dismiss.type).toBe('button');
    expect(dismiss.getAttribute('aria-label')).toBe('Dismiss');

    click(dismiss);
    expect(shown()).toBe(false);
    expect($('[lvt-error=""]').childNodes).toHaveLength(0);
    expect(s.actions()).toHaveLength(1); // dismissing sends nothing
  });

  it('a later success empties it; a later failure replaces the message', () => {
    s = start('<div lvt-error></div><button id="a" lvt-click="a">a</button>');
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'One.' } });
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'internal', message: 'Two.' } });
    expect(slotText()).toBe('Two.');
    expect($('[lvt-error=""]').querySelectorAll('.lvt-error-message')).toHaveLength(1);

    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 3, seq: 2, patch: {} });
    expect(shown()).toBe(false);
    expect(slotText()).toBeNull();
  });

  it('prefers the action’s form’s slot, and leaves field errors to the fields', () => {
    s = start(
      '<p id="page" lvt-error></p>' +
        '<form lvt-submit="save"><input name="title"><p id="form" lvt-error></p><p lvt-error="title"></p></form>' +
        '<button id="b" lvt-click="b">b</button>',
    );
    submit();
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'Saving is closed.' } });
    expect(slotText('#form')).toBe('Saving is closed.');
    expect(shown('#page')).toBe(false);

    // Field errors show at their fields and clear the general error.
    submit();
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'invalid', message: 'Check.' }, fields: { title: 'Required.' } });
    expect($('[lvt-error="title"]').textContent).toBe('Required.');
    expect(shown('#form')).toBe(false);

    // An action outside the form: the page's slot.
    click($('#b'));
    s.ws().receive({ t: 'reply', ref: 3, error: { code: 'user', message: 'No.' } });
    expect(slotText('#page')).toBe('No.');
    expect(shown('#form')).toBe(false);
  });

  it('keeps showing across an update that re-renders the slot', () => {
    s = start('<p lvt-error class="a"></p><button id="a" lvt-click="a">a</button>');
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'Kept.' } });
    s.ws().receive({ t: 'tree', seq: 5, tree: { s: [doc('<p lvt-error class="b"></p><button id="a" lvt-click="a">a</button>')] } });
    expect($('[lvt-error=""]').className).toBe('b lvt-error-shown');
    expect(slotText()).toBe('Kept.');
    click($('[lvt-error=""] .lvt-error-dismiss'));
    expect(shown()).toBe(false);
  });

  it('a page without a slot only gets the event', () => {
    s = start('<button id="a" lvt-click="a">a</button>');
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'Nowhere.' } });
    expect(document.body.textContent).not.toContain('Nowhere.');
  });
});

describe('console', () => {
  it('an error no slot shows is written with the action name, code and message', () => {
    s = start('<button id="a" lvt-click="cart.ad">a</button>');
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'unknown_action', message: 'No such action.' } });
    expect(logged).toEqual(['livetemplate: action "cart.ad": unknown_action: No such action.']);
  });

  it('an error a general slot shows is not', () => {
    s = start('<p lvt-error></p><button id="a" lvt-click="a">a</button>');
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'failed', message: 'Shown.' } });
    expect(slotText()).toBe('Shown.');
    expect(logged).toEqual([]);
  });

  it('field errors shown at their fields are not; one with no field and no slot is', () => {
    s = start('<form lvt-submit="save"><input name="title"><input name="age"><p lvt-error="age"></p></form>');
    submit();
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'invalid', message: 'Check.' }, fields: { title: 'Required.', age: 'Too old.' } });
    expect(logged).toEqual([]);
    submit();
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'invalid', message: 'Check.' }, fields: { titel: 'Required.' } });
    expect(logged).toEqual(['livetemplate: action "save": invalid: Check.']);
  });

  it('a timeout and a lost connection count as action errors', () => {
    vi.useFakeTimers();
    s = start('<button id="a" lvt-click="slow">a</button>');
    click($('#a'));
    vi.advanceTimersByTime(15_000);
    click($('#a'));
    s.ws().close();
    expect(logged).toEqual([
      'livetemplate: action "slow": timeout: No answer from the server.',
      'livetemplate: action "slow": disconnected: Connection lost.',
    ]);
  });

  it('connection errors are written too (no slot shows them)', async () => {
    vi.useFakeTimers();
    s = start('<p lvt-error></p>');
    s.ws().close(4029, 'Too many tabs.');
    await vi.advanceTimersByTimeAsync(5_000);
    s.ws().open();
    s.ws().close(4003, 'Not yours.');
    expect(logged).toEqual([
      'livetemplate: connection: rate_limited: Too many tabs.',
      'livetemplate: connection: forbidden: Not yours.',
    ]);
  });
});

describe('the errors part', () => {
  it('loads at the first failed action; lvt:error fires at once, the message shows once it is in', async () => {
    s = start('<p lvt-error></p><button id="a" lvt-click="a">a</button>', { lazyErrors: true });
    expect(partsAsked).toEqual([]);
    const seen: string[] = [];
    const fn = (e: Event) => seen.push((e as CustomEvent).detail.message);
    document.addEventListener('lvt:error', fn);
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'One.' } });
    document.removeEventListener('lvt:error', fn);
    expect(seen).toEqual(['One.']);
    expect(partsAsked).toEqual(['errors']);
    await vi.waitFor(() => expect(slotText()).toBe('One.'));
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'user', message: 'Two.' } });
    expect(slotText()).toBe('Two.'); // in: at once
    expect(partsAsked).toEqual(['errors']);
  });

  it('applies what comes while it loads in order: a success after a failure empties the slot', async () => {
    s = start('<p lvt-error></p><button id="a" lvt-click="a">a</button>', { lazyErrors: true });
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'One.' } });
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 2, seq: 2, patch: {} });
    await vi.waitFor(() => expect(partsAsked).toEqual(['errors']));
    await new Promise((r) => setTimeout(r));
    expect(shown()).toBe(false);
    expect(slotText()).toBeNull();
  });

  it('a part that cannot load leaves the error in the console, and the next error tries again', async () => {
    s = start('<p lvt-error></p><button id="a" lvt-click="a">a</button>', { lazyErrors: true, noParts: true });
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 1, error: { code: 'user', message: 'One.' } });
    await vi.waitFor(() => expect(logged.join('\n')).toContain('livetemplate: action "a": user: One.'));
    click($('#a'));
    s.ws().receive({ t: 'reply', ref: 2, error: { code: 'user', message: 'Two.' } });
    expect(partsAsked).toEqual(['errors', 'errors']);
  });
});
