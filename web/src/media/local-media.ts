// Opening the creator's camera, microphone and screen with settings fit for streaming, and saying
// in plain words why that failed.

/** 720p30 is what the top simulcast layer (1.5 Mbit/s) carries well. */
const CAMERA: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30, max: 30 },
};

const MICROPHONE: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
  channelCount: { ideal: 2 },
};

function withDevice(base: MediaTrackConstraints, deviceId: string | null): MediaTrackConstraints {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

async function openOne(
  kind: 'video' | 'audio',
  base: MediaTrackConstraints,
  deviceId: string | null,
): Promise<MediaStreamTrack> {
  const open = async (id: string | null) => {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: withDevice(base, id) });
    const track = kind === 'video' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    if (!track) throw new DOMException(`No ${kind} track`, 'NotFoundError');
    return track;
  };
  try {
    return await open(deviceId);
  } catch (error) {
    // The remembered device is gone (unplugged, or another browser profile): take the default.
    if (deviceId && ['OverconstrainedError', 'NotFoundError'].includes((error as DOMException).name)) return open(null);
    throw error;
  }
}

export function openCamera(deviceId: string | null): Promise<MediaStreamTrack> {
  return openOne('video', CAMERA, deviceId);
}

export function openMicrophone(deviceId: string | null): Promise<MediaStreamTrack> {
  return openOne('audio', MICROPHONE, deviceId);
}

export interface ScreenCapture {
  video: MediaStreamTrack;
  /** Tab or system audio, when the user chose to share it. */
  audio: MediaStreamTrack | null;
}

export async function openScreen(): Promise<ScreenCapture> {
  const stream = await navigator.mediaDevices.getDisplayMedia({
    video: { frameRate: { ideal: 30, max: 30 } },
    // Streams of games and videos want their sound; noise suppression would eat it.
    audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
  });
  const video = stream.getVideoTracks()[0];
  if (!video) throw new DOMException('No screen video track', 'NotFoundError');
  return { video, audio: stream.getAudioTracks()[0] ?? null };
}

export function describeCaptureError(error: unknown, what: 'camera' | 'microphone' | 'screen'): string {
  const name = (error as DOMException | undefined)?.name;
  const device = what === 'screen' ? 'screen sharing' : `the ${what}`;
  switch (name) {
    case 'NotAllowedError':
      return what === 'screen'
        ? 'Screen sharing was cancelled or blocked.'
        : `Access to ${device} was blocked. Allow it from the icon in the address bar, then pick the device again.`;
    case 'NotFoundError':
      return `No ${what} was found. Connect one and pick it from the list.`;
    case 'NotReadableError':
    case 'AbortError':
      return `The ${what} is in use by another application or could not be started.`;
    case 'OverconstrainedError':
      return `The selected ${what} cannot deliver the requested quality.`;
    case 'SecurityError':
      return `The browser only allows ${device} on https:// pages or on localhost.`;
    default:
      return `Could not start ${device}: ${(error as Error | undefined)?.message ?? String(error)}`;
  }
}
