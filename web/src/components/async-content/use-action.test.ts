import { describe, expect, it } from 'vitest';
import { useAction } from './use-action.ts';

describe('useAction', () => {
  it('is busy while the action runs and clears the last error', async () => {
    const { busy, error, run } = useAction(() => 'it failed');
    await run(() => Promise.reject(new Error('no')));
    expect(error.value).toBe('it failed');

    let release = () => {};
    const running = run(() => new Promise<void>((resolve) => (release = resolve)));
    expect(busy.value).toBe(true);
    expect(error.value).toBeNull();
    release();
    expect(await running).toBe(true);
    expect(busy.value).toBe(false);
  });

  it('says false and words the failure as this call asks', async () => {
    const { busy, error, run } = useAction(() => 'generic');
    expect(
      await run(
        () => Promise.reject(new Error('no')),
        () => 'specific',
      ),
    ).toBe(false);
    expect(error.value).toBe('specific');
    expect(busy.value).toBe(false);
  });
});
