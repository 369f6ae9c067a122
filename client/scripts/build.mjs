// Builds dist/livetemplate.js and, for each src/parts/<name>.ts, the part
// dist/parts/<name>.js (into the directory given as the first argument, if
// any, instead of dist/). Parts are built with the main bundle's mangled
// names (its mangle cache), so that the objects they share agree.
import { build } from 'esbuild';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const options = {
  entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2019',
  platform: 'browser',
  sourcemap: false,
  legalComments: 'none',
  charset: 'utf8',
  // Shorten the names of properties only this bundle uses: private members
  // (named with a trailing "_", and only they are) and the listed members of
  // internal types. No listed name may be a DOM, wire-format, event-detail or
  // public-API name ("after", "from", "set", "message", "transport",
  // "action", "s", "r" …): test/bundle.test.ts runs the built bundle to catch
  // that. ("reset" is also HTMLFormElement's: live.ts calls that one by a
  // quoted name, which is never shortened.)
  mangleProps: new RegExp(
    '_$|^(' +
      'added|morphing|morphed|canMark|begin|feed|page|region|full|fulls|scan|reset|' +
      'timer|mode|lost|down|unqueue|scrolled|reapply|report|settle|suspend|resume|flush' +
      ')$',
  ),
  logLevel: 'warning',
};

const src = fileURLToPath(new URL('../src/parts/', import.meta.url));

/** partNames lists the parts, sorted. */
export const partNames = () =>
  readdirSync(src)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();

/** buildTo builds the main bundle to dir/livetemplate.js and the parts to
 * dir/parts/<name>.js. */
export async function buildTo(dir) {
  const main = await build({ ...options, outfile: join(dir, 'livetemplate.js'), mangleCache: {} });
  mkdirSync(join(dir, 'parts'), { recursive: true });
  for (const name of partNames()) {
    await build({
      ...options,
      entryPoints: [join(src, name + '.ts')],
      outfile: join(dir, 'parts', name + '.js'),
      mangleCache: { ...main.mangleCache },
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildTo(process.argv[2] || fileURLToPath(new URL('../dist/', import.meta.url)));
}
