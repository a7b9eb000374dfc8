// POST /api/whep/<channel>: a player (or another server) offers to receive; we answer with one
// WebRTC transport carrying the channel's current audio and video.
import type { FastifyInstance } from 'fastify';
import { NotFoundError, UnauthorizedError } from '../../common/errors.ts';
import { MEDIA_CODECS } from '../../sfu/media-codecs.ts';
import type { RoomProducer } from '../../sfu/peer.ts';
import { buildAnswer } from '../sdp/answer.ts';
import { unsupportedMedia } from '../sdp/sdp-errors.ts';
import { mediaCodecsForViewer, parseWhepOffer } from '../sdp/whep-offer.ts';
import { newSessionId, type HttpSessions } from './http-sessions.ts';
import { assertSeatTaken } from '../webrtc-seats.ts';
import { NotLiveError } from './http-media-errors.ts';
import { problems, SdpAnswer, SdpOffer, WhepParams } from './http-media-schemas.ts';
import { bearerToken, linkHeaders, SDP, textBody, type HttpMediaDeps } from './http-media-shared.ts';

/** Which of the room's producers a single-track-per-kind WHEP player gets. */
const PREFERRED_SOURCES = { video: ['camera', 'screen'], audio: ['microphone', 'screen-audio'] } as const;

const whepSchema = {
  tags: ['whep'],
  summary:
    "Play a live channel over WebRTC (WHEP): one transport with the channel's audio and video; a private channel needs a viewer token as bearer token",
  description:
    'The body is the SDP offer (application/sdp); the answer comes back as application/sdp with the session URL in Location.',
  params: WhepParams,
  body: SdpOffer,
  response: { 201: SdpAnswer, ...problems(400, 401, 404, 409, 415, 422, 503) },
};

export function registerWhepRoutes(app: FastifyInstance, deps: HttpMediaDeps, sessions: HttpSessions): void {
  const { rooms, directory, live } = deps;

  app.options<{ Params: { channel: string } }>('/api/whep/:channel', async (_request, reply) => {
    linkHeaders(reply, deps.iceServers);
    return reply
      .status(204)
      .header('allow', 'OPTIONS, POST')
      .header('accept-post', SDP)
      .header('access-control-allow-methods', 'OPTIONS, POST')
      .send();
  });

  app.post<{ Params: { channel: string } }>('/api/whep/:channel', { schema: whepSchema }, async (request, reply) => {
    const offerSdp = textBody(request, SDP);
    const viewer = {
      handshake: { cookie: request.headers.cookie, origin: request.headers.origin, host: request.headers.host },
      token: bearerToken(request) ?? undefined,
    };
    const channel = await directory.channelToWatch(request.params.channel, viewer);
    if (!channel) throw new NotFoundError('Channel', request.params.channel);
    // RFC 6750: a missing or wrong token is a 401 that names the scheme to use.
    if (channel === 'private') {
      reply.header('www-authenticate', 'Bearer realm="whep"');
      throw new UnauthorizedError(
        `'${request.params.channel.trim().toLowerCase()}' is a private channel: send one of its viewer tokens as "Authorization: Bearer <token>".`,
      );
    }
    const offered = parseWhepOffer(offerSdp);
    const room = rooms.get(channel.id);
    const available = room?.producers() ?? [];
    if (!room || available.length === 0) throw new NotLiveError(channel.slug);
    // The player decodes by its own payload types, so it gets a router numbered its way.
    const mediaCodecs = mediaCodecsForViewer(offered, MEDIA_CODECS);
    if (mediaCodecs.length === 0)
      throw unsupportedMedia('The offer has none of the codecs this server sends (Opus, VP8, H.264).');

    const sessionId = newSessionId();
    const { peer, producers } = await room.joinWithCodecs(`whep:${sessionId}`, mediaCodecs);
    try {
      // A WHEP player takes a WebRTC seat like any other viewer; past the last one, 503 Retry-After.
      assertSeatTaken(room, channel, deps.webrtcSeatsPerStream);
      const offer = parseWhepOffer(offerSdp, peer.rtpCapabilities);
      const transport = await peer.createTransport('recv');
      await transport.connect({ dtlsParameters: offer.remoteDtlsParameters });
      const sending = [];
      const taken = new Set<string>();
      for (const media of offer.media) {
        if (offer.problems.some((p) => p.mid === media.mid)) continue; // the answer rejects this m-line
        const producer = pick(producers, media.kind, taken, (id) => peer.canConsume(id, offer.rtpCapabilities));
        if (!producer) continue;
        taken.add(producer.producer.id);
        const consumer = await peer.consume(
          transport.id,
          producer.producer.id,
          producer.source,
          offer.rtpCapabilities,
          media.mid,
        );
        sending.push({
          mid: media.mid,
          kind: media.kind,
          rtpParameters: consumer.rtpParameters,
          direction: 'sendonly' as const,
          consumer,
        });
      }
      if (sending.length === 0) {
        const reasons = offer.problems.map((p) => `${p.kind}: ${p.reason}`);
        throw unsupportedMedia(
          `Nothing this channel sends can be played with this offer${reasons.length > 0 ? ` (${reasons.join('; ')})` : ': no common codec'}.`,
        );
      }

      const session = sessions.add(
        { id: sessionId, kind: 'whep', channel, room, peer, transport, remoteIceUfrag: offer.iceUfrag },
        null,
        {
          onLost: () => undefined,
          onRecovered: () => undefined,
          onClosed: () => {
            live.viewersChanged(channel, room.viewerCount());
            if (room.peers().length === 0) room.close('empty');
          },
        },
        {
          cookie: viewer.handshake.cookie,
          mayStay: async () => (await directory.channelToWatch(channel.slug, viewer)) !== 'private',
        },
      );
      for (const { consumer } of sending) consumer.once('producerclose', () => sessions.sourceGone(session.id));
      // The player is ready as soon as it has our answer: media flows once DTLS is up.
      await Promise.all(sending.map(({ consumer }) => consumer.resume()));
      live.viewersChanged(channel, room.viewerCount());
      const answer = buildAnswer(
        offerSdp,
        transport,
        sending.map(({ consumer: _consumer, ...media }) => media),
      );
      linkHeaders(reply, deps.iceServers);
      return reply
        .status(201)
        .type(SDP)
        .header('location', `/api/whep/sessions/${session.id}`)
        .header('etag', session.etag)
        .header('accept-patch', 'application/trickle-ice-sdpfrag')
        .send(answer);
    } catch (error) {
      peer.close();
      throw error;
    }
  });
}

function pick(
  producers: RoomProducer[],
  kind: 'audio' | 'video',
  taken: Set<string>,
  playable: (producerId: string) => boolean,
): RoomProducer | undefined {
  for (const source of PREFERRED_SOURCES[kind]) {
    const found = producers.find((p) => p.source === source && !taken.has(p.producer.id) && playable(p.producer.id));
    if (found) return found;
  }
  return undefined;
}
