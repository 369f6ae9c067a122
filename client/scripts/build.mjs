// Builds dist/livetemplate.js (or the file given as the first argument).
import { build } from 'esbuild';
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

export async function buildTo(outfile) {
  await build({ ...options, outfile });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildTo(process.argv[2] || fileURLToPath(new URL('../dist/livetemplate.js', import.meta.url)));
}
