// Sign-up says when an email address already has an account (409 email_taken): with no mail sent
// to an address's owner, that is the only way to tell someone who forgot they signed up. It is
// also the one answer that tells an outsider which addresses have accounts (log-in answers alike
// either way), so a client address may hear it only so often: a person who mistyped or forgot
// hears it once or twice, a script trying a list of addresses runs out within the hour.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../common/errors.ts';

export class TakenAddressLimitError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      429,
      'rate_limited',
      `Too many sign-ups from your network were for email addresses that already have an account; try again in ${Math.ceil(retryAfterSeconds / 60)} min.`,
    );
  }
}

export interface TakenAddressBudget {
  /** A 429 once this client address has heard "email taken" its allowance for the hour. */
  check(request: FastifyRequest): Promise<void>;
  /** Counts one "email taken" answer to this client address. */
  spend(request: FastifyRequest): Promise<void>;
}

/** Kept by the rate-limit plugin's store: per process, or in Redis across processes. */
export function takenAddressBudget(app: FastifyInstance, perHour: number): TakenAddressBudget {
  const limiter = app.createRateLimit({
    max: perHour,
    timeWindow: '1 hour',
    keyGenerator: (request) => `signup-email-taken:${request.ip}`,
  });
  return {
    async check(request) {
      const state = await limiter(request, { increment: false });
      if (!state.isAllowed && state.remaining === 0) throw new TakenAddressLimitError(state.ttlInSeconds);
    },
    async spend(request) {
      await limiter(request);
    },
  };
}
