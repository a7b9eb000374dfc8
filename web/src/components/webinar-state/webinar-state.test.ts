import { describe, expect, it } from 'vitest';
import { phaseOf, phaseText } from './webinar-state.ts';

const NOW = Date.parse('2026-05-01T12:00:00Z');

describe('a webinar as someone sees it', () => {
  it('counts down to a scheduled start, then waits for the host', () => {
    const scheduled = { state: 'scheduled' as const, scheduledStart: '2026-05-01T14:30:00Z' };
    expect(phaseOf(scheduled, NOW)).toBe('upcoming');
    expect(phaseText(scheduled, NOW)).toBe('Starts in 2 h 30 min');
    expect(phaseOf(scheduled, Date.parse('2026-05-01T14:31:00Z'))).toBe('due');
    expect(phaseText(scheduled, Date.parse('2026-05-01T14:31:00Z'))).toBe('Starting soon');
  });

  it('names the states the host moves it through', () => {
    const at = (state: 'backstage' | 'live' | 'ended') =>
      phaseText({ state, scheduledStart: '2026-05-01T14:30:00Z' }, NOW);
    expect(at('backstage')).toBe('Backstage — starting soon');
    expect(at('live')).toBe('Live now');
    expect(at('ended')).toBe('Ended');
  });
});
