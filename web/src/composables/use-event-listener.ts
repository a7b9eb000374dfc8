import { getCurrentScope, onScopeDispose } from 'vue';

/** addEventListener that is removed again when the component or scope goes away. */
export function useEventListener<K extends keyof WindowEventMap>(
  target: Window,
  type: K,
  listener: (event: WindowEventMap[K]) => void,
): void;
export function useEventListener(target: EventTarget, type: string, listener: (event: Event) => void): void;
export function useEventListener(target: EventTarget, type: string, listener: (event: Event) => void): void {
  target.addEventListener(type, listener);
  if (getCurrentScope()) onScopeDispose(() => target.removeEventListener(type, listener));
}
