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
  // internal types. No listed name may be a DOM, morphdom, wire-format,
  // event-detail or public-API name ("after", "from", "set", "message",
  // "transport", "action", "s", "r" …): test/bundle.test.ts runs the built
  // bundle to catch that.
  mangleProps: new RegExp(
    '_$|^(' +
      'added|removing|morphing|morphed|canMark|begin|feed|inherit|slot|part|item|page|region|element|' +
      'full|fulls|markers|updater|timing|unqueue|scrolled|reapply|report|listen|settle|' +
      'suspend|resume|flush|scan|reset|patchNode|patchDyn|ops|statics|node|dyn|range|strings|known|' +
      'depth|low|breaks|timer|mode|lost|down|ds|df' +
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
