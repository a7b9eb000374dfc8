// POST /api/whip: a publisher (OBS, GStreamer, FFmpeg, a browser) offers its media with a stream
// key as bearer token; we answer with our side of one WebRTC transport and produce its tracks
// into the channel's room.
import type { FastifyInstance } from 'fastify';
import { UnauthorizedError } from '../../common/errors.ts';
import { buildAnswer, withOpusBitrate } from '../sdp/answer.ts';
import { parseWhipOffer } from '../sdp/whip-offer.ts';
import type { Peer } from '../../sfu/peer.ts';
import type { Room } from '../../sfu/room.ts';
import { closeIfUnused } from '../live-state.ts';
import { AlreadyLiveError } from '../live-streams.ts';
import { newSessionId, type HttpSessions } from './http-sessions.ts';
import { problems, SdpAnswer, SdpOffer, WhipHeaders } from './http-media-schemas.ts';
import { bearerToken, linkHeaders, SDP, textBody, type HttpMediaDeps } from './http-media-shared.ts';

const whipSchema = {
  tags: ['whip'],
  summary: 'Publish to a channel over WebRTC (WHIP, RFC 9725) with a stream key as bearer token',
  description:
    'The body is the SDP offer (application/sdp); the answer comes back as application/sdp with the session URL in Location.',
  headers: WhipHeaders,
  body: SdpOffer,
  response: { 201: SdpAnswer, ...problems(400, 401, 409, 415, 503) },
};

export function registerWhipRoutes(app: FastifyInstance, deps: HttpMediaDeps, sessions: HttpSessions): void {
  const { rooms, directory, live } = deps;

  app.options('/api/whip', async (_request, reply) => {
    linkHeaders(reply, deps.iceServers);
    return reply
      .status(204)
      .header('allow', 'OPTIONS, POST')
      .header('accept-post', SDP)
      .header('access-control-allow-methods', 'OPTIONS, POST')
      .send();
  });

  app.post('/api/whip', { schema: whipSchema }, async (request, reply) => {
    const key = bearerToken(request);
    if (!key) throw new UnauthorizedError('Send your stream key as "Authorization: Bearer <key>".');
    const offerSdp = textBody(request, SDP);
    const channel = await directory.channelForStreamKey(key);
    if (!channel) throw new UnauthorizedError('The stream key is not valid or was revoked.');
    const sessionId = newSessionId();
    const claim = sessionKey(sessionId);
    let claimed = false;
    let peer: Peer | undefined;
    let room: Room | undefined;
    try {
      room = await rooms.getOrCreate(channel.id);
      // Everything that can refuse the offer runs before the claim: with PUBLISHER_TAKEOVER=replace
      // the claim ends the channel's current publisher, so a bad offer must not get that far.
      const offer = parseWhipOffer(offerSdp, room.rtpCapabilities);
      peer = await room.join(`whip:${sessionId}`, 'publisher');
      const transport = await peer.createTransport('send');
      await transport.connect({ dtlsParameters: offer.remoteDtlsParameters });
      // Ready to receive: take the channel (the stream of a replaced publisher goes on).
      if (!(await live.claimPublisher(channel, claim, () => sessions.replaced(sessionId))))
        throw new AlreadyLiveError(channel, 'refused');
      claimed = true;
      const produced = [];
      for (const media of offer.media) {
        const source = media.kind === 'audio' ? 'microphone' : 'camera';
        const producer = await peer.produce(transport.id, media.kind, media.rtpParameters, source);
        produced.push({
          mid: media.mid,
          kind: media.kind,
          rtpParameters:
            media.kind === 'audio' && channel.musicKbps !== null
              ? withOpusBitrate(producer.rtpParameters, channel.musicKbps)
              : producer.rtpParameters,
          direction: 'recvonly' as const,
        });
      }
      // A publisher that came after this one (replace mode) already has the channel.
      if (!(await live.holdsPublisher(channel, claim))) throw new AlreadyLiveError(channel, 'overtaken');
      const liveRoom = room;
      const session = sessions.add(
        { id: sessionId, kind: 'whip', channel, room, peer, transport, remoteIceUfrag: offer.iceUfrag },
        key,
        {
          onLost: () => live.publisherLost(channel, claim),
          onRecovered: () => {
            // Back after the grace period ran out: the channel goes live again.
            live
              .claimPublisher(channel, claim)
              .then((claimed) => (claimed ? live.mediaStarted(channel) : undefined))
              .catch((error: unknown) =>
                request.log.warn(
                  { err: error, channel: channel.slug },
                  'a recovered WHIP session could not go live again',
                ),
              );
          },
          onClosed: (_session, reason) => {
            if (reason === 'deleted' || reason === 'shutdown') void live.publisherEnded(channel, claim);
            else if (reason !== 'replaced') live.publisherLost(channel, claim);
            closeIfUnused(liveRoom, live, channel);
          },
        },
      );
      await live.mediaStarted(channel);
      if (!sessions.get('whip', session.id)) throw new AlreadyLiveError(channel, 'overtaken');
      const answer = buildAnswer(offerSdp, transport, produced);
      request.log.info(
        { channel: channel.slug, session: session.id, tracks: offer.media.length },
        'whip publisher joined',
      );
      linkHeaders(reply, deps.iceServers);
      return reply
        .status(201)
        .type(SDP)
        .header('location', `/api/whip/sessions/${session.id}`)
        .header('etag', session.etag)
        .header('accept-patch', 'application/trickle-ice-sdpfrag')
        .send(answer);
    } catch (error) {
      peer?.close();
      if (claimed) live.publisherLost(channel, claim);
      if (room) closeIfUnused(room, live, channel);
      throw error;
    }
  });
}

/** The id LiveStreams knows a WHIP session by. */
export function sessionKey(id: string): string {
  return `whip:${id}`;
}
