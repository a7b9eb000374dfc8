import { describe, expect, it } from 'vitest';
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import type { StreamStatus } from '../../common/protocol/media-signaling.ts';
import { endLiveStream, type EndableLiveStreams } from './stream-end-requests.ts';

const channel: ChannelRef = { id: 'c1', slug: 'synth' };

/** The live state of one channel as LiveStreams keeps it: who holds the slot, and whether it is live. */
function liveState(options: { live: boolean; publisher: string | null; takeover: 'replace' | 'refuse' }) {
  const calls: string[] = [];
  let publisher = options.publisher;
  let live = options.live;
  const state: EndableLiveStreams = {
    status: () => ({ live }) as StreamStatus,
    publisherOf: () => publisher,
    claimPublisher(_channel, sessionId) {
      if (publisher && options.takeover === 'refuse') return Promise.resolve(false);
      calls.push(`replaced ${publisher}`);
      publisher = sessionId;
      return Promise.resolve(true);
    },
    publisherEnded(_channel, sessionId) {
      if (sessionId !== publisher) return Promise.resolve();
      calls.push(`ended by ${sessionId.startsWith('end-request:') ? 'the request' : sessionId}`);
      publisher = null;
      live = false;
      return Promise.resolve();
    },
  };
  return { state, calls };
}

describe('endLiveStream', () => {
  it('lets the publishing session go, then ends the stream as its publisher', async () => {
    const { state, calls } = liveState({ live: true, publisher: 'tab-1', takeover: 'replace' });
    expect(await endLiveStream(state, channel)).toBe(true);
    expect(calls).toEqual(['replaced tab-1', 'ended by the request']);
    expect(state.status(channel).live).toBe(false);
  });

  it('ends a stream whose publisher is gone (in its grace period)', async () => {
    const { state, calls } = liveState({ live: true, publisher: null, takeover: 'refuse' });
    expect(await endLiveStream(state, channel)).toBe(true);
    expect(calls).toEqual(['replaced null', 'ended by the request']);
  });

  it('ends it as the present publisher when takeovers are refused', async () => {
    const { state, calls } = liveState({ live: true, publisher: 'tab-1', takeover: 'refuse' });
    expect(await endLiveStream(state, channel)).toBe(true);
    expect(calls).toEqual(['ended by tab-1']);
  });

  it('does nothing where the channel is not live (another process carries it)', async () => {
    const { state, calls } = liveState({ live: false, publisher: null, takeover: 'replace' });
    expect(await endLiveStream(state, channel)).toBe(false);
    expect(calls).toEqual([]);
  });
});
