// LiveStreams on the real stream directory and a real database: what a channel's Stream rows look
// like as its publisher starts, blips, comes back, leaves, and as viewers come and go. Timings are
// short (a 300 ms grace period) and every wait polls the database with a deadline.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../api/admin/commands.ts';
import { createStreamDirectory } from '../../api/streams/stream-directory.ts';
import { openDatabase, type Database } from '../../common/db/database.ts';
import type { StreamStatus } from '../../common/protocol/media-signaling.ts';
import type { ChannelRef } from '../../common/live/channel-directory.ts';
import { LiveStreams } from '../../signaling/live-streams.ts';
import { databaseTargets } from '../support/databases.ts';
import { testLogger } from '../support/logger.ts';
import { waitFor } from '../support/wait.ts';

const END_GRACE_MS = 300;
const VIEWER_WRITE_INTERVAL_MS = 50;

describe.each(databaseTargets())('live streams on $name', (target) => {
  let database: Database;
  let dispose: () => Promise<void>;
  /** LiveStreams made by the current test; closed after it so no timer outlives it. */
  const opened: LiveStreams[] = [];

  beforeAll(async () => {
    const created = await target.create();
    dispose = created.dispose;
    database = await openDatabase(created.options, testLogger);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((live) => live.close()));
  });
  afterAll(async () => {
    await database?.close();
    await dispose?.();
  });

  /** A user and a channel of the test's own, made through the operator commands. */
  async function newChannel(): Promise<ChannelRef> {
    const suffix = randomBytes(4).toString('hex');
    const context = { prisma: database.prisma, publicUrl: 'http://127.0.0.1:1' };
    const email = `creator-${suffix}@example.test`;
    await runAdminCommand(context, { command: 'user.create', email, password: 'correct horse battery' });
    const channel = (await runAdminCommand(context, {
      command: 'channel.create',
      owner: email,
      slug: `live-${suffix}`,
    })) as ChannelRef;
    return { id: channel.id, slug: channel.slug };
  }

  /** LiveStreams over the real directory, and every status it emits, in order. */
  function newLiveStreams(): { live: LiveStreams; statuses: StreamStatus[] } {
    const live = new LiveStreams(
      createStreamDirectory(database.prisma),
      { endGraceMs: END_GRACE_MS, viewerWriteIntervalMs: VIEWER_WRITE_INTERVAL_MS },
      testLogger,
    );
    opened.push(live);
    const statuses: StreamStatus[] = [];
    live.on('status', (status) => statuses.push(status));
    return { live, statuses };
  }

  const streamsOf = (channel: ChannelRef) =>
    database.prisma.stream.findMany({ where: { channelId: channel.id }, orderBy: { createdAt: 'asc' } });
  const streamRow = (id: string) => database.prisma.stream.findUniqueOrThrow({ where: { id } });

  /** Fails as soon as the row stops being live within `forMs`; a negative can only be watched for a while. */
  async function expectStaysLive(streamId: string, forMs: number): Promise<void> {
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      const row = await streamRow(streamId);
      expect(row.state, `stream ${streamId} ended at ${row.endedAt?.toISOString()}`).toBe('live');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('goes live with exactly one Stream row, and starting again does not add one', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');

    await live.mediaStarted(channel);
    await live.mediaStarted(channel);

    const rows = await streamsOf(channel);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ state: 'live', endedAt: null });
    expect(row!.startedAt).toBeInstanceOf(Date);
    const status = live.status(channel);
    expect(status).toEqual({
      channel: channel.slug,
      live: true,
      streamId: row!.id,
      viewers: 0,
      startedAt: row!.startedAt!.toISOString(),
    });
    expect(statuses.filter((s) => s.live)).toEqual([status]);
  });

  it('goes live with exactly one Stream row when two producers start at once (audio and video)', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');

    await Promise.all([live.mediaStarted(channel), live.mediaStarted(channel)]);

    const rows = await streamsOf(channel);
    expect(rows.map((r) => ({ id: r.id, state: r.state }))).toEqual([
      { id: live.status(channel).streamId, state: 'live' },
    ]);
    expect(statuses.filter((s) => s.live)).toHaveLength(1);
  });

  it("ends the stream when its publisher ends it, and tells viewers it's over", async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');
    await live.mediaStarted(channel);
    const streamId = live.status(channel).streamId!;

    // Another session cannot end someone else's stream.
    await live.publisherEnded(channel, 'session-2');
    expect((await streamRow(streamId)).state).toBe('live');

    await live.publisherEnded(channel, 'session-1');

    const row = await streamRow(streamId);
    expect(row.state).toBe('ended');
    expect(row.endedAt).toBeInstanceOf(Date);
    expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    expect(row.viewers).toBe(0);
    expect(statuses.at(-1)).toEqual({
      channel: channel.slug,
      live: false,
      streamId: null,
      viewers: 0,
      startedAt: null,
    });
    expect(live.status(channel).live).toBe(false);
    expect(live.publisherOf(channel)).toBeNull();
  });

  it('ends a stream from elsewhere at once, telling its publisher it was ended, in either takeover mode', async () => {
    for (const publisherTakeover of ['replace', 'refuse'] as const) {
      const channel = await newChannel();
      const live = new LiveStreams(
        createStreamDirectory(database.prisma),
        { endGraceMs: END_GRACE_MS, viewerWriteIntervalMs: VIEWER_WRITE_INTERVAL_MS, publisherTakeover },
        testLogger,
      );
      opened.push(live);
      const told: string[] = [];
      await live.claimPublisher(channel, 'session-1', (why) => told.push(why));
      await live.mediaStarted(channel);
      const streamId = live.status(channel).streamId!;

      expect(await live.endStream(channel)).toBe(true);

      expect(told).toEqual(['ended']);
      expect((await streamRow(streamId)).state).toBe('ended');
      expect(live.publisherOf(channel)).toBeNull();
      // Nothing left to end: a process that doesn't carry the stream says so.
      expect(await live.endStream(channel)).toBe(false);
    }
  });

  it('keeps the same stream live when the publisher comes back within the grace period', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');
    await live.mediaStarted(channel);
    const streamId = live.status(channel).streamId!;

    live.publisherLost(channel, 'session-1');
    expect(live.publisherOf(channel)).toBeNull();
    await live.claimPublisher(channel, 'session-2');
    // The new session's media arrives: the same stream goes on.
    await live.mediaStarted(channel);

    await expectStaysLive(streamId, END_GRACE_MS * 3);
    expect(live.status(channel)).toMatchObject({ live: true, streamId });
    expect(live.publisherOf(channel)).toBe('session-2');
    expect((await streamsOf(channel)).map((r) => r.id)).toEqual([streamId]);
    expect(statuses.some((s) => !s.live)).toBe(false);
  });

  it('ends the stream once the grace period passes without the publisher', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');
    await live.mediaStarted(channel);
    const streamId = live.status(channel).streamId!;

    const lostAt = Date.now();
    live.publisherLost(channel, 'session-1');

    const ended = await waitFor(
      async () => {
        const row = await streamRow(streamId);
        return row.state === 'ended' && row;
      },
      { timeoutMs: 5_000, intervalMs: 25, what: 'the stream to end after the grace period' },
    );
    expect(ended.endedAt!.getTime()).toBeGreaterThanOrEqual(lostAt + END_GRACE_MS - 20);
    await waitFor(() => statuses.at(-1)?.live === false, { timeoutMs: 2_000, what: "a status saying it's over" });
    expect(live.status(channel)).toMatchObject({ live: false, streamId: null });
  });

  it('writes the viewer count through and keeps the peak', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');
    await live.mediaStarted(channel);
    const streamId = live.status(channel).streamId!;
    const rowIs = (viewers: number, peakViewers: number) =>
      waitFor(
        async () => {
          const row = await streamRow(streamId);
          return row.viewers === viewers && row.peakViewers === peakViewers && row;
        },
        { timeoutMs: 5_000, intervalMs: 25, what: `viewers ${viewers} and peak ${peakViewers} in the row` },
      );

    live.viewersChanged(channel, 3);
    await rowIs(3, 3);
    live.viewersChanged(channel, 5);
    await rowIs(5, 5);
    live.viewersChanged(channel, 2);
    await rowIs(2, 5);
    expect(statuses.map((s) => s.viewers).slice(-3)).toEqual([3, 5, 2]);
    expect(live.status(channel).viewers).toBe(2);

    // A burst between two writes lands as its last value, without losing the peak already written.
    live.viewersChanged(channel, 4);
    live.viewersChanged(channel, 1);
    await rowIs(1, 5);

    await live.publisherEnded(channel, 'session-1');
    const ended = await streamRow(streamId);
    expect(ended).toMatchObject({ state: 'ended', viewers: 0, peakViewers: 5 });
  });

  it('counts viewers of an offline channel without writing to any stream', async () => {
    const channel = await newChannel();
    const { live, statuses } = newLiveStreams();

    live.viewersChanged(channel, 2);

    expect(statuses).toEqual([{ channel: channel.slug, live: false, streamId: null, viewers: 2, startedAt: null }]);
    expect(await streamsOf(channel)).toEqual([]);
  });

  it('ends a stream a crash left live when the channel goes live again', async () => {
    const channel = await newChannel();
    const stale = await database.prisma.stream.create({
      data: {
        channelId: channel.id,
        state: 'live',
        startedAt: new Date(Date.now() - 3_600_000),
        viewers: 7,
        peakViewers: 9,
      },
    });
    const { live } = newLiveStreams();
    await live.claimPublisher(channel, 'session-1');

    await live.mediaStarted(channel);

    const rows = await streamsOf(channel);
    expect(rows).toHaveLength(2);
    const fresh = rows.find((r) => r.id !== stale.id)!;
    expect(fresh).toMatchObject({ state: 'live', id: live.status(channel).streamId });
    const ended = rows.find((r) => r.id === stale.id)!;
    expect(ended.state).toBe('ended');
    expect(ended.endedAt).toBeInstanceOf(Date);
    expect(ended.peakViewers).toBe(9);
    expect(rows.filter((r) => r.state === 'live')).toHaveLength(1);
  });

  it('ends every live stream on close', async () => {
    const [first, second] = [await newChannel(), await newChannel()];
    const { live } = newLiveStreams();
    for (const channel of [first, second]) {
      await live.claimPublisher(channel, `session-${channel.slug}`);
      await live.mediaStarted(channel);
    }

    await live.close();

    const rows = [...(await streamsOf(first)), ...(await streamsOf(second))];
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.state === 'ended' && r.endedAt instanceof Date)).toBe(true);
  });
});
