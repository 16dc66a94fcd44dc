import { describe, expect, it } from 'vitest';

import { MAX_SCALE, MIN_SCALE, PanZoom, cssTransform, fitTransform, zoomAround } from '../widgets/dag/viewport';

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

describe('PanZoom', () => {
  function setup() {
    const viewport = document.createElement('div');
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    viewport.appendChild(svg);
    document.body.appendChild(viewport);
    const panZoom = new PanZoom(viewport, svg, { width: 100, height: 100 });
    const wheel = (init: WheelEventInit = {}) => {
      const event = new WheelEvent('wheel', { deltaY: -100, bubbles: true, cancelable: true, ...init });
      svg.dispatchEvent(event);
      return event;
    };
    const press = (type: string) => {
      const event = new MouseEvent(type, { bubbles: true, button: 0, clientX: 5, clientY: 5 });
      svg.dispatchEvent(event);
    };
    return { viewport, panZoom, wheel, press };
  }

  it('lets a plain wheel scroll the page until the graph is pressed', () => {
    const { panZoom, wheel, press } = setup();
    const event = wheel();
    expect(event.defaultPrevented).toBe(false);
    expect(panZoom.transform.k).toBe(1);

    press('pointerdown');
    press('pointerup');
    const zoomed = wheel();
    expect(zoomed.defaultPrevented).toBe(true);
    expect(panZoom.transform.k).toBeGreaterThan(1);
  });

  it('zooms with Ctrl+wheel at once and stops zooming when the pointer leaves', () => {
    const { viewport, panZoom, wheel, press } = setup();
    expect(wheel({ ctrlKey: true }).defaultPrevented).toBe(true);
    const k = panZoom.transform.k;
    expect(k).toBeGreaterThan(1);

    press('pointerdown');
    press('pointerup');
    viewport.dispatchEvent(new MouseEvent('pointerleave'));
    expect(wheel().defaultPrevented).toBe(false);
    expect(panZoom.transform.k).toBe(k);
  });
});
