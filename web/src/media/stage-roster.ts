// Who is on a webinar's stage as this page receives it: the media of each stage member (by the
// owner the server names on every producer), in the order they first published. The stage client
// feeds it consumed tracks; the page reads snapshots (new objects on every change, so a framework
// notices).
import type { MediaSource, ProducerInfo } from '../../../common/protocol/media-signaling.ts';

/** One consumed track of a stage member. */
export interface StageFeed {
  track: MediaStreamTrack;
  producerId: string;
  consumerId: string;
  /** The member turned it off (camera off, mic muted): the track carries nothing. */
  paused: boolean;
  /** Simulcast layers the consumer can pick from (1 when it has none to pick). */
  spatialLayers: number;
}

export interface StageMember {
  peerId: string;
  name: string;
  /** The account behind the peer, as the server names it (absent for a guest). */
  userId: string | undefined;
  feeds: Partial<Record<MediaSource, StageFeed>>;
  /**
   * How well their media reaches the server, 0-10: the worst score of what they send now (the
   * server tells stage members only; null until it has).
   */
  quality: number | null;
  /** They stepped backstage: attendees don't see or hear them (stage members are told). */
  backstage: boolean;
}

export class StageRoster {
  readonly #members = new Map<string, StageMember>();
  /** producer id -> owner's peer id, so a closed producer finds its member. */
  readonly #owners = new Map<string, string>();
  /** producer id -> its last score; kept from before the producer is consumed, too. */
  readonly #scores = new Map<string, number>();
  /** Peer ids of the members backstage; kept from before their media is consumed, too. */
  readonly #backstage = new Set<string>();

  /** A consumed producer of `owner`; one with the same source replaces the old one. */
  add(owner: NonNullable<ProducerInfo['owner']>, source: MediaSource, feed: StageFeed): void {
    const member = this.#members.get(owner.peerId) ?? {
      peerId: owner.peerId,
      name: owner.name,
      userId: owner.userId,
      feeds: {},
      quality: null,
      backstage: false,
    };
    const replaced = member.feeds[source];
    if (replaced) this.#owners.delete(replaced.producerId);
    this.#members.set(owner.peerId, { ...member, name: owner.name, feeds: { ...member.feeds, [source]: feed } });
    this.#owners.set(feed.producerId, owner.peerId);
  }

  /** Forgets a producer; a member with nothing left leaves the roster. Returns the feed, if known. */
  remove(producerId: string): StageFeed | undefined {
    const member = this.#memberOf(producerId);
    if (!member) return undefined;
    this.#owners.delete(producerId);
    this.#scores.delete(producerId);
    const entry = Object.entries(member.feeds).find(([, feed]) => feed.producerId === producerId);
    if (!entry) return undefined;
    const feeds = { ...member.feeds };
    delete feeds[entry[0] as MediaSource];
    if (Object.keys(feeds).length === 0) this.#members.delete(member.peerId);
    else this.#members.set(member.peerId, { ...member, feeds });
    return entry[1];
  }

  /** Marks a producer paused or resumed; returns whether anything changed. */
  setPaused(producerId: string, paused: boolean): boolean {
    const member = this.#memberOf(producerId);
    const entry = member && Object.entries(member.feeds).find(([, feed]) => feed.producerId === producerId);
    if (!member || !entry || entry[1].paused === paused) return false;
    this.#members.set(member.peerId, { ...member, feeds: { ...member.feeds, [entry[0]]: { ...entry[1], paused } } });
    return true;
  }

  /** Marks a member backstage or back; returns whether the roster shows it differently. */
  setBackstage(peerId: string, backstage: boolean): boolean {
    if (this.#backstage.has(peerId) === backstage) return false;
    if (backstage) this.#backstage.add(peerId);
    else this.#backstage.delete(peerId);
    return this.#members.has(peerId);
  }

  /** Records a producer's score; returns whether a member's quality may have changed. */
  setScore(producerId: string, score: number): boolean {
    if (this.#scores.get(producerId) === score) return false;
    this.#scores.set(producerId, score);
    return this.#owners.has(producerId);
  }

  has(producerId: string): boolean {
    return this.#owners.has(producerId);
  }

  /** Every feed, for closing them all. */
  feeds(): StageFeed[] {
    return [...this.#members.values()].flatMap((member) => Object.values(member.feeds));
  }

  clear(): void {
    this.#members.clear();
    this.#owners.clear();
    this.#scores.clear();
    this.#backstage.clear();
  }

  /** The members, in the order they first published. */
  snapshot(): StageMember[] {
    return [...this.#members.values()].map((member) => ({
      ...member,
      quality: this.#qualityOf(member),
      backstage: this.#backstage.has(member.peerId),
    }));
  }

  #qualityOf(member: StageMember): number | null {
    const scores = Object.values(member.feeds)
      .filter((feed) => !feed.paused)
      .map((feed) => this.#scores.get(feed.producerId))
      .filter((score) => score !== undefined);
    return scores.length === 0 ? null : Math.min(...scores);
  }

  #memberOf(producerId: string): StageMember | undefined {
    const peerId = this.#owners.get(producerId);
    return peerId === undefined ? undefined : this.#members.get(peerId);
  }
}
