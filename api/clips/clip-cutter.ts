// What the clip API needs of the recorder: cut a clip out of a live recording or out of a VOD's
// files, and keep the clip's files in the recording store. recorder/clip-maker.ts's ClipMaker does
// it (structurally: the recorder does not import the API); the composition root hands it in.
//
// `save` writes the clip's row once its files are stored, and its answer is the cut's. It runs
// inside the cut, so a row that can't be written leaves no files behind: the cutter removes them.

/** A clip cut and stored, before its row exists. Paths are store keys. */
export interface CutClip {
  id: string;
  startSeconds: number;
  durationSeconds: number;
  path: string;
  posterPath: string | null;
}

export interface ClipCutter {
  /**
   * The last `seconds` of the channel's live stream (its recording's stream id comes with the
   * cut); 409 not_live when the channel is not being recorded.
   */
  fromLive<T>(
    channelSlug: string,
    seconds: number,
    save: (cut: CutClip & { streamId: string }) => Promise<T>,
  ): Promise<T>;
  /** `startSeconds` to `endSeconds` of the VOD whose playlist is at `playlistPath`. */
  fromVod<T>(
    playlistPath: string,
    startSeconds: number,
    endSeconds: number,
    save: (cut: CutClip) => Promise<T>,
  ): Promise<T>;
}
