// The loudest three on a crowded stage: the ranking on its own (who is heard, who waits), then on
// a real mediasoup room: a fourth microphone is held back from a viewer on the worker itself (its
// consumer paused there, whatever the client asks), and let go when a voice leaves or steps out.
// No media flows here, so nobody is heard: the voices rank by arrival, as before anyone speaks.
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../tests/support/wait.ts';
import { LoudestVoices, VoiceRanking } from './loudest-voices.ts';
import type { Peer } from './peer.ts';
import { Room } from './room.ts';
import { AUDIO_PARAMETERS, logger, roomOptions, startPool } from './sfu-test-kit.ts';
import type { WorkerPool } from './worker-pool.ts';

describe('VoiceRanking', () => {
  it('hears everyone while three or fewer are on stage', () => {
    const ranking = new VoiceRanking(3);
    for (const id of ['a', 'b', 'c']) ranking.add(id);
    expect(ranking.inaudible()).toEqual(new Set());
  });

  it('holds back the latest arrival until they speak, then the voice heard longest ago', () => {
    const ranking = new VoiceRanking(3);
    for (const id of ['a', 'b', 'c', 'd']) ranking.add(id);
    expect(ranking.inaudible()).toEqual(new Set(['d']));
    ranking.heard(['a', 'b'], 1000);
    ranking.heard(['c'], 2000);
    ranking.heard(['d'], 3000);
    // 'a' and 'b' were heard at the same time; the earlier arrival keeps its place.
    expect(ranking.inaudible()).toEqual(new Set(['b']));
    // A pause costs nothing: with nobody else speaking, the same three stay audible.
    expect(ranking.inaudible()).toEqual(new Set(['b']));
    ranking.heard(['b'], 4000);
    expect(ranking.inaudible()).toEqual(new Set(['a']));
  });

  it('lets the next voice in when one leaves, and forgets voices it never knew', () => {
    const ranking = new VoiceRanking(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) ranking.add(id);
    expect(ranking.inaudible()).toEqual(new Set(['d', 'e']));
    ranking.remove('b');
    ranking.heard(['unknown'], 10);
    expect(ranking.inaudible()).toEqual(new Set(['e']));
  });
});

describe('LoudestVoices on a real room', () => {
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await startPool(1);
  });
  afterAll(() => pool?.close());

  it('holds a fourth microphone back from a viewer on the worker, and lets it go when a voice leaves', async () => {
    const room = await Room.create(pool, roomOptions('loudest-voices'), logger);
    try {
      const voices = await LoudestVoices.create(room);
      const changes: ReadonlySet<string>[] = [];
      voices.on('changed', (inaudible) => changes.push(inaudible));
      const speakers: { peer: Peer; microphone: ms.Producer }[] = [];
      for (let i = 0; i < 4; i++) {
        const peer = await room.join(`speaker-${i}`, 'publisher');
        const transport = await peer.createTransport('send');
        const parameters = { ...structuredClone(AUDIO_PARAMETERS), encodings: [{ ssrc: 3000 + i }] };
        speakers.push({ peer, microphone: await peer.produce(transport.id, 'audio', parameters, 'microphone') });
      }
      await waitFor(() => room.producers().length === 4, { what: 'four microphones in the room' });
      const fourth = speakers[3]!.microphone.id;
      expect(voices.inaudible).toEqual(new Set([fourth]));

      const viewer = await room.join('attendee', 'viewer');
      const transport = await viewer.createTransport('recv');
      const consumers = new Map<string, ms.Consumer>();
      for (const { microphone } of speakers)
        consumers.set(
          microphone.id,
          await viewer.consume(transport.id, microphone.id, 'microphone', viewer.rtpCapabilities),
        );
      await viewer.setHeld(voices.inaudible);
      // The client resumes every consumer it got; the held one stays paused on the worker.
      for (const consumer of consumers.values()) await viewer.resumeConsumer(consumer.id);
      const pausedOnWorker = async () => {
        const paused: string[] = [];
        for (const [producerId, consumer] of consumers)
          if (((await consumer.dump()) as { paused: boolean }).paused) paused.push(producerId);
        return paused;
      };
      expect(await pausedOnWorker()).toEqual([fourth]);

      // The first voice leaves the stage: the fourth is let in, and the viewer gets its packets.
      speakers[0]!.peer.close();
      // Its consumer goes with it (the worker may forget it before this process hears of it).
      consumers.delete(speakers[0]!.microphone.id);
      await waitFor(() => voices.inaudible.size === 0, { what: 'the fourth voice to be let in' });
      expect(changes.at(-1)).toEqual(new Set());
      await viewer.setHeld(voices.inaudible);
      expect(await pausedOnWorker()).toEqual([]);

      // A fifth arrives while the viewer has not resumed its consumer yet: released, it stays
      // paused until the client says it is ready.
      const late = await room.join('speaker-late', 'publisher');
      const lateTransport = await late.createTransport('send');
      const lateMic = await late.produce(
        lateTransport.id,
        'audio',
        { ...structuredClone(AUDIO_PARAMETERS), encodings: [{ ssrc: 4000 }] },
        'microphone',
      );
      await waitFor(() => voices.inaudible.has(lateMic.id), { what: 'the late voice to wait its turn' });
      const lateConsumer = await viewer.consume(transport.id, lateMic.id, 'microphone', viewer.rtpCapabilities);
      await viewer.setHeld(voices.inaudible);
      // Its owner steps backstage and back: out of the ranking, then in again behind the others.
      voices.ignore(late.id, true);
      expect(voices.inaudible).toEqual(new Set());
      await viewer.setHeld(voices.inaudible);
      expect(((await lateConsumer.dump()) as { paused: boolean }).paused).toBe(true);
      await viewer.resumeConsumer(lateConsumer.id);
      expect(((await lateConsumer.dump()) as { paused: boolean }).paused).toBe(false);
      voices.ignore(late.id, false);
      expect(voices.inaudible).toEqual(new Set([lateMic.id]));
      await viewer.setHeld(voices.inaudible);
      expect(((await lateConsumer.dump()) as { paused: boolean }).paused).toBe(true);
      // A consumer its client paused (it no longer shows it) stays paused when the hold ends.
      await viewer.pauseConsumer(lateConsumer.id);
      await viewer.setHeld(new Set());
      expect(((await lateConsumer.dump()) as { paused: boolean }).paused).toBe(true);
    } finally {
      room.close('test over');
    }
  });
});
