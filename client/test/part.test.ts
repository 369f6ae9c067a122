// The loader of parts: one script element per part, next to the main
// bundle's URL with part=<name>, carrying its nonce; what the part defines is
// what the load resolves to; a failed load is tried again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { define, loader } from '../src/part';

/** setup returns the loader of a main script element whose parts'
 * elements are kept instead of added to the head (where happy-dom would
 * fetch them): the test fires their load and error events. */
function setup() {
  const main = document.createElement('script');
  main.src = 'http://example.test/page?_lvt_client=abc';
  main.nonce = 'n0nce';
  const kept: HTMLScriptElement[] = [];
  vi.spyOn(document.head, 'appendChild').mockImplementation(<T extends Node>(el: T) => {
    kept.push(el as unknown as HTMLScriptElement);
    return el;
  });
  return { load: loader(document, main), added: () => kept };
}

afterEach(() => vi.restoreAllMocks());

describe('parts', () => {
  it('loads a part once, from the main URL with part=<name> and the nonce', async () => {
    const { load, added } = setup();
    const p1 = load<string>('thing');
    const p2 = load<string>('thing');
    expect(added()).toHaveLength(1);
    const el = added()[0];
    expect(el.src).toBe('http://example.test/page?_lvt_client=abc&part=thing');
    expect(el.nonce).toBe('n0nce');
    define('thing', 'exports');
    el.dispatchEvent(new Event('load'));
    await expect(p1).resolves.toBe('exports');
    await expect(p2).resolves.toBe('exports');
    await expect(load('thing')).resolves.toBe('exports');
    expect(added()).toHaveLength(1);
  });

  it('rejects a part that fails to load or does not define itself, and tries again', async () => {
    const { load, added } = setup();
    const p = load('broken');
    added()[0].dispatchEvent(new Event('error'));
    await expect(p).rejects.toThrow('part broken failed to load');

    const q = load('silent');
    added()[1].dispatchEvent(new Event('load'));
    await expect(q).rejects.toThrow('part silent did not register');

    const again = load('broken');
    expect(added().map((e) => e.src.split('part=')[1])).toEqual(['broken', 'silent', 'broken']);
    define('broken', 42);
    added()[2].dispatchEvent(new Event('load'));
    await expect(again).resolves.toBe(42);
  });
});
