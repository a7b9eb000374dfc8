// Chat delivery delay: N readers (socket.io clients over WebSocket, in this process) joined to one
// channel's room on a server in its own process; signed-in senders post messages at a steady rate,
// each stamped with its send time; every reader times every message. Reports the delay from send
// to receipt over all (reader, message) pairs, the spread of one message across the room, the send
// acks, and any message that did not arrive.
import { startChatServer, type ChatServer } from './lib/chat-server.ts';
import { startReaders, type ReaderGroup } from './lib/chat-readers.ts';
import { ChatSenders, type SendOutcome } from './lib/chat-swarm.ts';
import { machineBusyOver, OutsideCpuMeter, ProcessCpuMeter } from './lib/media/cpu.ts';
import { percentile, round1 } from './lib/media/percentiles.ts';
import { BenchError, type BenchContext, type BenchResult, type Cell } from './lib/types.ts';

export const summary =
  'chat message delay from one sender to N socket.io readers of one room (--clients=1000 --messages=200 --rate=10)';

const GOAL_P99_MS = 100;
const JOIN_TIMEOUT_MS = 20_000;
const JOIN_DEADLINE_MS = 180_000;
const ACK_TIMEOUT_MS = 10_000;
/** The sending phase is bounded: this machine is shared. */
const MAX_SENDING_SECONDS = 600;

interface Settings {
  clients: number;
  messages: number;
  rate: number;
  senders: number;
  joinConcurrency: number;
  /** 0: readers on the main thread; otherwise spread over this many worker threads. */
  readerThreads: number;
  drainMs: number;
}

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const settings = readSettings(ctx);
  const busyBefore = await machineBusyOver(2000);
  let server: ChatServer | undefined;
  let readers: ReaderGroup | undefined;
  let senders: ChatSenders | undefined;
  try {
    server = await startChatServer(ctx);
    ctx.log(`server ${server.url} (pid ${server.pid}), channel ${server.channel}`);
    const cookies: string[] = [];
    for (let i = 0; i < settings.senders; i++) cookies.push(await server.signUp(`sender${i}`));
    senders = await ChatSenders.connect(server.url, cookies, JOIN_TIMEOUT_MS);

    ctx.log(
      `joining ${settings.clients} readers, ${settings.joinConcurrency} at a time, ${settings.readerThreads === 0 ? 'on the main thread' : `in ${settings.readerThreads} worker threads`}`,
    );
    const joinStart = performance.now();
    readers = await startReaders(
      server.url,
      server.channel,
      {
        count: settings.clients,
        concurrency: settings.joinConcurrency,
        timeoutMs: JOIN_TIMEOUT_MS,
        deadlineMs: JOIN_DEADLINE_MS,
      },
      settings.readerThreads,
    );
    const joinSeconds = (performance.now() - joinStart) / 1000;
    ctx.log(
      `${readers.joined} readers joined in ${joinSeconds.toFixed(1)} s${readers.failures.length ? `; ${readers.failures.length} failed, e.g. ${readers.failures[0]}` : ''}`,
    );
    if (readers.joined === 0) throw new BenchError(`no reader could join\n${server.outputTail()}`);

    ctx.log(`sending ${settings.messages} messages at ${settings.rate}/s from ${settings.senders} senders`);
    const serverCpu = ProcessCpuMeter.forPid(server.pid);
    const ownCpu = ProcessCpuMeter.forPid(process.pid);
    const outsideCpu = new OutsideCpuMeter();
    serverCpu.start();
    ownCpu.start();
    outsideCpu.start();
    const outcomes = await sendAll(senders, server.channel, settings);
    const sendingCpu = { server: serverCpu.percent(), bench: ownCpu.percent(), outside: outsideCpu.percent() };
    const accepted = outcomes.filter((o) => o.ok);
    const expected = accepted.length * readers.joined;
    // Deliveries still on their way get a bounded time to land before the rest count as lost.
    const drainDeadline = performance.now() + settings.drainMs;
    while ((await readers.received()) < expected && performance.now() < drainDeadline) await sleep(50);
    const deliveries = await readers.collect();
    const received = deliveries.delays.length;
    ctx.log(`${received} of ${expected} deliveries`);
    if (received === 0)
      throw new BenchError(
        `no message reached any reader; refusals: ${describeRefusals(outcomes)}\n${server.outputTail()}`,
      );

    return report(settings, {
      joined: readers.joined,
      joinFailures: readers.failures,
      joinSeconds,
      disconnects: deliveries.disconnects,
      outcomes,
      expected,
      received,
      duplicates: deliveries.duplicates,
      delays: deliveries.delays,
      spreads: [...deliveries.perMessage.values()].map((m) => m.last - m.first),
      firstReaderDelays: accepted.flatMap((o) => {
        const arrival = deliveries.perMessage.get(o.seq);
        return arrival ? [arrival.first - o.sentAt] : [];
      }),
      sendingCpu,
      busyBefore,
    });
  } finally {
    await readers?.close();
    senders?.close();
    await server?.stop();
  }
}

/** Sends on a fixed grid (message i at i / rate seconds), without waiting for acks in between. */
async function sendAll(senders: ChatSenders, channel: string, settings: Settings): Promise<SendOutcome[]> {
  const start = performance.now();
  const pending: Promise<SendOutcome>[] = [];
  for (let seq = 0; seq < settings.messages; seq++) {
    await sleep(start + (seq * 1000) / settings.rate - performance.now());
    pending.push(senders.send(channel, seq, ACK_TIMEOUT_MS));
  }
  return Promise.all(pending);
}

interface Measured {
  joined: number;
  joinFailures: string[];
  joinSeconds: number;
  disconnects: number;
  outcomes: SendOutcome[];
  expected: number;
  received: number;
  duplicates: number;
  delays: number[];
  spreads: number[];
  /** Per message, the delay to the first reader that got it: the server's work and one hop, without the readers' queue. */
  firstReaderDelays: number[];
  sendingCpu: { server: number | undefined; bench: number | undefined; outside: number | undefined };
  busyBefore: number | undefined;
}

function report(settings: Settings, m: Measured): BenchResult {
  const accepted = m.outcomes.filter((o) => o.ok);
  const acks = m.outcomes.map((o) => o.ackMs);
  const lost = m.expected - m.received;
  const p = (values: number[], q: number) => (values.length === 0 ? 'n/a' : round1(percentile(values, q)));
  const percent = (value: number | undefined) => (value === undefined ? 'n/a' : `${round1(value)} %`);
  const rows: Cell[][] = [
    ['Readers joined', `${m.joined} of ${settings.clients}`],
    ['Messages accepted', `${accepted.length} of ${m.outcomes.length}`],
    ['Deliveries received / expected', `${m.received} / ${m.expected}`],
    ['Messages lost (deliveries missing)', lost],
    ['Duplicate deliveries', m.duplicates],
    ['Delivery delay p50 (ms)', p(m.delays, 50)],
    ['Delivery delay p95 (ms)', p(m.delays, 95)],
    ['Delivery delay p99 (ms)', p(m.delays, 99)],
    ['Delivery delay max (ms)', m.delays.length ? round1(maxOf(m.delays)) : 'n/a'],
    ['Delay to the first reader of a message, p50 (ms)', p(m.firstReaderDelays, 50)],
    ['Delay to the first reader of a message, p99 (ms)', p(m.firstReaderDelays, 99)],
    ['Spread of one message over the room, p50 (ms)', p(m.spreads, 50)],
    ['Spread of one message over the room, max (ms)', m.spreads.length ? round1(maxOf(m.spreads)) : 'n/a'],
    ['Send ack p50 (ms)', p(acks, 50)],
    ['Send ack p99 (ms)', p(acks, 99)],
    ['Server process CPU while sending', percent(m.sendingCpu.server)],
    ['Benchmark process CPU while sending', percent(m.sendingCpu.bench)],
    ['Other work on the machine while sending (share of all cores)', percent(m.sendingCpu.outside)],
    ['Readers joined in (s)', round1(m.joinSeconds)],
  ];
  const p99 = m.delays.length ? percentile(m.delays, 99) : Number.POSITIVE_INFINITY;
  const readersShare =
    settings.readerThreads === 0
      ? `The readers share one Node event loop, so the last reader of a message waits for the others to be decoded (on people's devices that happens in parallel): ` +
        `the "spread" rows are that client-side queue plus the server writing to every socket in turn, and the "first reader" rows show the server's part without the queue.`
      : `The readers are spread over ${settings.readerThreads} event loops (worker threads), so decoding a message for all of them runs in parallel as far as the cores allow; ` +
        `the "spread" rows are the server writing to every socket plus what queueing is left on the readers' side, and the "first reader" rows show the server's part without it.`;
  const notes = [
    `The delay includes everything between the sender's emit and a reader's handler: the server's checks and database insert (embedded PGlite, as \`npm start\` runs by default), ` +
      `socket.io's fan-out to ${m.joined} sockets, loopback TCP, and decoding ${m.joined} WebSocket frames per message in this process. ${readersShare}`,
    `Senders: ${settings.senders} signed-in users taking turns, so each sends at most one message a second, within the chat's per-user limit of 5 messages in 5 seconds.`,
    `The machine was ${percent(m.busyBefore)} busy (all cores) for the 2 s before the server started, and other processes than ours used ` +
      `${percent(m.sendingCpu.outside)} of all cores while sending: on a shared machine that work competes with the server and the readers and shows up in the delays. ` +
      `Process CPU figures are in % of one core.`,
  ];
  const refused = m.outcomes.filter((o) => !o.ok);
  if (refused.length > 0) notes.push(`Sends refused or unanswered: ${describeRefusals(m.outcomes)}.`);
  if (m.joinFailures.length > 0)
    notes.push(`${m.joinFailures.length} readers failed to join, e.g. ${m.joinFailures[0]}.`);
  if (m.disconnects > 0) notes.push(`${m.disconnects} readers were disconnected during the run.`);
  return {
    title: 'Chat delivery delay',
    method:
      `Starts \`node --import tsx server.ts\` with ROLES=api on a free loopback port and a fresh data folder (embedded PGlite, in-process pub/sub), ` +
      `makes a channel with the operator CLI and ${settings.senders} sender accounts through the sign-up API. In the benchmark process, ${settings.clients} ` +
      `anonymous socket.io clients (WebSocket transport) ${settings.readerThreads === 0 ? 'on its main thread' : `spread over ${settings.readerThreads} worker threads`} join the channel's chat, ${settings.joinConcurrency} at a time${settings.readerThreads > 1 ? ' per thread' : ''}. Then ${settings.messages} messages ` +
      `are sent at ${settings.rate} per second on a fixed schedule, each body carrying its send time from this process's clock; every reader records ` +
      `receipt time minus send time. Messages not received ${settings.drainMs / 1000} s after the last ack count as lost.`,
    table: { columns: ['Measure', 'Value'], rows },
    goals: [
      {
        statement: `Chat delivery p99 under ${GOAL_P99_MS} ms with ${settings.clients} readers`,
        passed: p99 < GOAL_P99_MS && m.joined === settings.clients,
        measured: `p99 ${round1(p99)} ms over ${m.received} deliveries, ${m.joined} readers joined`,
      },
      {
        statement: 'Every accepted message reaches every reader',
        passed: lost === 0 && accepted.length === m.outcomes.length,
        measured: `${lost} deliveries missing, ${refused.length} sends refused`,
      },
    ],
    notes,
  };
}

function describeRefusals(outcomes: SendOutcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) if (!o.ok) counts.set(o.code ?? 'unknown', (counts.get(o.code ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([code, n]) => `${n} × ${code}`).join(', ') || 'none';
}

function readSettings(ctx: BenchContext): Settings {
  const clients = ctx.flags.integer('clients', 1000, 1, 5000);
  const messages = ctx.flags.integer('messages', 200, 1, 5000);
  const rate = ctx.flags.integer('rate', 10, 1, 100);
  if (messages / rate > MAX_SENDING_SECONDS)
    throw new BenchError(
      `--messages / --rate would send for ${Math.round(messages / rate)} s; keep it under ${MAX_SENDING_SECONDS} s`,
    );
  return {
    clients,
    messages,
    rate,
    // One message a second per sender at most: the chat allows a user 5 in 5 seconds.
    senders: Math.ceil(rate),
    joinConcurrency: ctx.flags.integer('join-concurrency', 50, 1, 500),
    readerThreads: ctx.flags.integer('reader-threads', 0, 0, 16),
    drainMs: ctx.flags.integer('drain-s', 10, 1, 120) * 1000,
  };
}

/** Math.max(...values) overflows the stack at a few hundred thousand values. */
function maxOf(values: readonly number[]): number {
  return values.reduce((a, b) => (b > a ? b : a), Number.NEGATIVE_INFINITY);
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
