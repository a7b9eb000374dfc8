import { getCurrentScope, onScopeDispose, ref, watch, type Ref } from 'vue';

/**
 * The loudness (0..1) of an audio track, for a level meter. Measures only while a track is given;
 * closes its AudioContext when the track changes or the component goes away.
 */
export function useAudioLevel(track: Ref<MediaStreamTrack | null>): Ref<number> {
  const level = ref(0);
  let context: AudioContext | undefined;
  let frame = 0;

  const stop = () => {
    cancelAnimationFrame(frame);
    void context?.close().catch(() => undefined);
    context = undefined;
    level.value = 0;
  };

  const start = (audio: MediaStreamTrack) => {
    context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([audio])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    // Some browsers start the context suspended until the page was clicked.
    void context.resume().catch(() => undefined);
    const measure = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const rms = Math.sqrt(sum / samples.length);
      // dBFS from -60 to 0 onto 0..1, with a quick attack and a slower release.
      const target = Math.max(0, Math.min(1, (20 * Math.log10(rms || 1e-8) + 60) / 60));
      level.value = target > level.value ? target : level.value * 0.85 + target * 0.15;
      frame = requestAnimationFrame(measure);
    };
    measure();
  };

  watch(
    track,
    (audio) => {
      stop();
      if (audio && typeof AudioContext !== 'undefined') start(audio);
    },
    { immediate: true },
  );
  if (getCurrentScope()) onScopeDispose(stop);
  return level;
}
