// Loading of protocol vectors: the shared ones in ../testdata/protocol and
// the client's own in test/fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Step {
  data: unknown;
  html: string;
  tree: unknown;
  patch?: unknown;
}

export interface Vector {
  name: string;
  template: string;
  steps: Step[];
}

export const sharedDir = join(__dirname, '..', '..', 'testdata', 'protocol');
export const fixturesDir = join(__dirname, 'fixtures');

export function load(dir: string): { file: string; vector: Vector }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, vector: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Vector }));
}
