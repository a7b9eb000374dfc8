import { defineStore } from 'pinia';
import { ref } from 'vue';
import type {
  AttendanceReport,
  Certificate,
  CertificateList,
  CertificatePolicy,
  CertificateVerification,
} from '../../../common/protocol/rest/attendance.ts';
import { ApiError, getJson, sendJson } from '../lib/api.ts';

export type {
  AttendanceReport,
  Attendee,
  Certificate,
  CertificateVerification,
  TimelinePoint,
} from '../../../common/protocol/rest/attendance.ts';

/** The share of the live time a certificate asks for when the host turns them on (a copy of the API's default). */
export const CERTIFICATE_THRESHOLD_DEFAULT = 80;

export type Lookup = 'idle' | 'loading' | 'found' | 'not-found' | 'forbidden' | 'failed';

const webinarBase = (id: string) => `/api/v1/webinars/${encodeURIComponent(id)}`;
const certificateBase = (number: string) => `/api/v1/certificates/${encodeURIComponent(number)}`;

function lookupOf(failure: unknown): Lookup {
  if (failure instanceof ApiError && failure.status === 404) return 'not-found';
  if (failure instanceof ApiError && (failure.status === 401 || failure.status === 403)) return 'forbidden';
  return 'failed';
}

// Attendance and certificates: the host's report of one webinar, the caller's certificates (the
// account page, the webinar page), and the public check of one number.
export const useAttendanceStore = defineStore('attendance', () => {
  const report = ref<AttendanceReport | null>(null);
  const reportLookup = ref<Lookup>('idle');

  async function loadReport(webinarId: string, quietly = false): Promise<void> {
    if (report.value?.webinarId !== webinarId) report.value = null;
    if (!quietly) reportLookup.value = 'loading';
    try {
      report.value = await getJson<AttendanceReport>(`${webinarBase(webinarId)}/attendance`);
      reportLookup.value = 'found';
    } catch (failure) {
      if (!quietly || !report.value) reportLookup.value = lookupOf(failure);
    }
  }

  const csvUrl = (webinarId: string) => `${webinarBase(webinarId)}/attendance.csv`;

  async function policyOf(webinarId: string): Promise<number | null> {
    return (await getJson<CertificatePolicy>(`${webinarBase(webinarId)}/certificate-policy`)).thresholdPercent;
  }

  async function setPolicy(webinarId: string, thresholdPercent: number | null): Promise<void> {
    await sendJson('PUT', `${webinarBase(webinarId)}/certificate-policy`, { thresholdPercent });
  }

  /** The caller's certificate of `webinarId`, or null when they have none (or are signed out). */
  async function mineOf(webinarId: string): Promise<Certificate | null> {
    try {
      return await getJson<Certificate>(`${webinarBase(webinarId)}/certificate`);
    } catch (failure) {
      if (failure instanceof ApiError && (failure.status === 404 || failure.status === 401)) return null;
      throw failure;
    }
  }

  const mine = ref<Certificate[]>([]);
  const mineLookup = ref<Lookup>('idle');
  async function loadMine(): Promise<void> {
    mineLookup.value = 'loading';
    try {
      mine.value = (await getJson<CertificateList>('/api/v1/me/certificates')).items;
      mineLookup.value = 'found';
    } catch (failure) {
      mineLookup.value = lookupOf(failure);
    }
  }

  const verification = ref<CertificateVerification | null>(null);
  const verificationLookup = ref<Lookup>('idle');
  async function verify(number: string): Promise<void> {
    verification.value = null;
    verificationLookup.value = 'loading';
    try {
      verification.value = await getJson<CertificateVerification>(certificateBase(number));
      verificationLookup.value = 'found';
    } catch (failure) {
      verificationLookup.value = lookupOf(failure);
    }
  }

  async function revoke(number: string): Promise<void> {
    await sendJson('POST', `${certificateBase(number)}/revoke`);
  }

  return {
    report,
    reportLookup,
    loadReport,
    csvUrl,
    policyOf,
    setPolicy,
    mineOf,
    mine,
    mineLookup,
    loadMine,
    verification,
    verificationLookup,
    verify,
    revoke,
  };
});
