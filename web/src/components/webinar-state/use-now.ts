import { ref, type Ref } from 'vue';
import { useInterval } from '../../composables/use-interval.ts';

/** The time, ticking every `ms` while the component lives (a countdown, "starts in 5 min"). */
export function useNow(ms = 1000): Ref<number> {
  const now = ref(Date.now());
  useInterval(() => {
    now.value = Date.now();
  }, ms);
  return now;
}
