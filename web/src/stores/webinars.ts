import { defineStore } from 'pinia';
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { ApiError, failureText, getJson, sendJson } from '../lib/api.ts';
import type { Webinar, WebinarAudience, WebinarMember, WebinarPage } from '../../../common/protocol/rest/webinars.ts';

/** A webinar as the API answers it: the server's schema. */
export type { Webinar, WebinarAudience, WebinarState } from '../../../common/protocol/rest/webinars.ts';

// The limits the API holds a host to; a copy, so the page doesn't bundle the schema library.
export const WEBINAR_TITLE_MAX = 140;
export const WEBINAR_DESCRIPTION_MAX = 5000;
export const WEBINAR_MIN_MINUTES = 15;
export const WEBINAR_MAX_MINUTES = 8 * 60;

/** How often an open webinar page asks where the webinar stands (no push for it yet). */
export const WEBINAR_REFRESH_MS = 5_000;

export type WebinarAction = 'backstage' | 'start' | 'end';

/** A webinar's co-host or panelist, as GET /api/v1/webinars/:id/members lists them. */
export type { WebinarMember } from '../../../common/protocol/rest/webinars.ts';
export type WebinarWhen = 'upcoming' | 'past';
export type ListState = 'idle' | 'loading' | 'loaded' | 'failed';
/** forbidden: a webinar of a private channel this reader may not watch. */
export type WebinarLookup = 'idle' | 'loading' | 'found' | 'not-found' | 'forbidden' | 'failed';

/** What the studio's form sends: every field, the start already in UTC (registration's when it applies). */
export interface WebinarDraft {
  title: string;
  description: string;
  scheduledStart: string;
  durationMinutes: number;
  audience: WebinarAudience;
  registrationApproval?: boolean;
  registrationCapacity?: number | null;
  registrationQuestions?: { text: string; required: boolean }[];
  handRaising?: boolean;
}

/** The form's fields a refusal can be about. */
export type WebinarField =
  | 'title'
  | 'description'
  | 'scheduledStart'
  | 'durationMinutes'
  | 'audience'
  | 'registrationCapacity'
  | 'registrationQuestions';

/** Why the server refused a webinar, in words, on the field it is about (or the form's, when none). */
export interface WebinarProblem {
  field: WebinarField | null;
  text: string;
}

const FIELD_WORDS: Record<WebinarField, string> = {
  title: `Give it a title of at most ${WEBINAR_TITLE_MAX} characters.`,
  description: `The description can be at most ${WEBINAR_DESCRIPTION_MAX} characters.`,
  scheduledStart: 'Pick a date and a time.',
  durationMinutes: `A webinar lasts from ${WEBINAR_MIN_MINUTES} minutes to ${WEBINAR_MAX_MINUTES / 60} hours.`,
  audience: 'Choose who may attend.',
  registrationCapacity: 'A capacity is a whole number from 1 to 100000, or empty for no limit.',
  registrationQuestions: 'Up to 3 questions, each at most 200 characters.',
};

export function webinarProblem(failure: unknown): WebinarProblem {
  if (!(failure instanceof ApiError)) return { field: null, text: failureText(failure) };
  switch (failure.code) {
    case 'scheduled_in_past':
      return { field: 'scheduledStart', text: 'That time has passed: pick one in the future.' };
    case 'scheduled_too_far':
      return { field: 'scheduledStart', text: 'A webinar can be scheduled at most a year ahead.' };
    case 'webinar_started':
      return { field: 'scheduledStart', text: 'It has started: its start time can no longer change.' };
    case 'registrations_exist':
      return { field: 'registrationQuestions', text: 'People have registered: the questions can no longer change.' };
    case 'capacity_below_registrants':
      return { field: 'registrationCapacity', text: failure.message };
    case 'webinar_ended':
    case 'webinar_live':
    case 'webinar_state':
      return { field: null, text: failure.message };
  }
  if (failure.status === 400) {
    // A schema refusal names the property: "body/durationMinutes must be <= 480".
    const field = /body\/(\w+)/.exec(failure.message)?.[1];
    if (field && field in FIELD_WORDS)
      return { field: field as WebinarField, text: FIELD_WORDS[field as WebinarField] };
    return { field: null, text: failure.message };
  }
  if (failure.status === 401) return { field: null, text: 'Your session ended: sign in again.' };
  if (failure.status === 404) return { field: null, text: 'This webinar no longer exists.' };
  return { field: null, text: failure.message };
}

const bySoonest = (a: Webinar, b: Webinar) => Date.parse(a.scheduledStart) - Date.parse(b.scheduledStart);
const byLatest = (a: Webinar, b: Webinar) => -bySoonest(a, b);

/** Whether a webinar in this state belongs to the channel's upcoming list or its past one. */
const belongsTo = (webinar: Webinar): WebinarWhen => (webinar.state === 'ended' ? 'past' : 'upcoming');

interface WebinarList {
  channel: Ref<string | null>;
  items: ShallowRef<Webinar[]>;
  nextCursor: Ref<string | null>;
  state: Ref<ListState>;
  loadingMore: Ref<boolean>;
  moreFailed: Ref<boolean>;
  load(slug: string): Promise<void>;
  loadMore(): Promise<void>;
  /** Puts in, moves or takes out `webinar` as its state says (a new one, an edited one, one that ended). */
  place(webinar: Webinar): void;
  drop(id: string): void;
}

/** A channel's upcoming webinars (soonest first) or its past ones (latest first), a page at a time. */
function webinarList(when: WebinarWhen): WebinarList {
  const channel = ref<string | null>(null);
  const items = shallowRef<Webinar[]>([]);
  const nextCursor = ref<string | null>(null);
  const state = ref<ListState>('idle');
  const loadingMore = ref(false);
  const moreFailed = ref(false);
  let controller: AbortController | undefined;

  const pageUrl = (slug: string, cursor: string | null) =>
    `/api/v1/channels/${encodeURIComponent(slug)}/webinars?when=${when}` +
    (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');

  async function load(slug: string): Promise<void> {
    controller?.abort();
    const mine = (controller = new AbortController());
    if (channel.value !== slug) items.value = [];
    channel.value = slug;
    nextCursor.value = null;
    moreFailed.value = false;
    state.value = 'loading';
    try {
      const page = await getJson<WebinarPage>(pageUrl(slug, null), mine.signal);
      if (mine.signal.aborted) return;
      items.value = page.items;
      nextCursor.value = page.nextCursor;
      state.value = 'loaded';
    } catch (error) {
      if (mine.signal.aborted) return;
      console.warn(`[aethex] ${when} webinars of '${slug}' could not be loaded`, error);
      state.value = 'failed';
    }
  }

  async function loadMore(): Promise<void> {
    const slug = channel.value;
    const cursor = nextCursor.value;
    if (!slug || !cursor || loadingMore.value) return;
    const mine = controller;
    loadingMore.value = true;
    moreFailed.value = false;
    try {
      const page = await getJson<WebinarPage>(pageUrl(slug, cursor), mine?.signal);
      if (controller !== mine) return;
      const known = new Set(items.value.map((w) => w.id));
      items.value = [...items.value, ...page.items.filter((w) => !known.has(w.id))];
      nextCursor.value = page.nextCursor;
    } catch (error) {
      if (mine?.signal.aborted) return;
      console.warn(`[aethex] more ${when} webinars of '${slug}' could not be loaded`, error);
      moreFailed.value = true;
    } finally {
      loadingMore.value = false;
    }
  }

  function place(webinar: Webinar): void {
    if (webinar.channel.slug !== channel.value) return;
    const others = items.value.filter((w) => w.id !== webinar.id);
    if (belongsTo(webinar) !== when) {
      items.value = others;
      return;
    }
    const sorted = [...others, webinar].sort(when === 'upcoming' ? bySoonest : byLatest);
    // Past the last one loaded, it would show up again on a later page: leave it to that page.
    const last = sorted.indexOf(webinar) === sorted.length - 1;
    items.value = last && nextCursor.value && others.length > 0 ? others : sorted;
  }

  function drop(id: string): void {
    items.value = items.value.filter((w) => w.id !== id);
  }

  return { channel, items, nextCursor, state, loadingMore, moreFailed, load, loadMore, place, drop };
}

/**
 * Webinars: a channel's upcoming and past ones with the host's actions on them (the studio), the
 * one on its own page, and the live and upcoming ones of discovery.
 */
export const useWebinarStore = defineStore('webinars', () => {
  const upcoming = webinarList('upcoming');
  const past = webinarList('past');

  const webinar = shallowRef<Webinar | null>(null);
  const lookup = ref<WebinarLookup>('idle');
  let lookupController: AbortController | undefined;
  /** The page's webinar being asked for now (the router asks before the page's code has arrived). */
  let loading: { id: string; done: Promise<void> } | undefined;

  const discovered = shallowRef<{ live: Webinar[]; upcoming: Webinar[] }>({ live: [], upcoming: [] });
  const discoverState = ref<ListState>('idle');

  /** Loads the webinar of the page `id`; `quietly` keeps what is shown while it asks again. */
  function load(id: string, quietly = false): Promise<void> {
    if (!quietly && loading?.id === id) return loading.done;
    const done = fetchWebinar(id, quietly).finally(() => {
      if (loading?.done === done) loading = undefined;
    });
    loading = { id, done };
    return done;
  }

  async function fetchWebinar(id: string, quietly: boolean): Promise<void> {
    if (quietly && webinar.value?.id !== id) quietly = false;
    lookupController?.abort();
    const mine = (lookupController = new AbortController());
    if (!quietly) {
      webinar.value = null;
      lookup.value = 'loading';
    }
    try {
      const found = await getJson<Webinar>(`/api/v1/webinars/${encodeURIComponent(id)}`, mine.signal);
      if (mine.signal.aborted) return;
      webinar.value = found;
      lookup.value = 'found';
    } catch (error) {
      if (mine.signal.aborted) return;
      // A malformed id is a 400: to the reader it is one that does not exist as well.
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) lookup.value = 'not-found';
      else if (error instanceof ApiError && error.status === 403) lookup.value = 'forbidden';
      else if (quietly) console.warn(`[aethex] webinar '${id}' could not be refreshed`, error);
      else {
        console.warn(`[aethex] webinar '${id}' could not be loaded`, error);
        lookup.value = 'failed';
      }
      if (lookup.value !== 'found' || !quietly) webinar.value = null;
    }
  }

  async function loadDiscovered(): Promise<void> {
    if (discoverState.value === 'idle') discoverState.value = 'loading';
    try {
      discovered.value = await getJson<{ live: Webinar[]; upcoming: Webinar[] }>('/api/v1/discover/webinars');
      discoverState.value = 'loaded';
    } catch (error) {
      console.warn('[aethex] webinars to discover could not be loaded', error);
      if (discoverState.value !== 'loaded') discoverState.value = 'failed';
    }
  }

  /** The answer to a host's change, everywhere it is shown. */
  function changed(next: Webinar): Webinar {
    upcoming.place(next);
    past.place(next);
    if (webinar.value?.id === next.id) webinar.value = next;
    return next;
  }

  /** Throws ApiError (see webinarProblem). */
  async function create(slug: string, draft: WebinarDraft): Promise<Webinar> {
    return changed(await sendJson<Webinar>('POST', `/api/v1/channels/${encodeURIComponent(slug)}/webinars`, draft));
  }

  /** Sends the fields that changed. Throws ApiError (see webinarProblem). */
  async function update(id: string, change: Partial<WebinarDraft>): Promise<Webinar> {
    return changed(await sendJson<Webinar>('PATCH', `/api/v1/webinars/${encodeURIComponent(id)}`, change));
  }

  async function remove(id: string): Promise<void> {
    await sendJson('DELETE', `/api/v1/webinars/${encodeURIComponent(id)}`);
    upcoming.drop(id);
    past.drop(id);
    if (webinar.value?.id === id) {
      webinar.value = null;
      lookup.value = 'not-found';
    }
  }

  /** Uploads the webinar's cover, replacing the one it had. Throws ApiError (413, 415, 409 webinar_ended). */
  async function setCover(shown: Webinar, file: File): Promise<Webinar> {
    const form = new FormData();
    form.append('file', file);
    const { url } = await sendJson<{ url: string }>(
      'PUT',
      `/api/v1/webinars/${encodeURIComponent(shown.id)}/cover`,
      form,
    );
    return changed({ ...shown, coverUrl: url });
  }

  async function removeCover(shown: Webinar): Promise<Webinar> {
    await sendJson('DELETE', `/api/v1/webinars/${encodeURIComponent(shown.id)}/cover`);
    return changed({ ...shown, coverUrl: null });
  }

  /** Backstage, start or end. Throws ApiError (409 webinar_state when its state doesn't allow it). */
  async function act(id: string, action: WebinarAction): Promise<Webinar> {
    return changed(await sendJson<Webinar>('POST', `/api/v1/webinars/${encodeURIComponent(id)}/${action}`));
  }

  /** The stage list (co-hosts and panelists) of the webinar `membersOf`, for its host and co-hosts. */
  const members = shallowRef<WebinarMember[]>([]);
  const membersOf = ref<string | null>(null);
  const membersUrl = (id: string, username?: string) =>
    `/api/v1/webinars/${encodeURIComponent(id)}/members${username ? `/${encodeURIComponent(username)}` : ''}`;
  const keepMembers = (id: string, list: WebinarMember[]) => {
    membersOf.value = id;
    members.value = list;
  };

  /** Throws ApiError (403 for anyone but the host and co-hosts). */
  async function loadMembers(id: string): Promise<void> {
    if (membersOf.value !== id) members.value = [];
    keepMembers(id, await getJson<WebinarMember[]>(membersUrl(id)));
  }

  /** Invites a panelist by username; they start on stage. Throws ApiError (404 no such user, 409 already_member). */
  async function invite(id: string, username: string, role: WebinarMember['role'] = 'panelist'): Promise<void> {
    keepMembers(id, await sendJson<WebinarMember[]>('POST', membersUrl(id), { username, role }));
  }

  /** Moves a member off the stage (the server closes what they publish at once) or back on. */
  async function setOnStage(id: string, username: string, onStage: boolean): Promise<void> {
    keepMembers(id, await sendJson<WebinarMember[]>('PATCH', membersUrl(id, username), { onStage }));
  }

  return {
    upcoming,
    past,
    webinar,
    lookup,
    load,
    members,
    membersOf,
    loadMembers,
    invite,
    setOnStage,
    discovered,
    discoverState,
    loadDiscovered,
    create,
    update,
    remove,
    setCover,
    removeCover,
    act,
  };
});

/** Which of the host's actions a webinar in `state` allows, in the order they come. */
export function actionsFor(state: Webinar['state']): WebinarAction[] {
  switch (state) {
    case 'scheduled':
      return ['backstage', 'start'];
    case 'backstage':
      return ['start', 'end'];
    case 'live':
      return ['end'];
    case 'ended':
      return [];
  }
}
