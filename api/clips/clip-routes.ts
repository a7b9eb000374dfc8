// The clip API: POST a clip of a live stream or of a VOD range, read one clip or a channel's.
// Clips are as public as the channel they come from (a private channel's go through the
// WatchGuard); making one takes a signed-in user and is rate-limited per client address, since
// each runs FFmpeg (the recorder's ClipCutter) and stores a file. Their files are served by the
// recorder (recorder/clip-file-routes.ts).
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { WatchGuard } from '../../common/access/watch-guard.ts';
import { BadRequestError, NotFoundError } from '../../common/errors.ts';
import { Clip, ClipList, MAX_CLIP_SECONDS, MIN_CLIP_SECONDS } from '../../common/protocol/rest/clips.ts';
import { requireUser } from '../accounts/auth.ts';
import { problems, SlugParams, TextLine, Type } from '../http/schemas.ts';
import type { ClipCutter } from './clip-cutter.ts';
import type { ClipRepository, ClipRow } from './clip-repository.ts';

export interface ClipRouteDeps {
  clips: ClipRepository;
  cutter: ClipCutter;
  guard: WatchGuard;
  /** Clips one client address may make per minute, on each of the two routes. */
  clipsPerMinute: number;
}

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const IdParams = Type.Object({ id: Type.String({ pattern: UUID }) });
const Title = TextLine({ maxLength: 140 });
const errors = problems(400, 403, 404, 409, 503);
const creationErrors = { ...errors, ...problems(401, 403, 429) };

const LiveClipBody = Type.Object(
  {
    seconds: Type.Optional(Type.Number({ minimum: MIN_CLIP_SECONDS, maximum: MAX_CLIP_SECONDS, default: 30 })),
    title: Type.Optional(Title),
  },
  { additionalProperties: false },
);

const VodClipBody = Type.Object(
  {
    startSeconds: Type.Number({ minimum: 0 }),
    endSeconds: Type.Number({ minimum: 0 }),
    title: Type.Optional(Title),
  },
  { additionalProperties: false },
);

const ChannelClipsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })) },
  { additionalProperties: false },
);

function present(clip: ClipRow, channel: string): Clip {
  return {
    id: clip.id,
    channel,
    title: clip.title,
    startSeconds: clip.startSeconds,
    durationSeconds: clip.durationSeconds,
    createdAt: clip.createdAt.toISOString(),
    videoUrl: `/clip/${clip.id}/clip.mp4`,
    posterUrl: clip.posterPath ? `/clip/${clip.id}/poster.jpg` : null,
    pageUrl: `/clip/${clip.id}`,
    vodId: clip.vodId,
  };
}

/** A VOD's range may end up to half a second past its measured length (segment durations are rounded). */
function assertWithinVod(vod: { durationSeconds: number }, startSeconds: number, endSeconds: number): void {
  if (!(startSeconds >= 0 && endSeconds > startSeconds && endSeconds <= vod.durationSeconds + 0.5)) {
    throw new BadRequestError(
      `The range must lie within the VOD: 0 <= start < end <= ${vod.durationSeconds.toFixed(1)} seconds.`,
    );
  }
}

export function registerClipRoutes(
  app: FastifyInstance,
  { clips, cutter, guard, clipsPerMinute }: ClipRouteDeps,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: clipsPerMinute, timeWindow: '1 minute' };

  api.post(
    '/api/v1/channels/:slug/clips',
    {
      schema: {
        tags: ['clips'],
        summary: 'Clip the last seconds of the live stream (signed in)',
        params: SlugParams,
        body: LiveClipBody,
        response: { 201: Clip, ...creationErrors },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await requireUser(request);
      const watched = await guard.channelBySlug(request, request.params.slug);
      const channel = await clips.channel(watched.id);
      if (!channel) throw new NotFoundError('Channel', request.params.slug);
      const title = request.body?.title?.trim() || `Clip of ${channel.title || channel.slug}`;
      const clip = await cutter.fromLive(channel.slug, request.body?.seconds ?? 30, (cut) =>
        clips.create({ ...cut, channelId: watched.id, vodId: null, title }),
      );
      return reply
        .status(201)
        .header('location', `/api/v1/clips/${clip.id}`)
        .send(present(clip, request.params.slug.toLowerCase()));
    },
  );

  api.post(
    '/api/v1/vods/:id/clips',
    {
      schema: {
        tags: ['clips'],
        summary: 'Clip a range of a VOD (signed in)',
        params: IdParams,
        body: VodClipBody,
        response: { 201: Clip, ...creationErrors },
      },
      config: { rateLimit },
    },
    async (request, reply) => {
      await requireUser(request);
      const vod = await clips.vod(request.params.id);
      if (!vod) throw new NotFoundError('VOD', request.params.id);
      await guard.channelById(request, vod.channelId);
      const { startSeconds, endSeconds } = request.body;
      assertWithinVod(vod, startSeconds, endSeconds);
      const title = request.body.title?.trim() || `Clip of ${vod.title || vod.channel.slug}`;
      const clip = await cutter.fromVod(vod.playlistPath, startSeconds, endSeconds, (cut) =>
        clips.create({ ...cut, channelId: vod.channelId, streamId: vod.streamId, vodId: vod.id, title }),
      );
      return reply.status(201).header('location', `/api/v1/clips/${clip.id}`).send(present(clip, vod.channel.slug));
    },
  );

  api.get(
    '/api/v1/clips/:id',
    {
      schema: {
        tags: ['clips'],
        summary: 'One clip: its video, poster and page URLs',
        params: IdParams,
        response: { 200: Clip, ...errors },
      },
    },
    async (request): Promise<Clip> => {
      const clip = await clips.find(request.params.id);
      if (!clip) throw new NotFoundError('Clip', request.params.id);
      await guard.channelById(request, clip.channelId);
      return present(clip, clip.channel.slug);
    },
  );

  api.get(
    '/api/v1/channels/:slug/clips',
    {
      schema: {
        tags: ['clips'],
        summary: "A channel's clips, newest first",
        params: SlugParams,
        querystring: ChannelClipsQuery,
        response: { 200: ClipList, ...errors },
      },
    },
    async (request): Promise<ClipList> => {
      const channel = await guard.channelBySlug(request, request.params.slug);
      const rows = await clips.newestOfChannel(channel.id, request.query.limit ?? 24);
      return { items: rows.map((row) => present(row, channel.slug)) };
    },
  );
}
