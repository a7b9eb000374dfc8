// Server and client error codes, in words a streamer or viewer understands.

const STUDIO: Record<string, string> = {
  unauthorized: "That stream key isn't valid: it may be mistyped or revoked. Check it, or create a new one.",
  already_live: 'This channel is already live from another tab or app. End that stream first, then go live here.',
  kicked: 'Another session took over this stream, so it ended here.',
  taken_over: 'Another encoder or tab took over this stream with the same key, so it stopped here.',
  forbidden: "This stream key can't be used to go live right now.",
  unsupported: "This browser can't stream here. Use a recent Chrome, Edge, Firefox or Safari.",
  closed: "Can't reach live streaming on this server.",
  unavailable: 'The media server is busy or restarting.',
  timeout: "The server didn't answer in time.",
  disconnected: 'The connection to the server dropped.',
  rate_limited: 'Too many requests were sent to the server.',
  network: "Can't reach the server.",
  no_media: 'Turn on a camera, a microphone or a screen share first.',
  unsupported_media_type: "The server didn't accept this browser's offer.",
  unsupported_media: "The server can't take this browser's video or audio format over WHIP. Try WebRTC.",
};

const PLAYER: Record<string, string> = {
  not_found: 'This channel does not exist.',
  forbidden: 'This stream is private: open it with a viewer link from the channel, or log in if you are on its team.',
  closed: "Can't reach live streaming on this server.",
  unsupported: "This browser can't play live streams. Use a recent Chrome, Edge, Firefox or Safari.",
  network: "Can't reach the server.",
  bad_request: "The server didn't accept this browser's offer to play.",
  unsupported_media: "The server can't send this stream in a format this browser offered. Choose Source: WebRTC.",
  hls_unsupported: "This browser can't play HLS. Choose Source: WebRTC.",
};

export function studioErrorText(error: { code: string; message: string }): string {
  return STUDIO[error.code] ?? error.message;
}

export function playerErrorText(error: { code: string; message: string }): string {
  return PLAYER[error.code] ?? error.message;
}
