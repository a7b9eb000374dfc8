// What the recorder needs of the database, as interfaces. VOD and clip rows are REST resources,
// so the API owns them and every query on them (api/vods/vod-repository.ts,
// api/clips/clip-repository.ts implement these); the composition root hands them to the recorder,
// which runs FFmpeg, keeps files and serves them. Like common/live/channel-directory.ts for
// signaling: neither plane imports the other, and the recorder holds no SQL.

/** A finished recording, about to become a VOD. Paths are store keys (relative to the recordings folder). */
export interface NewVod {
  channelId: string;
  streamId: string;
  durationSeconds: number;
  playlistPath: string;
  mp4Path: string | null;
  posterPath: string | null;
}

/** What serving a VOD's files needs: where they are, and whose channel decides who may fetch them. */
export interface VodFiles {
  id: string;
  channelId: string;
  playlistPath: string;
  mp4Path: string | null;
  posterPath: string | null;
}

/** A VOD as retention weighs it. */
export interface RetainedVod {
  id: string;
  createdAt: Date;
  playlistPath: string;
}

export interface VodCatalog {
  /** Makes the VOD of a recording that ended; its title is the stream's. */
  create(vod: NewVod): Promise<{ id: string }>;
  /** Whether the stream's recording became a VOD (its folder is worth keeping). */
  existsForStream(streamId: string): Promise<boolean>;
  /** The VOD's files; undefined for an unknown id (or one that is not an id at all). */
  files(id: string): Promise<VodFiles | undefined>;
  /** Every VOD, oldest first. */
  oldestFirst(): Promise<RetainedVod[]>;
  delete(id: string): Promise<void>;
}

/** What serving a clip's files needs. */
export interface ClipFiles {
  channelId: string;
  path: string;
  posterPath: string | null;
}

export interface ClipCatalog {
  /** The clip's files; undefined for an unknown id (or one that is not an id at all). */
  files(id: string): Promise<ClipFiles | undefined>;
}
