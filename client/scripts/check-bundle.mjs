// Fails unless dist/ (livetemplate.js and parts/) is exactly what the sources
// build to, the main bundle and each part are small enough, and none needs
// eval or inline code (CSP script-src 'self').
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildTo, partNames } from './build.mjs';

const LIMIT = 12 * 1024; // gzipped bytes, the main bundle
const PART_LIMIT = 4 * 1024; // gzipped bytes, each part

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lvt-bundle-'));
let failed = false;
const fail = (msg) => {
  console.error('bundle check: ' + msg);
  failed = true;
};
const check = (file, limit) => {
  const want = readFileSync(join(dir, file));
  let have;
  try {
    have = readFileSync(join(dist, file));
  } catch {
    have = null;
  }
  if (!have || !want.equals(have)) fail(`dist/${file} is out of date: run \`npm run build\``);
  const text = want.toString('utf8');
  for (const bad of ['new Function', 'eval(', 'console.log', 'sourceMappingURL']) {
    if (text.includes(bad)) fail(`dist/${file} contains "${bad}"`);
  }
  const gz = gzipSync(want, { level: 9 }).length;
  console.log(`${file}: ${want.length} bytes minified, ${gz} bytes gzipped (limit ${limit})`);
  if (gz > limit) fail(`dist/${file}: gzipped size ${gz} exceeds ${limit}`);
};
try {
  await buildTo(dir);
  check('livetemplate.js', LIMIT);
  const names = partNames();
  for (const name of names) check(`parts/${name}.js`, PART_LIMIT);
  const extra = readdirSync(join(dist, 'parts')).filter((f) => !names.includes(f.replace(/\.js$/, '')));
  if (extra.length) fail(`dist/parts has files no part builds: ${extra.join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
