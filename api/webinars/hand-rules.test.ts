import { describe, expect, it } from 'vitest';
import { acceptRefusal, pendingInvitation, toMine, toQueue, type HandRowWithUser } from './hand-rules.ts';

const now = new Date('2026-12-08T10:00:00Z');
const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
const webinar = { id: 'w', handRaising: true };

function row(name: string, fields: Partial<HandRowWithUser>): HandRowWithUser {
  return {
    userId: name,
    user: { id: name, username: name, name },
    raisedAt: null,
    invitedAt: null,
    invitationExpiresAt: null,
    guest: false,
    ...fields,
  };
}

describe('hand rules', () => {
  it('counts an invitation only until it lapses', () => {
    const invited = row('a', { invitedAt: at(-60), invitationExpiresAt: at(60) });
    expect(pendingInvitation(invited, now)?.expiresAt).toBe(at(60).toISOString());
    expect(pendingInvitation(invited, at(60))).toBeNull();
    expect(pendingInvitation(undefined, now)).toBeNull();
  });

  it('refuses "Join stage" without an invitation, after it lapsed, and for a guest already on stage', () => {
    expect(acceptRefusal(undefined, now)?.code).toBe('not_invited');
    expect(acceptRefusal(row('a', { raisedAt: at(-5) }), now)?.code).toBe('not_invited');
    expect(acceptRefusal(row('a', { invitedAt: at(-130), invitationExpiresAt: at(-10) }), now)?.code).toBe(
      'invitation_expired',
    );
    expect(acceptRefusal(row('a', { guest: true }), now)?.code).toBe('already_on_stage');
    expect(acceptRefusal(row('a', { invitedAt: at(-1), invitationExpiresAt: at(119) }), now)).toBeUndefined();
  });

  it('orders the queue by when hands were raised, and keeps invitations and guests apart', () => {
    const queue = toQueue(
      webinar,
      [
        row('late', { raisedAt: at(-1) }),
        row('guest', { guest: true }),
        row('early', { raisedAt: at(-30), invitedAt: at(-2), invitationExpiresAt: at(118) }),
        row('picked', { invitedAt: at(-2), invitationExpiresAt: at(118) }),
        row('lapsed', { invitedAt: at(-200), invitationExpiresAt: at(-80) }),
      ],
      now,
    );
    expect(queue.hands.map((e) => e.username)).toEqual(['early', 'late']);
    expect(queue.hands[0]!.invitation).not.toBeNull();
    expect(queue.invited.map((e) => e.username)).toEqual(['picked']);
    expect(queue.guests.map((e) => e.username)).toEqual(['guest']);
  });

  it('shows an attendee their own hand, invitation and guest place', () => {
    expect(toMine(webinar, undefined, now)).toEqual({
      webinarId: 'w',
      handRaising: true,
      raisedAt: null,
      invitation: null,
      guest: false,
    });
    const mine = toMine(webinar, row('a', { raisedAt: at(-3), invitedAt: at(-1), invitationExpiresAt: at(119) }), now);
    expect(mine.raisedAt).toBe(at(-3).toISOString());
    expect(mine.invitation?.expiresAt).toBe(at(119).toISOString());
  });
});
