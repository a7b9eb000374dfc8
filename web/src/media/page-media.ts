// The media objects at work on the page, by kind: the player or publisher, the WHIP or WHEP client
// behind it, the HLS playback, which way the channel page receives the stream. They announce
// themselves here when they start and withdraw when they close. Nothing in the app collects them;
// a test build does (../test-hooks.ts), so tests and benchmarks can look inside the page.
//
// This module imports none of them: each one adds its own kind to `PageMedia` (a module
// augmentation, as router.ts adds to vue-router's RouteMeta), so they can all use it without an
// import cycle, and the kinds stay typed.

/** One entry per kind, added by the module that announces it. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by augmentation
export interface PageMedia {}

export type PageMediaKind = keyof PageMedia;

let collector: Partial<PageMedia> | null = null;

/** `value` is now the page's `kind`, replacing any earlier one. */
export function announce<K extends PageMediaKind>(kind: K, value: PageMedia[K]): void {
  if (collector) collector[kind] = value;
}

/** `value` stopped; forgotten unless a newer one replaced it already. */
export function withdraw<K extends PageMediaKind>(kind: K, value: PageMedia[K]): void {
  if (collector?.[kind] === value) delete collector[kind];
}

/** From now on, `into` holds the page's current object of each kind. */
export function collectPageMedia(into: Partial<PageMedia>): void {
  collector = into;
}
