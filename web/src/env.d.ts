/// <reference types="vite/client" />
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
// hls.js ships its light build (no subtitles, alternate audio, DRM or interstitials, none of which
// the recorder's playlists use) without its own typings: it has the full build's API.
declare module 'hls.js/light' {
  export { default } from 'hls.js';
}
