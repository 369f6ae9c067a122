// Fails unless dist/livetemplate.js is exactly what the sources build to, is
// small enough, and needs neither eval nor inline code (CSP script-src 'self').
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildTo } from './build.mjs';

const LIMIT = 12 * 1024; // gzipped bytes

const committed = fileURLToPath(new URL('../dist/livetemplate.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lvt-bundle-'));
const fresh = join(dir, 'livetemplate.js');
let failed = false;
const fail = (msg) => {
  console.error('bundle check: ' + msg);
  failed = true;
};
try {
  await buildTo(fresh);
  const want = readFileSync(fresh);
  let have;
  try {
    have = readFileSync(committed);
  } catch {
    have = null;
  }
  if (!have || !want.equals(have)) fail('dist/livetemplate.js is out of date: run `npm run build`');
  const text = want.toString('utf8');
  for (const bad of ['new Function', 'eval(', 'console.log', 'sourceMappingURL']) {
    if (text.includes(bad)) fail(`the bundle contains "${bad}"`);
  }
  const gz = gzipSync(want, { level: 9 }).length;
  console.log(`bundle: ${want.length} bytes minified, ${gz} bytes gzipped (limit ${LIMIT})`);
  if (gz > LIMIT) fail(`gzipped size ${gz} exceeds ${LIMIT}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
