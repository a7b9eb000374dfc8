// The data the screenshots show, made the way people make it: people and channels as in
// accounts.ts, chat through the chat socket, and both streams published from the studio page in
// Chromium with its fake camera. The recorder turns the first, ended stream into a VOD (real
// FFmpeg); the second stays live while the pages are captured.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ChatTestClient } from '../../tests/support/chat-client.ts';
import type { TestPlatform } from '../../tests/support/platform.ts';
import { QaTestClient } from '../../tests/support/qa-client.ts';
import { waitFor } from '../../tests/support/wait.ts';
import { endStreamInStudio } from '../../tests/support/web-session.ts';
import { seedAttendance } from './attendance-seed.ts';
import { call, createCreator, signUpViewer, uploadImages, type Person } from './accounts.ts';
import { collectProblems, newShotContext } from './contexts.ts';

export interface Seeded {
  /** The viewer: follows both public channels, has notifications, no channel of their own. */
  viewer: Person;
  /** Owner of the live channel, and the studio page that publishes it. */
  owner: Person;
  liveSlug: string;
  publisher: Page;
  /** What went wrong in the publishing page since it opened. */
  publisherProblems: string[];
  /** Owner of the offline channel, which has a VOD and a clip of it. */
  secondOwner: Person;
  offlineSlug: string;
  vodId: string;
  clipId: string;
  /** Owner of the private channel. */
  privateOwner: Person;
  privateSlug: string;
  /** The live channel's upcoming webinar (with a description), and the offline channel's live one. */
  webinarId: string;
  liveWebinarId: string;
  /** A webinar of the offline channel that has ended, with its recording (the channel's VOD). */
  recordedWebinarId: string;
  /** Nova's webinar for registered attendees (approval, capacity, questions): the viewer is approved. */
  registeredWebinarId: string;
  /** The viewer's certificate of attendance of the recorded webinar, whose attendance is seeded. */
  certificateNumber: string;
  /** Closes the publishing studio (the platform ends the stream itself). */
  close(): Promise<void>;
}

/**
 * Opens the studio as `person` in Chromium and goes live with the fake camera and microphone: as
 * themselves over WebRTC, or with their stream key over WHIP.
 */
async function goLiveFromStudio(
  browser: Browser,
  baseUrl: string,
  person: Person,
  via: 'webrtc' | 'whip',
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await newShotContext(browser, baseUrl, 'laptop', person.cookie);
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto('/studio');
  if (via === 'whip') {
    await page.getByRole('radio', { name: /^Use a stream key/ }).check();
    await page.getByLabel('Stream key', { exact: true }).fill(person.streamKey!);
    await page.getByRole('radio', { name: /^WHIP/ }).check();
  }
  const goLive = page.getByRole('button', { name: 'Go live', exact: true });
  await waitFor(() => goLive.isEnabled(), { timeoutMs: 20_000, what: `${person.username}'s camera in the studio` });
  await goLive.click();
  try {
    await waitFor(async () => (await page.getByTestId('studio-status').getAttribute('data-phase')) === 'live', {
      timeoutMs: 30_000,
      what: `${person.username} to be live`,
    });
  } catch (error) {
    const shown = await page.locator('[role=alert], [role=status]').allTextContents();
    await context.close();
    throw new Error(`${(error as Error).message}; the studio said: ${shown.join(' | ')}; ${problems.join(' | ')}`, {
      cause: error,
    });
  }
  return { context, page, problems };
}

/** Waits until the recorder has written `count` HLS segments of the channel's live stream. */
async function waitForSegments(baseUrl: string, slug: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const response = await fetch(`${baseUrl}/hls/${slug}/index.m3u8`);
      if (response.status !== 200) return false;
      const playlist = await response.text();
      const before = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? 0);
      return before + playlist.split('\n').filter((line) => line.endsWith('.m4s')).length >= count;
    },
    { timeoutMs: 45_000, intervalMs: 250, what: `${count} HLS segments of ${slug}` },
  );
}

/** A conversation in the live channel's chat, with a spammer whose message a moderator deletes. */
async function chatAndModerate(
  baseUrl: string,
  slug: string,
  people: { owner: Person; viewer: Person; moderator: Person; spammer: Person; shouter: Person },
): Promise<void> {
  const { owner, viewer, moderator, spammer, shouter } = people;
  const clients = new Map<Person, ChatTestClient>();
  try {
    for (const person of Object.values(people)) {
      const client = await ChatTestClient.connect(baseUrl, { cookie: person.cookie });
      clients.set(person, client);
      await client.joined(slug);
    }
    const say = async (person: Person, body: string) => {
      const ack = await clients.get(person)!.send(slug, body);
      if (!ack.ok) throw new Error(`chat from ${person.username} refused: ${JSON.stringify(ack.error)}`);
      return ack.message;
    };
    await say(viewer, 'Evening everyone! Just got here, what did I miss?');
    await say(owner, "Welcome Sam! We're patching the new sequencer tonight :novaHype:");
    await say(moderator, 'Reminder: be kind, and keep the unreleased tracks off other sites please');
    const spam = await say(spammer, 'FREE FOLLOWERS at totally-legit-deals.example, click now!!!');
    await say(viewer, 'That filter sweep sounds amazing. Is that the Moog or the new one?');
    await say(shouter, 'LOUDER PLEASE I CANT HEAR THE BASS');
    await say(owner, "It's the new one :novaWave: Requests go in chat, I read them at the top of the hour.");
    await say(viewer, 'Could you play the track from last Friday again?');

    await call(moderator, 'DELETE', `/api/v1/channels/${slug}/chat/messages/${spam.id}`);
    await call(moderator, 'POST', `/api/v1/channels/${slug}/chat/bans`, {
      username: spammer.username,
      reason: 'Spam links',
    });
    await call(moderator, 'POST', `/api/v1/channels/${slug}/chat/bans`, {
      username: shouter.username,
      durationSeconds: 600,
      reason: 'Shouting in all caps',
    });
  } finally {
    for (const client of clients.values()) client.close();
  }
}

/** Titles, descriptions, categories and tags; the private channel's viewer links. */
async function describeChannels(owner: Person, secondOwner: Person, privateOwner: Person): Promise<void> {
  await Promise.all([
    call(owner, 'PATCH', '/api/v1/channels/novabeats', {
      description:
        'Modular synths, drum machines and far too many patch cables. Live music every weeknight from Lisbon; requests welcome in chat.',
      category: 'music',
      tags: ['synthwave', 'modular', 'live-music'],
    }),
    call(secondOwner, 'PATCH', '/api/v1/channels/theo-codes', {
      description:
        'Writing a compiler for a toy language from scratch, one pass at a time, live. Questions are welcome; none is too basic.',
      category: 'science-technology',
      tags: ['rust', 'compilers', 'live-coding'],
    }),
    (async () => {
      await call(privateOwner, 'PATCH', '/api/v1/channels/ada-office-hours', {
        description: 'Weekly office hours for the design team: reviews, questions and planning.',
        category: 'education',
        private: true,
      });
      for (const label of ['Design team', 'Contractors'])
        await call(privateOwner, 'POST', '/api/v1/channels/ada-office-hours/viewer-tokens', { label });
    })(),
  ]);
}

/**
 * Webinars: two coming up on Nova's channel (one with a description), one she ran last week, and
 * one of Theo's that is live now, so the studio, the page and the home row all have something.
 */
async function announceWebinars(
  owner: Person,
  secondOwner: Person,
): Promise<{ webinarId: string; liveWebinarId: string; recordedWebinarId: string }> {
  const day = 86_400_000;
  const at = (days: number, hourUtc: number) =>
    new Date(Math.floor(Date.now() / day) * day + days * day + hourUtc * 3_600_000).toISOString();
  const announce = (person: Person, slug: string, body: Record<string, unknown>) =>
    call<{ id: string }>(person, 'POST', `/api/v1/channels/${slug}/webinars`, body);
  const upcoming = await announce(owner, 'novabeats', {
    title: 'Patching a generative sequence from scratch',
    description:
      'A live walk-through of the patch behind Friday’s jam, module by module.\n\nBring questions: the last half hour is Q&A. Signed-in viewers can ask in chat.',
    scheduledStart: at(3, 18),
    durationMinutes: 90,
    audience: 'signed_in',
  });
  await announce(owner, 'novabeats', {
    title: 'Gear check: what is on the desk this season',
    scheduledStart: at(10, 17),
    durationMinutes: 45,
  });
  const past = await announce(owner, 'novabeats', {
    title: 'Sound design basics',
    scheduledStart: new Date(Date.now() + 60_000).toISOString(),
    durationMinutes: 60,
  });
  await call(owner, 'POST', `/api/v1/webinars/${past.id}/start`);
  await call(owner, 'POST', `/api/v1/webinars/${past.id}/end`);
  const live = await announce(secondOwner, 'theo-codes', {
    title: 'Office hours: Pratt parsing, your questions',
    scheduledStart: new Date(Date.now() + 60_000).toISOString(),
    durationMinutes: 60,
  });
  await call(secondOwner, 'POST', `/api/v1/webinars/${live.id}/start`);
  for (const body of ['Mic check before we start: levels look fine here.', 'Precedence table first, then questions.'])
    await call(secondOwner, 'POST', `/api/v1/webinars/${live.id}/backstage/messages`, { body });
  const recorded = await announce(secondOwner, 'theo-codes', {
    title: 'Writing a tokenizer, live',
    scheduledStart: new Date(Date.now() + 60_000).toISOString(),
    durationMinutes: 60,
  });
  await call(secondOwner, 'POST', `/api/v1/webinars/${recorded.id}/start`);
  await call(secondOwner, 'POST', `/api/v1/webinars/${recorded.id}/end`);
  return { webinarId: upcoming.id, liveWebinarId: live.id, recordedWebinarId: recorded.id };
}

/**
 * The live webinar's Q&A, through the real /qa socket: an open question with votes (pinned to the
 * stage), one asked anonymously and answered in writing, one answered live, one dismissed, and,
 * once the host turned moderation on, one waiting for approval.
 */
async function askInWebinar(
  webinarId: string,
  host: Person,
  [viewer, moderator, spammer, shouter]: [Person, Person, Person, Person],
) {
  const connect = async (person: Person) => {
    const client = await QaTestClient.connect(person.baseUrl, { cookie: person.cookie });
    await client.joined(webinarId);
    return client;
  };
  const [hostQa, viewerQa, moderatorQa, spammerQa, shouterQa] = await Promise.all([
    connect(host),
    connect(viewer),
    connect(moderator),
    connect(spammer),
    connect(shouter),
  ]);
  try {
    const pinned = await viewerQa.asked(
      'Does the Pratt loop handle right-associative operators like ^ without a special case?',
    );
    const typed = await moderatorQa.asked('Could you share the precedence table as a gist after the stream?', true);
    const live = await shouterQa.asked('WHAT ABOUT TERNARY OPERATORS??');
    const spam = await spammerQa.asked('Cheap followers at totally-real-deals dot example');
    for (const [client, id] of [
      [moderatorQa, pinned.id],
      [shouterQa, pinned.id],
      [spammerQa, pinned.id],
      [viewerQa, typed.id],
      [viewerQa, live.id],
    ] as const)
      await client.emit('vote', { questionId: id });
    await hostQa.moderate(typed.id, 'answer', 'Yes: it will be linked in the channel description tonight.');
    await hostQa.moderate(live.id, 'answer');
    await hostQa.moderate(spam.id, 'dismiss');
    await hostQa.moderate(pinned.id, 'pin');
    await hostQa.emit('set-moderation', { moderated: true });
    await viewerQa.asked('How does this compare with precedence climbing in a recursive descent parser?');
  } finally {
    for (const client of [hostQa, viewerQa, moderatorQa, spammerQa, shouterQa]) client.close();
  }
}

/**
 * Polls in Theo's live webinar: one closed (hidden results until it closed), one open with live
 * counts that the viewer voted on, and a draft the host has ready.
 */
async function runPolls(host: Person, webinarId: string, voters: Person[]): Promise<void> {
  const polls = `/api/v1/webinars/${webinarId}/polls`;
  const prepare = (body: Record<string, unknown>) => call<{ id: string }>(host, 'POST', polls, body);
  const vote = (person: Person, pollId: string, choices: number[]) =>
    call(person, 'PUT', `/api/v1/polls/${pollId}/vote`, { choices });
  const earlier = await prepare({
    question: 'Do you write parsers by hand, or use a generator?',
    options: ['By hand', 'Generator (ANTLR, yacc…)', 'Parser combinators'],
    resultsVisibility: 'closed',
  });
  await call(host, 'POST', `/api/v1/polls/${earlier.id}/launch`);
  for (const [i, person] of voters.entries()) await vote(person, earlier.id, [i % 3 === 2 ? 2 : 0]);
  await call(host, 'POST', `/api/v1/polls/${earlier.id}/close`);
  const open = await prepare({
    question: 'Which topic should we dig into first?',
    options: ['Precedence climbing', 'Error recovery', 'Left recursion', 'Pretty-printing the AST'],
    durationSeconds: 600,
  });
  await call(host, 'POST', `/api/v1/polls/${open.id}/launch`);
  const choices = [[0], [0], [2], [1]];
  for (const [i, person] of voters.entries()) await vote(person, open.id, choices[i % choices.length]!);
  await prepare({
    question: 'How was today’s session?',
    options: ['Great pace', 'Too fast', 'Too slow'],
    resultsVisibility: 'closed',
  });
}

/** A poll beside Nova's live stream, open with a minute left; the viewer has not voted yet. */
async function runChannelPoll(owner: Person, voters: Person[]): Promise<void> {
  const poll = await call<{ id: string }>(owner, 'POST', '/api/v1/channels/novabeats/polls', {
    question: 'Next patch: which module leads?',
    options: ['Wavefolder', 'Granular delay', 'Euclidean drums'],
    multipleChoice: true,
    durationSeconds: 600,
  });
  await call(owner, 'POST', `/api/v1/polls/${poll.id}/launch`);
  const choices = [[0, 2], [2], [1, 2]];
  for (const [i, person] of voters.entries())
    await call(person, 'PUT', `/api/v1/polls/${poll.id}/vote`, { choices: choices[i % choices.length] });
}

/**
 * A webinar for registered attendees on Nova's channel, the host approving each: the viewer is
 * approved, two wait (one answering with a would-be spreadsheet formula), one was declined.
 */
async function registerForWebinar(owner: Person, people: Person[]): Promise<string> {
  const day = 86_400_000;
  const { id } = await call<{ id: string }>(owner, 'POST', '/api/v1/channels/novabeats/webinars', {
    title: 'Modular synthesis 101: the weekly training',
    description: 'For new members of the studio: patching basics, then your questions.',
    scheduledStart: new Date(Math.floor(Date.now() / day) * day + 5 * day + 17 * 3_600_000).toISOString(),
    durationMinutes: 60,
    audience: 'registered',
    registrationApproval: true,
    registrationCapacity: 500,
    registrationQuestions: [
      { text: 'Which synth do you use?', required: true },
      { text: 'What should we cover?', required: false },
    ],
  });
  const answers = [
    ['A Eurorack case, 104 HP', 'Clock dividers and how to sync to a DAW'],
    ['Moog Mother-32', ''],
    ['=HYPERLINK("http://deals.example")', 'DEALS'],
    ['none', 'CAN WE DO DUBSTEP'],
  ];
  const registrations = [];
  for (const [i, person] of people.entries())
    registrations.push(
      await call<{ id: string }>(person, 'POST', `/api/v1/webinars/${id}/registration`, { answers: answers[i] }),
    );
  await call(owner, 'PATCH', `/api/v1/webinars/${id}/registrants/${registrations[0]!.id}`, { status: 'approved' });
  await call(owner, 'PATCH', `/api/v1/webinars/${id}/registrants/${registrations[3]!.id}`, { status: 'declined' });
  return id;
}

/** The live channel's look and its team, one after the other so the moderation log reads the same in every run. */
async function setUpLiveChannel(owner: Person, moderator: Person): Promise<void> {
  await uploadImages(owner, 'novabeats');
  await call(owner, 'POST', '/api/v1/channels/novabeats/stream-keys');
  await call(owner, 'PUT', `/api/v1/channels/novabeats/moderators/${moderator.username}`);
  await call(owner, 'PATCH', '/api/v1/channels/novabeats/chat/settings', {
    bannedWords: ['spoiler', 'giveaway'],
  });
}

export async function seed(platform: TestPlatform, browser: Browser): Promise<Seeded> {
  const url = platform.url;
  const started = Date.now();
  const step = (label: string) => console.log(`seed: ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  // Everyone at once: password hashing (scrypt) runs on libuv's threads.
  const [owner, secondOwner, privateOwner, viewer, moderator, spammer, shouter] = await Promise.all([
    createCreator(
      platform,
      { username: 'nova', name: 'Nova Reyes' },
      { slug: 'novabeats', title: 'Nova Beats: late-night synth sessions' },
    ),
    createCreator(
      platform,
      { username: 'theo', name: 'Theo Park' },
      { slug: 'theo-codes', title: 'Theo Codes: a tiny compiler in Rust' },
    ),
    createCreator(
      platform,
      { username: 'ada', name: 'Ada Okafor' },
      { slug: 'ada-office-hours', title: 'Office hours (team only)' },
    ),
    signUpViewer(url, 'samlee', 'Sam Lee'),
    signUpViewer(url, 'kai_moreno', 'Kai Moreno'),
    signUpViewer(url, 'deals4u', 'Totally Real Deals'),
    signUpViewer(url, 'capslock_carl', 'Carl'),
  ]);
  step('people');
  // Channels described and followed before anyone goes live: the go-live notifications need both.
  await Promise.all([
    describeChannels(owner, secondOwner, privateOwner),
    call(viewer, 'PUT', '/api/v1/channels/novabeats/follow'),
    call(viewer, 'PUT', '/api/v1/channels/theo-codes/follow'),
    call(moderator, 'PUT', '/api/v1/channels/novabeats/follow'),
  ]);
  step('channels');
  const webinars = await announceWebinars(owner, secondOwner);
  const registeredWebinarId = await registerForWebinar(owner, [viewer, moderator, spammer, shouter]);
  await askInWebinar(webinars.liveWebinarId, secondOwner, [viewer, moderator, spammer, shouter]);
  const certificateNumber = await seedAttendance(
    platform.database!.prisma,
    webinars.recordedWebinarId,
    secondOwner,
    [
      { person: viewer, stretches: [[0, 45]] },
      {
        person: moderator,
        stretches: [
          [2, 20],
          [22, 44],
        ],
      },
      { person: spammer, stretches: [[10, 25]] },
      { person: shouter, stretches: [[-3, 6]] },
    ],
    viewer,
  );
  step('webinars');
  await runPolls(secondOwner, webinars.liveWebinarId, [viewer, moderator, spammer, shouter]);
  await runChannelPoll(owner, [moderator, spammer, shouter]);
  step('polls');

  // A past broadcast: Theo streams for a few seconds, retitled while live, then ends. The live
  // channel is set up meanwhile. Over WHIP (both tracks in one offer, one simulcast-free picture)
  // the recorder writes one run: over WebRTC, audio joining late or a better simulcast layer
  // restarts it, and a VOD starting with the empty run that leaves does not play in hls.js.
  const past = await goLiveFromStudio(browser, url, secondOwner, 'whip');
  step('theo is live');
  await Promise.all([
    call(secondOwner, 'PATCH', '/api/v1/channels/theo-codes/live-stream', {
      title: 'Parsing expressions with Pratt',
    }),
    setUpLiveChannel(owner, moderator),
    waitForSegments(url, 'theo-codes', 6),
  ]);
  await endStreamInStudio(past.page);
  step('theo ended');

  // The stream that stays live: Nova, from her studio, while the recorder finishes Theo's VOD.
  const [live, vod] = await Promise.all([
    goLiveFromStudio(browser, url, owner, 'webrtc').catch(async (error: unknown) => {
      // Pictures of a broken WebRTC path are still pictures: say so loudly, and go live over WHIP.
      const problem = `going live over WebRTC failed, went live over WHIP instead: ${(error as Error).message}`;
      console.warn(`seed: ${problem}`);
      const overWhip = await goLiveFromStudio(browser, url, owner, 'whip');
      overWhip.problems.unshift(problem);
      return overWhip;
    }),
    waitFor(
      async () => {
        const { items } = await call<{ items: { id: string }[] }>(viewer, 'GET', '/api/v1/channels/theo-codes/vods');
        return items[0];
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'the VOD of the ended stream' },
    ),
  ]);
  step('nova is live, theo has a VOD');
  // Nobody was on the ended webinar's stage, so it has no recording of its own: it gets the VOD,
  // as the recorder would have given it one.
  const { streamId } = await platform.database!.prisma.vod.findUniqueOrThrow({ where: { id: vod.id } });
  await platform.database!.prisma.webinar.update({ where: { id: webinars.recordedWebinarId }, data: { streamId } });
  await past.context.close();
  try {
    const [clip] = await Promise.all([
      call<{ id: string }>(viewer, 'POST', `/api/v1/vods/${vod.id}/clips`, {
        startSeconds: 1,
        endSeconds: 4,
        title: 'The parser finally handles precedence',
      }),
      call(owner, 'PATCH', '/api/v1/channels/novabeats/live-stream', { title: 'Friday night modular jam' }),
      chatAndModerate(url, 'novabeats', { owner, viewer, moderator, spammer, shouter }),
      (async () => {
        await waitForSegments(url, 'novabeats', 4);
        await call(viewer, 'POST', '/api/v1/channels/novabeats/clips', {
          seconds: 3,
          title: 'That bassline drop',
        });
      })(),
    ]);
    step('chat and clips');
    return {
      viewer,
      owner,
      liveSlug: 'novabeats',
      publisher: live.page,
      publisherProblems: live.problems,
      secondOwner,
      offlineSlug: 'theo-codes',
      vodId: vod.id,
      clipId: clip.id,
      privateOwner,
      privateSlug: 'ada-office-hours',
      ...webinars,
      registeredWebinarId,
      certificateNumber,
      close: () => live.context.close(),
    };
  } catch (error) {
    await live.context.close();
    throw error;
  }
}
