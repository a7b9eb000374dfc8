import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import {
  HANDS_NAMESPACE,
  type HandQueue,
  type HandsClientEvents,
  type HandsServerEvents,
  type HandsWatch,
  type MyHand,
} from '../../../common/protocol/webinar-hands.ts';
import { ApiError, sendJson } from '../lib/api.ts';

export type { HandEntry, HandInvitation, HandQueue, MyHand } from '../../../common/protocol/webinar-hands.ts';

// Raised hands onto a live webinar's stage (common/protocol/webinar-hands.ts): a host's queue or
// an attendee's own hand and invitation, kept current over the /hands socket.io namespace. Changes
// go through the REST routes; their answer is applied at once, the socket brings everyone else's.

type HandsSocket = Socket<HandsServerEvents, HandsClientEvents>;

/** idle: no webinar. watching: the server answered watch. failed: refused (signed out, no seat). */
export type HandsConnection = 'idle' | 'connecting' | 'watching' | 'reconnecting' | 'failed';

const ACK_TIMEOUT_MS = 10_000;
const base = (webinarId: string) => `/api/v1/webinars/${encodeURIComponent(webinarId)}/hands`;

/** What a refusal means to the person who clicked, in words. */
export function handsProblem(failure: unknown): string {
  if (!(failure instanceof ApiError)) return 'The server could not be reached. Try again.';
  switch (failure.code) {
    case 'invitation_expired':
      return 'The invitation expired. Raise your hand again to be asked once more.';
    case 'not_invited':
      return 'There is no invitation to the stage for you now.';
    case 'hand_raising_off':
      return 'The host turned hand raising off.';
    case 'stage_full':
      return 'The stage is full right now.';
    default:
      return failure.message;
  }
}

export const useWebinarHandsStore = defineStore('webinar-hands', () => {
  const webinarId = ref<string | null>(null);
  const role = ref<'host' | 'attendee' | null>(null);
  const queue = shallowRef<HandQueue | null>(null);
  const mine = shallowRef<MyHand | null>(null);
  const connection = ref<HandsConnection>('idle');
  const watchError = ref<string | null>(null);
  let socket: HandsSocket | null = null;

  function open(id: string): void {
    if (webinarId.value === id && socket) return;
    close();
    webinarId.value = id;
    connection.value = 'connecting';
    const own: HandsSocket = io(HANDS_NAMESPACE, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    socket = own;
    const current = () => socket === own;
    own.on('connect', () => current() && void watch(own, id));
    own.on('disconnect', (reason) => {
      if (current() && reason !== 'io client disconnect') connection.value = 'reconnecting';
    });
    own.on('queue', (next) => current() && next.webinarId === id && (queue.value = next));
    own.on('mine', (next) => current() && next.webinarId === id && (mine.value = next));
    own.on('handRaising', (change) => {
      if (!current() || change.webinarId !== id) return;
      if (mine.value) mine.value = { ...mine.value, handRaising: change.handRaising };
      if (queue.value) queue.value = { ...queue.value, handRaising: change.handRaising };
    });
  }

  async function watch(own: HandsSocket, id: string): Promise<void> {
    try {
      const reply = (await own.timeout(ACK_TIMEOUT_MS).emitWithAck('watch', { webinar: id })) as
        ({ ok: true } & HandsWatch) | { ok: false; error: { detail: string } };
      if (socket !== own) return;
      if (!reply.ok) {
        watchError.value = reply.error.detail;
        connection.value = 'failed';
        return;
      }
      role.value = reply.role;
      if (reply.role === 'host') queue.value = reply.queue;
      else mine.value = reply.mine;
      watchError.value = null;
      connection.value = 'watching';
    } catch {
      if (socket === own) connection.value = 'reconnecting';
    }
  }

  function close(): void {
    socket?.disconnect();
    socket = null;
    webinarId.value = null;
    role.value = null;
    queue.value = null;
    mine.value = null;
    watchError.value = null;
    connection.value = 'idle';
  }

  const url = (path = '') => base(webinarId.value ?? '') + path;
  const asAttendee = async (method: 'PUT' | 'POST' | 'DELETE', path: string) => {
    mine.value = await sendJson<MyHand>(method, url(path));
  };
  const asHost = async (method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown) => {
    queue.value = await sendJson<HandQueue>(method, url(path), body);
  };
  const name = (username: string) => encodeURIComponent(username);

  return {
    webinarId,
    role,
    queue,
    mine,
    connection,
    watchError,
    open,
    close,
    raise: () => asAttendee('PUT', '/me'),
    lower: () => asAttendee('DELETE', '/me'),
    /** "Join stage": the invitation accepted, this attendee is a guest on the stage. */
    accept: () => asAttendee('POST', '/me/accept'),
    decline: () => asAttendee('POST', '/me/decline'),
    invite: (username: string) => asHost('POST', '/invitations', { username }),
    withdraw: (username: string) => asHost('DELETE', `/invitations/${name(username)}`),
    moveToAudience: (username: string) => asHost('DELETE', `/guests/${name(username)}`),
    setHandRaising: (handRaising: boolean) => asHost('PUT', '/settings', { handRaising }),
  };
});
