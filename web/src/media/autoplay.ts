// Starts playback the way browsers allow it: with sound when the autoplay policy permits, else
// muted (always allowed for video), so the viewer sees the stream and gets an "Unmute" button.

export type AutoplayResult = 'sound' | 'muted' | 'blocked' | 'interrupted';

export async function playWithSoundIfAllowed(video: HTMLVideoElement): Promise<AutoplayResult> {
  try {
    await video.play();
    return video.muted ? 'muted' : 'sound';
  } catch (error) {
    const name = (error as DOMException).name;
    // A newer srcObject or pause() replaced this play(); whoever did that plays again.
    if (name === 'AbortError') return 'interrupted';
    if (name !== 'NotAllowedError' || video.muted) return 'blocked';
  }
  video.muted = true;
  try {
    await video.play();
    return 'muted';
  } catch (error) {
    return (error as DOMException).name === 'AbortError' ? 'interrupted' : 'blocked';
  }
}
