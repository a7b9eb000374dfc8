// A realistic catalog for the discovery benchmark, written straight into the database the server
// will open: channels with titles, descriptions, tags and categories drawn from per-category
// vocabularies, some live with a long-tailed viewer distribution, past streams, viewers who follow
// and watched channels, and signed-in sessions for them. Generated from a seed, so two runs
// measure the same data.
import { createSession } from '../../api/accounts/sessions.ts';
import type { PrismaClient } from '../../common/db/database.ts';

export interface SeedSize {
  channels: number;
  live: number;
  viewers: number;
  followsPerViewer: number;
  /** Signed-in sessions handed to the load generator. */
  sessions: number;
}

export interface SeededCatalog {
  categories: string[];
  tags: string[];
  /** Searches people would type: words, stems, prefixes, two words, a miss. */
  searches: string[];
  /** Cookies (aethex_session=...) of viewers with follows and history. */
  sessionCookies: string[];
  counts: {
    users: number;
    channels: number;
    liveStreams: number;
    endedStreams: number;
    follows: number;
    watched: number;
  };
}

const VOCABULARY: Record<string, string[]> = {
  'just-chatting': ['chill', 'irl', 'cooking', 'travel', 'asmr', 'hangout', 'coffee', 'stories'],
  music: ['piano', 'guitar', 'lofi', 'jazz', 'synth', 'beats', 'vocals', 'orchestra', 'cello'],
  'dj-sets': ['techno', 'house', 'drumandbass', 'vinyl', 'trance', 'ambient', 'disco'],
  gaming: [
    'speedrun',
    'rpg',
    'retro',
    'minecraft',
    'strategy',
    'shooter',
    'indie',
    'roguelike',
    'esports',
    'platformer',
  ],
  education: ['math', 'physics', 'history', 'languages', 'tutorial', 'calculus', 'chemistry', 'philosophy'],
  webinars: ['marketing', 'startup', 'product', 'leadership', 'finance', 'career'],
  'science-technology': [
    'rust',
    'typescript',
    'linux',
    'electronics',
    'robotics',
    'astronomy',
    'compilers',
    'databases',
  ],
  creative: ['painting', 'drawing', 'sculpting', 'pixelart', 'knitting', 'woodworking', 'calligraphy'],
  'sports-fitness': ['yoga', 'running', 'cycling', 'workout', 'chess', 'climbing', 'football'],
  'talk-shows': ['podcast', 'news', 'interview', 'politics', 'comedy', 'debate'],
  events: ['conference', 'festival', 'launch', 'meetup', 'hackathon', 'ceremony'],
};
const ADJECTIVES = [
  'Cozy',
  'Late night',
  'Sunday',
  'Daily',
  'Epic',
  'Relaxed',
  'Live',
  'Advanced',
  'Beginner',
  'Marathon',
  'Weekly',
  'Midnight',
];
const NOUNS = ['sessions', 'hour', 'club', 'lab', 'show', 'corner', 'studio', 'stream', 'workshop', 'jam'];
const GENERIC_TAGS = [
  'english',
  'french',
  'german',
  'spanish',
  'beginner-friendly',
  'family-friendly',
  'hd',
  'community',
  'new',
];
const SENTENCES = [
  'Join us for {w} and good company.',
  'Every week we dive into {w} with the chat.',
  'A relaxed place to learn about {w} and {v}.',
  'Questions welcome: ask anything about {v}.',
  'Streaming {w} since 2019, now with {v} too.',
  'No spoilers, just {w}.',
];
const CHUNK = 1000;

export async function seedDiscoveryCatalog(prisma: PrismaClient, size: SeedSize, seed = 42): Promise<SeededCatalog> {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const categories = Object.keys(VOCABULARY);
  const passwordHash = 'scrypt:bench:not-a-real-hash'; // nobody logs in with a password here

  // Owners, one per channel, then viewers.
  const owners = Array.from({ length: size.channels }, (_, i) => ({
    id: uuidFrom(random),
    email: `owner${i}@bench.test`,
    username: `owner_${i}`,
    name: `Owner ${i}`,
    passwordHash,
    role: 'creator' as const,
  }));
  const viewers = Array.from({ length: size.viewers }, (_, i) => ({
    id: uuidFrom(random),
    email: `viewer${i}@bench.test`,
    username: `viewer_${i}`,
    name: `Viewer ${i}`,
    passwordHash,
  }));
  for (const chunk of chunks([...owners, ...viewers])) await prisma.user.createMany({ data: chunk });

  const channels = owners.map((owner, i) => {
    const category = random() < 0.9 ? pick(categories) : null;
    const words = VOCABULARY[category ?? pick(categories)]!;
    const word = pick(words);
    const other = pick(words);
    const sentences = Array.from({ length: 2 + Math.floor(random() * 3) }, () =>
      pick(SENTENCES).replace('{w}', word).replace('{v}', other),
    );
    const tags = [...new Set([word, other, pick(GENERIC_TAGS)].slice(0, 2 + Math.floor(random() * 2)))];
    return {
      id: uuidFrom(random),
      slug: `${word}-${i}`,
      ownerId: owner.id,
      title: `${pick(ADJECTIVES)} ${word} ${pick(NOUNS)}`,
      description: sentences.join(' '),
      category,
      tags,
    };
  });
  for (const chunk of chunks(channels)) await prisma.channel.createMany({ data: chunk });

  // Live streams: a long tail, a few channels with thousands of viewers, most with a handful.
  const now = Date.now();
  const liveChannels = shuffled(channels, random).slice(0, size.live);
  const liveStreams = liveChannels.map((channel, rank) => ({
    channelId: channel.id,
    state: 'live' as const,
    title:
      random() < 0.5 ? channel.title : `${channel.title}: ${pick(VOCABULARY[channel.category ?? 'gaming']!)} tonight`,
    category: channel.category,
    startedAt: new Date(now - Math.floor(random() * 4 * 3600_000)),
    viewers: Math.max(0, Math.round(20_000 / (rank + 1) ** 1.1 + random() * 5)),
  }));
  // One past stream per channel, so the Stream table is not just the live ones.
  const endedStreams = channels.map((channel) => {
    const startedAt = new Date(now - 86_400_000 - Math.floor(random() * 30 * 86_400_000));
    return {
      channelId: channel.id,
      state: 'ended' as const,
      title: channel.title,
      category: channel.category,
      startedAt,
      endedAt: new Date(startedAt.getTime() + 3600_000),
      peakViewers: Math.floor(random() * 500),
    };
  });
  for (const chunk of chunks([...liveStreams, ...endedStreams])) await prisma.stream.createMany({ data: chunk });

  // Viewers follow channels (popular ones more often) and watched some.
  const follows: { userId: string; channelId: string }[] = [];
  const watched: { userId: string; channelId: string; times: number; lastWatchedAt: Date }[] = [];
  for (const viewer of viewers) {
    const followed = new Set<string>();
    while (followed.size < size.followsPerViewer) {
      followed.add(random() < 0.5 ? pick(liveChannels).id : pick(channels).id);
    }
    for (const channelId of followed) follows.push({ userId: viewer.id, channelId });
    const seen = new Set<string>();
    while (seen.size < 10) seen.add(pick(channels).id);
    for (const channelId of seen)
      watched.push({
        userId: viewer.id,
        channelId,
        times: 1 + Math.floor(random() * 20),
        lastWatchedAt: new Date(now - Math.floor(random() * 30 * 86_400_000)),
      });
  }
  for (const chunk of chunks(follows)) await prisma.follow.createMany({ data: chunk });
  for (const chunk of chunks(watched)) await prisma.watchedChannel.createMany({ data: chunk });

  const sessionCookies: string[] = [];
  for (const viewer of viewers.slice(0, size.sessions)) {
    const session = await createSession(prisma, viewer.id);
    sessionCookies.push(`aethex_session=${session.token}`);
  }

  const allWords = Object.values(VOCABULARY).flat();
  const searches = [
    ...allWords.slice(0, 20),
    ...allWords.slice(20, 35).map((word) => word.slice(0, Math.max(3, word.length - 3))), // typing: prefixes
    'games',
    'paint',
    'late night jazz',
    'cozy speedrun',
    'learn rust',
    'techno vinyl',
    'zzqxnothing',
  ];
  return {
    categories,
    tags: [...new Set([...allWords.slice(0, 30), ...GENERIC_TAGS])],
    searches,
    sessionCookies,
    counts: {
      users: owners.length + viewers.length,
      channels: channels.length,
      liveStreams: liveStreams.length,
      endedStreams: endedStreams.length,
      follows: follows.length,
      watched: watched.length,
    },
  };
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** A small seeded PRNG: the same catalog on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4-shaped uuid from the seeded PRNG (randomUUID would differ between runs). */
function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
