// Picks the simulcast layer a viewer needs from how big the video is drawn, so a small player
// does not pull 720p it cannot show, and a full-screen one gets the best layer.

/** Spatial layer for a video drawn `renderedHeight` device pixels tall: 0 up to 240, 1 up to 480,
 * 2 above, capped by the layers the stream has. */
export function spatialLayerForHeight(renderedHeight: number, spatialLayers: number): number {
  const wanted = renderedHeight <= 240 ? 0 : renderedHeight <= 480 ? 1 : 2;
  return Math.max(0, Math.min(wanted, spatialLayers - 1));
}

/** Height in device pixels of a video of `aspect` (width/height) drawn with object-fit: contain in a
 * box of the given CSS size. Device pixels count, up to 2x: a small player on a high-density
 * screen still shows every pixel of a bigger layer. */
export function renderedVideoHeight(
  box: { width: number; height: number },
  aspect: number,
  devicePixelRatio = 1,
): number {
  if (box.width <= 0 || box.height <= 0) return 0;
  const safeAspect = aspect > 0 && Number.isFinite(aspect) ? aspect : 16 / 9;
  const cssHeight = Math.min(box.height, box.width / safeAspect);
  return cssHeight * Math.min(2, Math.max(1, devicePixelRatio));
}

/**
 * Watches one video element and reports the spatial layer it needs: at once when started, then
 * after the size has settled (debounced) whenever the needed layer changes.
 */
export class LayerWatcher {
  readonly #element: HTMLVideoElement;
  readonly #onLayer: (spatialLayer: number) => void;
  readonly #debounceMs: number;
  readonly #observer: ResizeObserver;
  #spatialLayers = 1;
  #current: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(element: HTMLVideoElement, onLayer: (spatialLayer: number) => void, debounceMs = 300) {
    this.#element = element;
    this.#onLayer = onLayer;
    this.#debounceMs = debounceMs;
    this.#observer = new ResizeObserver(() => this.#schedule());
    this.#observer.observe(element);
    // The aspect is known only once the first frame arrives.
    element.addEventListener('resize', this.#onVideoResize);
  }

  /** The number of spatial layers of the stream now shown; reports its layer at once. */
  reset(spatialLayers: number): void {
    this.#spatialLayers = spatialLayers;
    this.#current = null;
    clearTimeout(this.#timer);
    this.#evaluate();
  }

  /** The layer last reported, if any. */
  get current(): number | null {
    return this.#current;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#observer.disconnect();
    this.#element.removeEventListener('resize', this.#onVideoResize);
  }

  readonly #onVideoResize = (): void => this.#schedule();

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#evaluate(), this.#debounceMs);
  }

  #evaluate(): void {
    const rect = this.#element.getBoundingClientRect();
    const { videoWidth, videoHeight } = this.#element;
    const aspect = videoWidth > 0 && videoHeight > 0 ? videoWidth / videoHeight : 16 / 9;
    const height = renderedVideoHeight(rect, aspect, window.devicePixelRatio);
    const layer = spatialLayerForHeight(height, this.#spatialLayers);
    if (layer === this.#current) return;
    this.#current = layer;
    this.#onLayer(layer);
  }
}
