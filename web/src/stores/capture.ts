import { defineStore } from 'pinia';
import { ref, shallowRef, type ShallowRef } from 'vue';
import { describeCaptureError, openCamera, openMicrophone, openScreen } from '../media/local-media.ts';

const CAMERA_KEY = 'aethex.studio.cameraId';
const MICROPHONE_KEY = 'aethex.studio.microphoneId';

/**
 * The creator's capture devices: which camera and microphone are picked (remembered), their open
 * tracks, the screen share, and mute / camera-off. Publishing follows these tracks (studio store);
 * this store only opens, swaps and stops them.
 */
export const useCaptureStore = defineStore('capture', () => {
  const cameraId = ref<string | null>(localStorage.getItem(CAMERA_KEY));
  const microphoneId = ref<string | null>(localStorage.getItem(MICROPHONE_KEY));
  // Native objects stay out of Vue's deep proxies: a proxied track breaks WebRTC calls.
  const camera = shallowRef<MediaStreamTrack | null>(null);
  const microphone = shallowRef<MediaStreamTrack | null>(null);
  const screen = shallowRef<MediaStreamTrack | null>(null);
  const screenAudio = shallowRef<MediaStreamTrack | null>(null);
  const cameraOff = ref(false);
  const microphoneMuted = ref(false);
  const cameraError = ref<string | null>(null);
  const microphoneError = ref<string | null>(null);
  const screenError = ref<string | null>(null);
  const opening = ref(false);

  /** Puts `track` in `slot`, stopping what was there; notices when the device goes away. */
  function replace(
    slot: ShallowRef<MediaStreamTrack | null>,
    track: MediaStreamTrack | null,
    onEnded?: () => void,
  ): void {
    const old = slot.value;
    slot.value = track;
    if (old && old !== track) old.stop();
    if (track && onEnded) track.addEventListener('ended', () => slot.value === track && onEnded(), { once: true });
  }

  async function takeCamera(deviceId: string | null): Promise<void> {
    try {
      const track = await openCamera(deviceId);
      track.enabled = !cameraOff.value;
      cameraError.value = null;
      cameraId.value = track.getSettings().deviceId ?? deviceId;
      if (cameraId.value) localStorage.setItem(CAMERA_KEY, cameraId.value);
      replace(camera, track, () => {
        replace(camera, null);
        cameraError.value = 'The camera stopped (unplugged, or taken by another app). Pick it again.';
      });
    } catch (error) {
      cameraError.value = describeCaptureError(error, 'camera');
    }
  }

  async function takeMicrophone(deviceId: string | null): Promise<void> {
    try {
      const track = await openMicrophone(deviceId);
      track.enabled = !microphoneMuted.value;
      microphoneError.value = null;
      microphoneId.value = track.getSettings().deviceId ?? deviceId;
      if (microphoneId.value) localStorage.setItem(MICROPHONE_KEY, microphoneId.value);
      replace(microphone, track, () => {
        replace(microphone, null);
        microphoneError.value = 'The microphone stopped (unplugged, or taken by another app). Pick it again.';
      });
    } catch (error) {
      microphoneError.value = describeCaptureError(error, 'microphone');
    }
  }

  /** Opens the picked (or default) camera and microphone, unless they are open already. */
  async function open(): Promise<void> {
    if (opening.value) return;
    opening.value = true;
    try {
      await Promise.all([
        camera.value ? undefined : takeCamera(cameraId.value),
        microphone.value ? undefined : takeMicrophone(microphoneId.value),
      ]);
    } finally {
      opening.value = false;
    }
  }

  /** Switches camera: the new one opens before the old one stops, so the stream barely blinks. */
  function selectCamera(deviceId: string): Promise<void> {
    return takeCamera(deviceId);
  }

  function selectMicrophone(deviceId: string): Promise<void> {
    return takeMicrophone(deviceId);
  }

  async function startScreenShare(): Promise<void> {
    try {
      const capture = await openScreen();
      screenError.value = null;
      replace(screenAudio, capture.audio);
      // Stopping from the browser's "Stop sharing" bar ends the track: end the share with it.
      replace(screen, capture.video, stopScreenShare);
    } catch (error) {
      // Closing the picker is a choice, not a failure.
      screenError.value =
        (error as DOMException).name === 'NotAllowedError' ? null : describeCaptureError(error, 'screen');
    }
  }

  function stopScreenShare(): void {
    replace(screen, null);
    replace(screenAudio, null);
  }

  function setCameraOff(off: boolean): void {
    cameraOff.value = off;
    if (camera.value) camera.value.enabled = !off;
  }

  function setMicrophoneMuted(muted: boolean): void {
    microphoneMuted.value = muted;
    if (microphone.value) microphone.value.enabled = !muted;
  }

  /** Stops every track (the camera light goes off). */
  function release(): void {
    replace(camera, null);
    replace(microphone, null);
    stopScreenShare();
  }

  return {
    cameraId,
    microphoneId,
    camera,
    microphone,
    screen,
    screenAudio,
    cameraOff,
    microphoneMuted,
    cameraError,
    microphoneError,
    screenError,
    opening,
    open,
    selectCamera,
    selectMicrophone,
    startScreenShare,
    stopScreenShare,
    setCameraOff,
    setMicrophoneMuted,
    release,
  };
});
