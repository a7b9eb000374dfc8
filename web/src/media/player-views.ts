// The <video> elements a Player draws into: the main picture with the sound, and an optional
// picture-in-picture. Each element asks for the simulcast layer that fits the size it is drawn at,
// and playback starts with sound when the browser allows it, else muted.
import { playWithSoundIfAllowed, type AutoplayResult } from './autoplay.ts';
import { LayerWatcher } from './layers.ts';

/** A video to show: its track, and what layer requests need to know about its consumer. */
export interface ShownVideo {
  track: MediaStreamTrack;
  consumerId: string;
  spatialLayers: number;
  /** Only simulcast and SVC consumers have layers to pick. */
  layered: boolean;
}

export interface PlayerViewsOptions {
  /** The main element needs `spatialLayer` of the consumer it shows. */
  onLayer: (consumerId: string, spatialLayer: number) => void;
  /** How starting the main element went (sound, muted by the autoplay policy...). */
  onAutoplay: (result: AutoplayResult) => void;
}

class View {
  readonly element: HTMLVideoElement;
  readonly #watcher: LayerWatcher;
  #video: ShownVideo | null = null;

  constructor(element: HTMLVideoElement, onLayer: PlayerViewsOptions['onLayer']) {
    this.element = element;
    element.autoplay = true;
    element.playsInline = true;
    this.#watcher = new LayerWatcher(element, (spatialLayer) => {
      if (this.#video?.layered) onLayer(this.#video.consumerId, spatialLayer);
    });
  }

  /** Shows `video` and `audio`; returns whether the element got a new stream (and must play). */
  show(video: ShownVideo | null, audio: MediaStreamTrack[]): boolean {
    if (video?.consumerId !== this.#video?.consumerId) {
      this.#video = video;
      if (video) this.#watcher.reset(video.spatialLayers);
    }
    const tracks = [...(video ? [video.track] : []), ...audio];
    const current = this.element.srcObject instanceof MediaStream ? this.element.srcObject.getTracks() : [];
    if (current.length === tracks.length && tracks.every((t) => current.includes(t))) return false;
    // A new MediaStream rather than addTrack: every browser picks up a replaced srcObject.
    this.element.srcObject = tracks.length > 0 ? new MediaStream(tracks) : null;
    return tracks.length > 0;
  }

  close(): void {
    this.#watcher.close();
    this.element.srcObject = null;
  }
}

export class PlayerViews {
  readonly #options: PlayerViewsOptions;
  #main: View | null = null;
  #pip: View | null = null;

  constructor(options: PlayerViewsOptions) {
    this.#options = options;
  }

  get mainElement(): HTMLVideoElement | null {
    return this.#main?.element ?? null;
  }

  attach(main: HTMLVideoElement, pip: HTMLVideoElement | null): void {
    this.detach();
    this.#main = new View(main, this.#options.onLayer);
    if (pip) {
      pip.muted = true;
      this.#pip = new View(pip, this.#options.onLayer);
    }
  }

  detach(): void {
    this.#main?.close();
    this.#pip?.close();
    this.#main = null;
    this.#pip = null;
  }

  show(main: ShownVideo | null, pip: ShownVideo | null, audio: MediaStreamTrack[]): void {
    const mainView = this.#main;
    if (mainView?.show(main, audio)) {
      void playWithSoundIfAllowed(mainView.element).then((result) => {
        if (this.#main === mainView) this.#options.onAutoplay(result);
      });
    }
    const pipView = this.#pip;
    if (pipView?.show(pip, [])) void pipView.element.play().catch(() => undefined);
  }
}
