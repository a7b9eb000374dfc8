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

export class NotLiveError extends AppError {
  constructor(channel: string) {
    super(404, 'not_live', `Channel '${channel}' is not live right now.`);
  }
}
