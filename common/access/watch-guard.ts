// Who may watch a channel's media and recordings, as the routes that serve them see it. The API
// decides (api/viewer-access/watch-guard.ts implements this over the database and the caller's
// session and viewer tokens); the recorder's file routes only ask. The composition root hands the
// one guard to both, so neither plane imports the other and both share one cache of channels.
import type { FastifyRequest } from 'fastify';

/** What an access decision needs of a channel, and what a route needs back to cache its answer. */
export interface WatchableChannel {
  id: string;
  slug: string;
  ownerId: string;
  private: boolean;
}

export interface WatchGuard {
  /** The channel named by slug, if this request may watch it; 404 unknown, 403 private. */
  channelBySlug(request: FastifyRequest, slug: string): Promise<WatchableChannel>;
  /** The same, for a channel known by id (a VOD's, a clip's). */
  channelById(request: FastifyRequest, id: string): Promise<WatchableChannel>;
  /**
   * Throws unless this request may attend the webinar (a live one's composed HLS): 401 when its
   * audience is signed-in people and nobody is, 403 registration_required for a registered-only
   * one (the stage's own people pass). Asked after the channel's check, which it doesn't repeat.
   * Answers whether the webinar is for some people only (its files must not be cached publicly).
   */
  assertMayAttend(request: FastifyRequest, webinarId: string): Promise<{ restricted: boolean }>;
  /**
   * Who this request attends the webinar as, for its attendance: the signed-in user, or the
   * registrant whose join link this browser holds; undefined for an anonymous viewer.
   */
  attendeeOf(request: FastifyRequest, webinarId: string): Promise<string | undefined>;
}
