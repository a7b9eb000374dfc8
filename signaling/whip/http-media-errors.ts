import { AppError } from '../../common/errors.ts';

export class UnsupportedMediaTypeError extends AppError {
  constructor(expected: string) {
    super(415, 'unsupported_media_type', `Send the body as ${expected}.`);
  }
}

export class PreconditionFailedError extends AppError {
  constructor(message: string) {
    super(412, 'precondition_failed', message);
  }
}

export class PreconditionRequiredError extends AppError {
  constructor(message: string) {
    super(428, 'precondition_required', message);
  }
}

/**
 * A request about a WHIP session that another publisher took the channel from: the client should
 * stop rather than publish again, or two encoders on one key would take it from each other for ever.
 */
export class TakenOverError extends AppError {
  constructor() {
    super(
      409,
      'taken_over',
      'Another publisher took this channel over, which ended this session. Publish again only to take it back.',
    );
  }
}

export class NotLiveError extends AppError {
  constructor(channel: string) {
    super(404, 'not_live', `Channel '${channel}' is not live right now.`);
  }
}
