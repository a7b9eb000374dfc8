// Sign up, log in, log out, who am I, change password. Sign-up and log-in are rate-limited per
// client address; a failed log-in says nothing about whether the account exists, and sign-up says
// an email address is taken only so often (taken-address-budget.ts).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PrismaClient } from '../../common/db/database.ts';
import { AppError, BadRequestError } from '../../common/errors.ts';
import { AccountUser, Me } from '../../common/protocol/rest/accounts.ts';
import { NoContent, problems, TextLine, Type } from '../http/schemas.ts';
import { endSession, requireUser, sessionOf, setSessionCookie } from './auth.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { createSession, invalidateOtherSessions } from './sessions.ts';
import { createAccountRepository } from './account-repository.ts';
import { takenAddressBudget } from './taken-address-budget.ts';
import { validateNewPassword } from './password-rules.ts';

export interface AccountRouteDeps {
  prisma: PrismaClient;
  /** Sign-up and log-in attempts allowed per client address per minute. */
  authAttemptsPerMinute: number;
  /**
   * Sessions that log-out or a password change just ended: their open sockets must close, since a
   * socket was authorized once, at its handshake.
   */
  onSessionsEnded?: (sessionIds: string[]) => void;
}

/** Me, with the user as the document's shared 'Me' schema. */
const MeResponse = Type.Object({ ...Me.properties, user: Type.Ref('Me') });

class InvalidCredentialsError extends AppError {
  constructor() {
    super(401, 'invalid_credentials', 'The email or username and password do not match an account.');
  }
}

/**
 * Compared against when the account does not exist, so a failed log-in takes as long either way
 * and timing does not tell which accounts exist.
 */
let decoyHash: Promise<string> | undefined;

export function registerAccountRoutes(
  app: FastifyInstance,
  { prisma, authAttemptsPerMinute, onSessionsEnded }: AccountRouteDeps,
): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const accounts = createAccountRepository(prisma);
  app.addSchema(AccountUser);
  const rateLimit = { max: authAttemptsPerMinute, timeWindow: '1 minute' };
  // As many "email taken" answers an hour as sign-up attempts a minute: a person hears it once or
  // twice, and what one address can learn of who has an account shrinks sixty-fold.
  const takenAnswers = takenAddressBudget(app, authAttemptsPerMinute);
  const meOf = (userId: string): Promise<Me> => accounts.account(userId);

  api.post(
    '/api/v1/auth/signup',
    {
      config: { rateLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Create an account and sign in',
        body: Type.Object(
          {
            email: TextLine({ maxLength: 254 }),
            username: Type.String({ minLength: 3, maxLength: 24, pattern: '^[A-Za-z0-9_]+$' }),
            password: Type.String({ minLength: 8, maxLength: 256 }),
            name: Type.Optional(TextLine({ minLength: 1, maxLength: 64 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: MeResponse, ...problems(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const { email, username, password, name } = request.body;
      await takenAnswers.check(request);
      const user = await accounts.create({ email, username, password, name }).catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === 'email_taken') await takenAnswers.spend(request);
        throw error;
      });
      const session = await createSession(prisma, user.id);
      setSessionCookie(reply, session.token, session.expiresAt);
      return reply.status(201).send(await meOf(user.id));
    },
  );

  api.post(
    '/api/v1/auth/login',
    {
      config: { rateLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Sign in with email or username and password',
        body: Type.Object(
          {
            login: TextLine({ minLength: 1, maxLength: 254, description: 'Email address or username.' }),
            password: Type.String({ minLength: 1, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: MeResponse, ...problems(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const user = await accounts.byLogin(request.body.login);
      const matches = await verifyPassword(
        request.body.password,
        user?.passwordHash ?? (await (decoyHash ??= hashPassword('decoy password that matches nothing'))),
      );
      if (!user || !matches) throw new InvalidCredentialsError();
      const session = await createSession(prisma, user.id);
      setSessionCookie(reply, session.token, session.expiresAt);
      return meOf(user.id);
    },
  );

  api.post(
    '/api/v1/auth/logout',
    { schema: { tags: ['accounts'], summary: 'Sign out this session', response: { 204: NoContent } } },
    async (request, reply) => {
      const ended = await endSession(request, reply);
      if (ended) onSessionsEnded?.([ended]);
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/api/v1/auth/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'The signed-in user, their channels and the chats they moderate',
        response: { 200: MeResponse, ...problems(401) },
      },
    },
    async (request) => meOf((await requireUser(request)).id),
  );

  api.post(
    '/api/v1/auth/password',
    {
      config: { rateLimit },
      schema: {
        tags: ['accounts'],
        summary: 'Change the password; signs out every other session',
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 256 }),
            newPassword: Type.String({ minLength: 8, maxLength: 256 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: NoContent, ...problems(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const me = await requireUser(request);
      const session = await sessionOf(request);
      if (!(await verifyPassword(request.body.currentPassword, await accounts.passwordHash(me.id)))) {
        throw new BadRequestError('The current password is not right.', { code: 'wrong_password' });
      }
      validateNewPassword(request.body.newPassword, me);
      await accounts.setPasswordHash(me.id, await hashPassword(request.body.newPassword));
      onSessionsEnded?.(await invalidateOtherSessions(prisma, me.id, session?.id));
      return reply.status(204).send(null);
    },
  );
}
