import { beforeEach, describe, expect, it } from 'vitest';
import { Page, bodyHTML, expectedBody, resetDocument } from './dom';
import { fixturesDir, load, sharedDir } from './vectors';

beforeEach(resetDocument);

describe('DOM replay of every vector', () => {
  for (const dir of [sharedDir, fixturesDir]) {
    for (const { file, vector } of load(dir)) {
      it(file, () => {
        const page = new Page();
        page.load(vector.steps[0].tree);
        expect(bodyHTML()).toBe(expectedBody(vector.steps[0].html));
        vector.steps.slice(1).forEach((step, k) => {
          page.patch(step.patch);
          expect(bodyHTML(), `step ${k + 1}`).toBe(expectedBody(step.html));
        });
      });
    }
  }
});
