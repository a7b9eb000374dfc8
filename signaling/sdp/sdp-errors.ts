// The one error this module throws for anything a client sent. Two codes, so a WHIP/WHEP client
// can tell "your SDP is broken" (400) from "your SDP is fine but we cannot take it" (422).
import { AppError } from '../../common/errors.ts';

export type SdpErrorCode = 'bad_sdp' | 'unsupported_media';

const STATUS: Record<SdpErrorCode, 400 | 422> = { bad_sdp: 400, unsupported_media: 422 };

export class SdpError extends AppError {
  declare readonly code: SdpErrorCode;

  constructor(code: SdpErrorCode, message: string, details?: Record<string, unknown>) {
    super(STATUS[code], code, message, details);
  }
}

/** Unparseable or invalid SDP (400). */
export function badSdp(message: string, details?: Record<string, unknown>): SdpError {
  return new SdpError('bad_sdp', message, details);
}

/** Valid SDP this server cannot take (422). */
export function unsupportedMedia(message: string, details?: Record<string, unknown>): SdpError {
  return new SdpError('unsupported_media', message, details);
}
