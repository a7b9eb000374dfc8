import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MyRegistration, RegistrantList, Registrant } from '../../../common/protocol/rest/webinars.ts';
import { ApiError, getJson, sendJson } from '../lib/api.ts';

export type {
  MyRegistration,
  Registrant,
  RegistrantList,
  RegistrationQuestion,
} from '../../../common/protocol/rest/webinars.ts';

// The limits the API holds registrations to; a copy, so the page doesn't bundle the schema library.
export const REGISTRATION_QUESTIONS_MAX = 3;
export const REGISTRATION_QUESTION_MAX = 200;
export const REGISTRATION_ANSWER_MAX = 500;

/** none: not registered (or signed out without a join link); unknown: not asked yet or failed. */
export type MyRegistrationLookup = 'unknown' | 'loading' | 'none' | 'found';

const base = (webinarId: string) => `/api/v1/webinars/${encodeURIComponent(webinarId)}`;

/** What a refusal means to the person registering, in words. */
export function registrationProblem(failure: unknown): string {
  if (!(failure instanceof ApiError)) return 'The server could not be reached. Try again.';
  switch (failure.code) {
    case 'webinar_full':
      return 'The webinar is full: no place is left.';
    case 'already_registered':
      return 'You are registered already.';
    case 'registration_declined':
      return 'The host declined your registration.';
    case 'answer_required':
    case 'answers_mismatch':
      return failure.message;
    case 'webinar_ended':
      return 'The webinar has ended.';
    case 'not_registered':
      return 'This join link is not valid any more: the registration was cancelled or declined.';
  }
  if (failure.status === 401) return 'Sign in to register.';
  return failure.message;
}

// One registration at a time: the caller's own for the webinar page, and the registrants of the
// webinar the studio's host looks at.
export const useWebinarRegistrationStore = defineStore('webinar-registration', () => {
  const mine = ref<MyRegistration | null>(null);
  const mineFor = ref<string | null>(null);
  const lookup = ref<MyRegistrationLookup>('unknown');

  async function loadMine(webinarId: string): Promise<void> {
    if (mineFor.value !== webinarId) mine.value = null;
    mineFor.value = webinarId;
    lookup.value = 'loading';
    try {
      mine.value = await getJson<MyRegistration>(`${base(webinarId)}/registration`);
      lookup.value = 'found';
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 404 || failure.status === 401)) {
        mine.value = null;
        lookup.value = 'none';
      } else lookup.value = 'unknown';
    }
  }

  /** Opens a personal join link: this browser keeps its seat (an HttpOnly cookie). */
  async function useJoinLink(webinarId: string, token: string): Promise<void> {
    mine.value = await sendJson<MyRegistration>('POST', `${base(webinarId)}/registration/join`, { token });
    mineFor.value = webinarId;
    lookup.value = 'found';
  }

  async function register(webinarId: string, answers: string[]): Promise<MyRegistration> {
    const created = await sendJson<MyRegistration>('POST', `${base(webinarId)}/registration`, { answers });
    mine.value = created;
    mineFor.value = webinarId;
    lookup.value = 'found';
    return created;
  }

  async function cancel(webinarId: string): Promise<void> {
    mine.value = await sendJson<MyRegistration>('DELETE', `${base(webinarId)}/registration`);
  }

  const registrants = ref<RegistrantList | null>(null);
  const registrantsFor = ref<string | null>(null);

  async function loadRegistrants(webinarId: string): Promise<void> {
    if (registrantsFor.value !== webinarId) registrants.value = null;
    registrantsFor.value = webinarId;
    registrants.value = await getJson<RegistrantList>(`${base(webinarId)}/registrants`);
  }

  async function decide(webinarId: string, registrationId: string, status: 'approved' | 'declined'): Promise<void> {
    const changed = await sendJson<Registrant>(
      'PATCH',
      `${base(webinarId)}/registrants/${encodeURIComponent(registrationId)}`,
      { status },
    );
    const list = registrants.value;
    if (!list || registrantsFor.value !== webinarId) return;
    const before = list.items.find((r) => r.id === changed.id);
    if (before) {
      list.counts[before.status]--;
      list.counts[changed.status]++;
    }
    registrants.value = { ...list, items: list.items.map((r) => (r.id === changed.id ? changed : r)) };
  }

  const csvUrl = (webinarId: string) => `${base(webinarId)}/registrants.csv`;

  return {
    mine,
    mineFor,
    lookup,
    loadMine,
    useJoinLink,
    register,
    cancel,
    registrants,
    registrantsFor,
    loadRegistrants,
    decide,
    csvUrl,
  };
});
