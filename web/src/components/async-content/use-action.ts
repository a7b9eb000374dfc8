import { ref } from 'vue';
import { failureText } from '../../lib/api.ts';

/**
 * A request sent from a panel (save, add, revoke), the counterpart of what AsyncContent loads:
 * `busy` while it runs, `error` the words for what failed, null once it worked. `problemText`
 * turns a failure into those words; one call may pass its own.
 */
export function useAction(problemText: (failure: unknown) => string = failureText) {
  const busy = ref(false);
  const error = ref<string | null>(null);

  /** True when `action` worked. */
  async function run(action: () => Promise<unknown>, describe = problemText): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      await action();
      return true;
    } catch (failure) {
      error.value = describe(failure);
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, run };
}
