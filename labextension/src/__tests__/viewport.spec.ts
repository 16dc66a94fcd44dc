import { describe, expect, it } from 'vitest';

import { MAX_SCALE, MIN_SCALE, cssTransform, fitTransform, zoomAround } from '../widgets/dag/viewport';

describe('fitTransform', () => {
  it('shrinks a large graph to fit and centres it', () => {
    const t = fitTransform({ width: 1000, height: 200 }, { width: 520, height: 400 }, 10);
    expect(t.k).toBeCloseTo(0.5);
    expect(t.x).toBeCloseTo(10);
    expect(t.y).toBeCloseTo(150);
  });

  it('keeps a small graph at its natural size', () => {
    const t = fitTransform({ width: 100, height: 50 }, { width: 500, height: 400 });
    expect(t).toEqual({ k: 1, x: 200, y: 175 });
  });
});

describe('zoomAround', () => {
  it('keeps the point under the cursor fixed', () => {
    const before = { x: 30, y: -20, k: 0.8 };
    const after = zoomAround(before, 1.5, 200, 100);
    const contentX = (200 - before.x) / before.k;
    const contentY = (100 - before.y) / before.k;
    expect(contentX * after.k + after.x).toBeCloseTo(200);
    expect(contentY * after.k + after.y).toBeCloseTo(100);
    expect(after.k).toBeCloseTo(1.2);
  });

  it('clamps the scale', () => {
    expect(zoomAround({ x: 0, y: 0, k: 1 }, 1000, 0, 0).k).toBe(MAX_SCALE);
    expect(zoomAround({ x: 0, y: 0, k: 1 }, 0.00001, 0, 0).k).toBe(MIN_SCALE);
  });
});

describe('cssTransform', () => {
  it('translates then scales', () => {
    expect(cssTransform({ x: 5, y: -3, k: 2 })).toBe('translate(5px, -3px) scale(2)');
  });
});
