// Why a message could not be sent, or why this reader can't chat, in words a viewer understands.
import type { ChatProblem } from '../../stores/chat.ts';

/** Seconds as "45 s", "9:05" or "2 h 5 min": short enough for a countdown under the input. */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}

const TEXTS: Record<string, string> = {
  empty: 'Type a message first.',
  too_long: 'Messages can be at most 500 characters.',
  rate_limited: "You're sending messages too fast. Wait a few seconds.",
  banned_word: "That message has a word this channel doesn't allow.",
  banned: "You're banned from this chat.",
  timed_out: "You're timed out in this chat for now.",
  followers_only: 'Only followers can chat here. Follow the channel to join in.',
  subscribers_only: 'Only subscribers can chat here.',
  unauthorized: 'Sign in to chat.',
  disconnected: 'Not connected to the chat. It reconnects by itself; try again in a moment.',
  timeout: "The chat didn't answer in time. Try again.",
  not_found: 'This channel has no chat.',
  unavailable: 'The chat is unavailable on this server right now.',
};

/** A refusal of `send` (or of joining) as a sentence; slow mode says how long is left. */
export function chatProblemText(problem: ChatProblem, secondsLeft: number | null = null): string {
  if (problem.code === 'slow_mode') {
    return secondsLeft && secondsLeft > 0
      ? `Slow mode is on: you can send again in ${formatWait(secondsLeft)}.`
      : 'Slow mode is on: you can send again now.';
  }
  return TEXTS[problem.code] ?? problem.detail ?? 'The message could not be sent.';
}
