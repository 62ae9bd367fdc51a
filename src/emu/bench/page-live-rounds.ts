// Page-live rounds as one figure. Each round is a live run of the lab from boot with every
// panel live and, right after it, the same instructions replayed headless (src/worker/page-live.ts).
// The host's speed drifts by a factor of 1.5 within minutes here, so one live run against
// replays made later compares two different machines; rounds pair each live run with a replay
// next to it in time, and the median round is the figure.
import type { PageLive } from './report';

/** The round with the median ratio (the lower middle one for an even count), with every round listed. */
export function combinePageLive(rounds: readonly PageLive[]): PageLive {
  if (rounds.length === 0) throw new Error('page live: no rounds were measured');
  const byRatio = [...rounds].sort((a, b) => a.ratio - b.ratio);
  const mid = byRatio[(byRatio.length - 1) >> 1]!;
  return { ...mid, rounds: rounds.flatMap((r) => r.rounds) };
}
