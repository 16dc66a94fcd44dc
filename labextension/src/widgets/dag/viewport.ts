/** A pan/zoom transform: screen = content * k + (x, y). */
export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface Size {
  width: number;
  height: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 8;

function clampScale(k: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, k));
}

/**
 * The transform that shows all of `content` centred in `view`, with `padding` pixels around
 * it and never enlarged beyond `maxScale` (small graphs stay at their natural size).
 */
export function fitTransform(content: Size, view: Size, padding = 16, maxScale = 1): Transform {
  const availableWidth = Math.max(1, view.width - 2 * padding);
  const availableHeight = Math.max(1, view.height - 2 * padding);
  const k = clampScale(
    Math.min(maxScale, availableWidth / Math.max(1, content.width), availableHeight / Math.max(1, content.height))
  );
  return {
    k,
    x: (view.width - content.width * k) / 2,
    y: (view.height - content.height * k) / 2
  };
}

/** Zoom by `factor` keeping the screen point (`px`, `py`) fixed. */
export function zoomAround(t: Transform, factor: number, px: number, py: number): Transform {
  const k = clampScale(t.k * factor);
  const ratio = k / t.k;
  return { k, x: px - (px - t.x) * ratio, y: py - (py - t.y) * ratio };
}

/** CSS `transform` value for a transform (applied with `transform-origin: 0 0`). */
export function cssTransform(t: Transform): string {
  return `translate(${t.x}px, ${t.y}px) scale(${t.k})`;
}

// Movement (px) after which a press becomes a drag, so a slightly shaky click still selects.
const DRAG_THRESHOLD = 4;

/**
 * Pan (drag) and zoom (wheel, buttons) of one element inside a clipping viewport.
 *
 * Until the user pans or zooms, the content is refitted whenever the viewport resizes.
 */
export class PanZoom {
  constructor(
    private readonly viewport: HTMLElement,
    private readonly content: SVGSVGElement,
    private readonly contentSize: Size,
    private readonly maxScale = 1
  ) {
    content.style.transformOrigin = '0 0';
    viewport.addEventListener('wheel', this.onWheel, { passive: false });
    viewport.addEventListener('pointerdown', this.onPointerDown);
    viewport.addEventListener('pointerleave', this.onPointerLeave);
    viewport.addEventListener('click', this.onClickCapture, true);
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => {
        if (!this.touched) {
          this.fit();
        }
      });
      this.resizeObserver.observe(viewport);
    }
    this.fit();
  }

  /** The current transform. */
  get transform(): Transform {
    return { ...this.current };
  }

  /** Show the whole graph. */
  fit(): void {
    this.touched = false;
    const view = { width: this.viewport.clientWidth, height: this.viewport.clientHeight };
    if (view.width > 0 && view.height > 0) {
      this.apply(fitTransform(this.contentSize, view, 16, this.maxScale));
    }
  }

  /** Zoom by `factor` around the centre of the viewport. */
  zoomBy(factor: number): void {
    this.touched = true;
    this.apply(zoomAround(this.current, factor, this.viewport.clientWidth / 2, this.viewport.clientHeight / 2));
  }

  dispose(): void {
    this.resizeObserver?.disconnect();
    this.viewport.removeEventListener('wheel', this.onWheel);
    this.viewport.removeEventListener('pointerdown', this.onPointerDown);
    this.viewport.removeEventListener('pointerleave', this.onPointerLeave);
    this.viewport.removeEventListener('click', this.onClickCapture, true);
    this.endDrag();
  }

  private apply(t: Transform): void {
    this.current = t;
    this.content.style.transform = cssTransform(t);
  }

  // A plain wheel zooms only once the user has pressed inside the graph (until the pointer
  // leaves): otherwise scrolling through a notebook would get stuck on every diagram.
  private readonly onWheel = (event: WheelEvent): void => {
    const inPane = (event.target as Element | null)?.closest?.('aside');
    if (inPane || !(this.engaged || event.ctrlKey || event.metaKey)) {
      return;
    }
    event.preventDefault();
    this.touched = true;
    const box = this.viewport.getBoundingClientRect();
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    const factor = Math.exp(-delta * 0.0015);
    this.apply(zoomAround(this.current, factor, event.clientX - box.left, event.clientY - box.top));
  };

  private readonly onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0 || (event.target as Element | null)?.closest?.('button, aside')) {
      return;
    }
    this.engaged = true;
    this.drag = { pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, origin: this.current };
    this.dragged = false;
    this.viewport.addEventListener('pointermove', this.onPointerMove);
    this.viewport.addEventListener('pointerup', this.onPointerUp);
    this.viewport.addEventListener('pointercancel', this.onPointerUp);
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    const drag = this.drag;
    if (!drag || event.pointerId !== drag.pointerId) {
      return;
    }
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!this.dragged && Math.hypot(dx, dy) < DRAG_THRESHOLD) {
      return;
    }
    if (!this.dragged) {
      // Capture only once it is a drag: capturing earlier would retarget the click of a node.
      this.dragged = true;
      this.touched = true;
      this.viewport.setPointerCapture?.(drag.pointerId);
      this.viewport.classList.add('dhhera-DagWidget-dragging');
    }
    this.apply({ ...drag.origin, x: drag.origin.x + dx, y: drag.origin.y + dy });
  };

  private readonly onPointerUp = (): void => {
    this.endDrag();
  };

  private readonly onPointerLeave = (): void => {
    if (!this.drag) {
      this.engaged = false;
    }
  };

  // A drag ends with a click on whatever is under the pointer: swallow it.
  private readonly onClickCapture = (event: MouseEvent): void => {
    if (this.dragged) {
      event.stopPropagation();
      event.preventDefault();
      this.dragged = false;
    }
  };

  private endDrag(): void {
    if (this.drag && this.viewport.hasPointerCapture?.(this.drag.pointerId)) {
      this.viewport.releasePointerCapture(this.drag.pointerId);
    }
    this.drag = null;
    this.viewport.classList.remove('dhhera-DagWidget-dragging');
    this.viewport.removeEventListener('pointermove', this.onPointerMove);
    this.viewport.removeEventListener('pointerup', this.onPointerUp);
    this.viewport.removeEventListener('pointercancel', this.onPointerUp);
  }

  private current: Transform = { x: 0, y: 0, k: 1 };
  private drag: { pointerId: number; startX: number; startY: number; origin: Transform } | null = null;
  private dragged = false;
  private engaged = false;
  private touched = false;
  private readonly resizeObserver: ResizeObserver | null = null;
}
