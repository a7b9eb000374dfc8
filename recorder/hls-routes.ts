// Serves live HLS at /hls/<channel>/index.m3u8 and VODs at /vod/<id>/index.m3u8, with the files
// they name. With a rendition ladder, the live index.m3u8 is a master playlist and each rendition
// is served at /hls/<channel>/<rendition>/ (source, 360p...). Players start from
// /hls/<channel>/master.m3u8, a master playlist with or without a ladder, whose variant URIs carry
// a new playback id: the live playlists asked for with one are the viewers that count
// (hls-audience.ts); the rest are served all the same. Playlists change, so they are never
// cached; segments never change once written, so they are cached for a year (a CDN in front
// serves any audience size from them). A private channel's are answered only to those who may watch
// it (the WatchGuard the composition root hands in), and kept out of shared caches.
import fs from 'node:fs';
import path from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { ChannelSlug } from '../common/protocol/rest/schema.ts';
import type { WatchableChannel, WatchGuard } from '../common/access/watch-guard.ts';
import { AppError, NotFoundError } from '../common/errors.ts';
import { queryToken } from '../common/http/query-token.ts';
import type { VodCatalog } from '../common/recordings/catalog.ts';
import type { HlsAttendance } from './hls-attendance.ts';
import type { HlsAudience } from './hls-audience.ts';
import { playerMasterPlaylist } from './player-master.ts';
import { withQueryInUris, withTokenInUris } from './playlist-token.ts';
import type { RecorderService } from './recorder-service.ts';
import { RENDITION_NAME } from './renditions.ts';
import type { RecordingStore } from './storage/index.ts';
import { sendStored } from './storage/send-stored.ts';

export interface HlsRouteDeps {
  recorder: RecorderService;
  vods: Pick<VodCatalog, 'files'>;
  store: RecordingStore;
  guard: WatchGuard;
  audience: HlsAudience;
  /** Webinar attendance over HLS (none: not recorded). */
  attendance?: HlsAttendance | undefined;
}

/** The query parameter that carries a playback id. */
const PLAYBACK_PARAM = 'pb';
/** How many segments the live playlist shows (about as many seconds). */
const LIVE_WINDOW_SEGMENTS = 6;
/** Only files the recorder writes can be fetched: nothing else in the folder, no path tricks. */
const MEDIA_FILE = /^(init-\d{1,4}\.mp4|seg-\d{1,4}-\d{5,6}\.m4s)$/;
const VOD_FILE = /^(init-\d{1,4}\.mp4|seg-\d{1,4}-\d{5,6}\.m4s|vod\.mp4|poster\.jpg)$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.jpg': 'image/jpeg',
};

class NoSegmentsYet extends AppError {
  constructor(channel: string) {
    super(404, 'not_live', `Channel '${channel}' has no live HLS right now.`);
  }
}

// File and rendition names are any string: what a name may be is checked against the files the
// recorder wrote (404), never by the schema (400), so a player guessing a name learns only that
// there is no such file. The channel is a slug (400 otherwise), since it is looked up.
const ChannelParams = Type.Object({ channel: ChannelSlug });
const ChannelFileParams = Type.Object({ channel: ChannelSlug, file: Type.String() });
const RenditionParams = Type.Object({ channel: ChannelSlug, rendition: Type.String() });
const RenditionFileParams = Type.Object({ channel: ChannelSlug, rendition: Type.String(), file: Type.String() });
const VodParams = Type.Object({ id: Type.String() });
const VodFileParams = Type.Object({ id: Type.String(), file: Type.String() });

export function registerHlsRoutes(
  app: FastifyInstance,
  { recorder, vods, store, guard, audience, attendance }: HlsRouteDeps,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  /**
   * Who may watch the channel's live HLS: whoever may watch the channel, and while it carries a
   * live webinar's stage, whoever that webinar's audience rule lets in (signed-in people only...).
   */
  const watchLive = async (request: FastifyRequest, slug: string) => {
    const channel = await guard.channelBySlug(request, slug);
    const webinarId = recorder.webinarOf(slug.toLowerCase());
    if (!webinarId) return channel;
    const { restricted } = await guard.assertMayAttend(request, webinarId);
    // Files for some people only are cached by browsers, never by shared caches.
    return restricted ? { ...channel, private: true } : channel;
  };
  /** A live playlist asked for with a playback id is a viewer still watching (see hls-audience.ts). */
  const countViewer = (request: FastifyRequest, slug: string, streamId: string) => {
    const channel = recorder.channelOf(slug.toLowerCase());
    if (channel) audience.seen(channel, streamId, playbackIdOf(request));
    attendance?.playing(playbackIdOf(request));
  };

  api.get('/hls/:channel/master.m3u8', { schema: { params: ChannelParams } }, async (request, reply) => {
    const channel = await watchLive(request, request.params.channel);
    const recording = recorder.recordingOf(request.params.channel.toLowerCase());
    const master = recording && (await playerMasterPlaylist(recording, LIVE_WINDOW_SEGMENTS));
    if (!recording || !master) throw new NoSegmentsYet(request.params.channel);
    const playbackId = audience.newPlayback(recording.streamId, request.ip);
    // A webinar's player is an attendee: named once here, by its session or join link.
    const webinarId = attendance && recorder.webinarOf(request.params.channel.toLowerCase());
    if (attendance && webinarId) attendance.started(playbackId, webinarId, await guard.attendeeOf(request, webinarId));
    return reply
      .type(PLAYLIST_TYPE)
      .header('cache-control', 'no-cache, no-store')
      .send(forPlayer(withQueryInUris(master, PLAYBACK_PARAM, playbackId), channel, request));
  });

  api.get('/hls/:channel/index.m3u8', { schema: { params: ChannelParams } }, async (request, reply) => {
    const channel = await watchLive(request, request.params.channel);
    const recording = recorder.recordingOf(request.params.channel.toLowerCase());
    const playlist = await recording?.livePlaylist(LIVE_WINDOW_SEGMENTS);
    if (!recording || !playlist) throw new NoSegmentsYet(request.params.channel);
    countViewer(request, request.params.channel, recording.streamId);
    return reply
      .type(PLAYLIST_TYPE)
      .header('cache-control', 'no-cache, no-store')
      .send(forPlayer(playlist, channel, request));
  });

  api.get('/hls/:channel/:file', { schema: { params: ChannelFileParams } }, async (request, reply) => {
    const channel = await watchLive(request, request.params.channel);
    const recording = recorder.recordingOf(request.params.channel.toLowerCase());
    if (!recording || !MEDIA_FILE.test(request.params.file)) throw new NotFoundError('File', request.params.file);
    return sendImmutable(reply, path.join(recording.dir, request.params.file), immutableCacheControl(channel));
  });

  api.get('/hls/:channel/:rendition/index.m3u8', { schema: { params: RenditionParams } }, async (request, reply) => {
    const { channel, rendition } = request.params;
    const watched = await watchLive(request, channel);
    const recording = recorder.recordingOf(channel.toLowerCase());
    const playlist = RENDITION_NAME.test(rendition)
      ? await recording?.renditionPlaylist(rendition, LIVE_WINDOW_SEGMENTS)
      : undefined;
    if (!recording || !playlist) throw new NoSegmentsYet(channel);
    countViewer(request, channel, recording.streamId);
    return reply
      .type(PLAYLIST_TYPE)
      .header('cache-control', 'no-cache, no-store')
      .send(forPlayer(playlist, watched, request));
  });

  api.get('/hls/:channel/:rendition/:file', { schema: { params: RenditionFileParams } }, async (request, reply) => {
    const { channel, rendition, file } = request.params;
    const watched = await watchLive(request, channel);
    const dir = RENDITION_NAME.test(rendition)
      ? recorder.recordingOf(channel.toLowerCase())?.renditionDir(rendition)
      : undefined;
    if (!dir || !MEDIA_FILE.test(file)) throw new NotFoundError('File', file);
    return sendImmutable(reply, path.join(dir, file), immutableCacheControl(watched));
  });

  api.get('/vod/:id/index.m3u8', { schema: { params: VodParams } }, async (request, reply) => {
    const vod = await vods.files(request.params.id);
    if (!vod) throw new NotFoundError('VOD', request.params.id);
    const channel = await guard.channelById(request, vod.channelId);
    const playlist = await store.readText(vod.playlistPath);
    if (playlist === undefined) throw new NotFoundError('VOD playlist', request.params.id);
    // A finished VOD playlist never changes.
    return reply
      .type(PLAYLIST_TYPE)
      .header('cache-control', `${channel.private ? 'private' : 'public'}, max-age=3600`)
      .send(forPlayer(playlist, channel, request));
  });

  api.get('/vod/:id/:file', { schema: { params: VodFileParams } }, async (request, reply) => {
    const vod = await vods.files(request.params.id);
    const { file } = request.params;
    // The download and the poster exist only when the database says they were made.
    const missing =
      !vod ||
      !VOD_FILE.test(file) ||
      (file === 'vod.mp4' && !vod.mp4Path) ||
      (file === 'poster.jpg' && !vod.posterPath);
    if (missing) throw new NotFoundError('File', file);
    const channel = await guard.channelById(request, vod.channelId);
    // Keys are the playlist's folder and the file name (the playlist names its files relatively).
    const key = `${path.posix.dirname(vod.playlistPath)}/${file}`;
    return sendStored(reply, store, key, {
      private: channel.private,
      range: request.headers.range,
      ...(file === 'vod.mp4' ? { downloadAs: `${vod.id}.mp4` } : {}),
    });
  });
}

/** Cache-Control for a file that never changes: shared caches (a CDN) only for a public channel's. */
function immutableCacheControl(channel: WatchableChannel): string {
  return channel.private ? 'private, max-age=31536000, immutable' : 'public, max-age=31536000, immutable';
}

/** A private channel's playlist asked for with `?token=` names its files with the token too. */
function forPlayer(playlist: string, channel: WatchableChannel, request: FastifyRequest): string {
  const token = queryToken(request);
  return channel.private && token ? withTokenInUris(playlist, token) : playlist;
}

function playbackIdOf(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[PLAYBACK_PARAM];
  return typeof value === 'string' ? value : undefined;
}

async function sendImmutable(reply: FastifyReply, file: string, cacheControl: string): Promise<FastifyReply> {
  let size: number;
  try {
    size = (await fs.promises.stat(file)).size;
  } catch {
    throw new NotFoundError('File', path.basename(file));
  }
  return reply
    .type(CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream')
    .header('content-length', String(size))
    .header('cache-control', cacheControl)
    .send(fs.createReadStream(file));
}
