import { getCurrentScope, onScopeDispose, watch, type WatchSource } from 'vue';

/**
 * Runs `tick` every `ms` while `active` is true (always, without it), never twice at once, and
 * stops when the component or scope goes away.
 */
export function useInterval(tick: () => void | Promise<void>, ms: number, active?: WatchSource<boolean>): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await tick();
    } catch (error) {
      console.warn('[aethex] periodic task failed', error);
    } finally {
      running = false;
    }
  };
  const start = () => {
    if (timer === undefined) {
      void run();
      timer = setInterval(() => void run(), ms);
    }
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };
  if (active) watch(active, (on) => (on ? start() : stop()), { immediate: true });
  else start();
  if (getCurrentScope()) onScopeDispose(stop);
}
