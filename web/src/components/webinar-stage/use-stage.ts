import { computed, onScopeDispose, ref, shallowRef } from 'vue';
import { createLog } from '../../media/log.ts';
import { StageClient, type StageJoinRole, type StageMember, type StageStatus } from '../../media/stage-client.ts';
import { claimPrestarted } from '../../media/stage-prestart.ts';
import { stageLayout } from '../../media/stage-layout.ts';
import { StageSound } from '../../media/stage-sound.ts';

/**
 * A webinar's stage for a component: a StageClient joined as `role` (an attendee's perhaps started
 * by the router already), its members and status as reactive state, the layout they make, and
 * every microphone playing (StageSound, with "Unmute" when the browser holds sound back). Closed
 * with the component.
 */
export function useStage(webinarId: string, role: StageJoinRole) {
  // An attendee's join may be under way already (the router starts it while the page loads).
  const client =
    (role === 'attendee' ? claimPrestarted(webinarId) : undefined) ?? new StageClient({ webinar: webinarId, role });
  const sound = new StageSound(createLog('stage sound', webinarId));
  const status = shallowRef<StageStatus>(client.status);
  const members = shallowRef<StageMember[]>([]);
  const soundBlocked = ref(false);
  const soundMuted = ref(false);

  const showMembers = (next: StageMember[]) => {
    members.value = next;
    sound.setTracks(
      next.flatMap((m) => [m.feeds.microphone?.track, m.feeds['screen-audio']?.track].filter((t) => t !== undefined)),
    );
  };
  client.on('status', (next) => (status.value = next));
  client.on('members', showMembers);
  showMembers(client.members);
  sound.on('change', (state) => {
    soundBlocked.value = state.blocked;
    soundMuted.value = state.muted;
  });

  const layout = computed(() => stageLayout(members.value, status.value.activeSpeaker, status.value.mainShare));

  onScopeDispose(() => {
    client.close();
    sound.close();
  });

  return {
    client,
    status,
    members,
    layout,
    soundBlocked,
    soundMuted,
    unmute: () => sound.unmute(),
    mute: () => sound.mute(),
  };
}
