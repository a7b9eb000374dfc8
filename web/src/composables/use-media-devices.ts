import { ref } from 'vue';
import { useEventListener } from './use-event-listener.ts';

export interface DeviceOption {
  deviceId: string;
  label: string;
}

/**
 * The cameras and microphones of this machine, kept current as devices come and go. Browsers hide
 * device labels until the page has been allowed to use one: call refresh() after that.
 */
export function useMediaDevices() {
  const cameras = ref<DeviceOption[]>([]);
  const microphones = ref<DeviceOption[]>([]);

  async function refresh(): Promise<void> {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    const list = (kind: MediaDeviceKind, noun: string) =>
      devices
        .filter((d) => d.kind === kind && d.deviceId !== '')
        .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `${noun} ${i + 1}` }));
    cameras.value = list('videoinput', 'Camera');
    microphones.value = list('audioinput', 'Microphone');
  }

  if (navigator.mediaDevices) useEventListener(navigator.mediaDevices, 'devicechange', () => void refresh());
  void refresh();
  return { cameras, microphones, refresh };
}
