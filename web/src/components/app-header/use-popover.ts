import { ref, watch, type Ref } from 'vue';
import { useRoute } from 'vue-router';
import { useEventListener } from '../../composables/use-event-listener.ts';

/**
 * A button that opens a panel (the bell's list, the user menu): a click outside, Escape or moving
 * to another page closes it; Escape gives focus back to the button.
 */
export function usePopover(root: Ref<HTMLElement | null>, button: Ref<HTMLElement | null>) {
  const open = ref(false);
  const route = useRoute();

  function close(returnFocus = false): void {
    if (!open.value) return;
    open.value = false;
    if (returnFocus) button.value?.focus();
  }

  function toggle(): void {
    open.value = !open.value;
  }

  useEventListener(document, 'pointerdown', (event) => {
    if (open.value && root.value && !root.value.contains(event.target as Node)) close();
  });
  useEventListener(document, 'keydown', (event) => {
    if (open.value && (event as KeyboardEvent).key === 'Escape') close(true);
  });
  // Focus moving out of the panel by Tab closes it too.
  useEventListener(document, 'focusin', (event) => {
    if (open.value && root.value && !root.value.contains(event.target as Node)) close();
  });
  watch(
    () => route.fullPath,
    () => close(),
  );

  return { open, close, toggle };
}
