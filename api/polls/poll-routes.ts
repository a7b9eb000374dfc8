// Polls over HTTP: a scope's polls (a webinar's or a channel's) listed and created, a poll edited,
// deleted, launched, closed and voted on, and the results exported as CSV. Voters usually vote over
// the /polls socket (poll-socket.ts); the same engine (polls.ts) answers both.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Poll, PollDraft, PollDraftChange, PollList, PollVoteBody } from '../../common/protocol/polls.ts';
import { requireUser, userOf } from '../accounts/auth.ts';
import { NoContent, problems, SlugParams, Type } from '../http/schemas.ts';
import { requestTokens } from '../viewer-access/watch-access.ts';
import { pollResultsCsv } from './poll-csv.ts';
import { scopeIds, type ResolvedScope } from './poll-scopes.ts';
import type { Caller, Polls } from './polls.ts';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export function registerPollRoutes(app: FastifyInstance, polls: Polls): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  const callerOf = async (request: FastifyRequest): Promise<Caller> => ({
    user: await userOf(request),
    tokens: (channelId) => requestTokens(request, channelId),
  });

  const scopes = [
    {
      path: '/api/v1/webinars/:id/polls',
      what: "the webinar's",
      who: 'host and co-hosts',
      params: IdParams,
      scope: (params: Record<string, string>) => polls.scopes.resolve({ kind: 'webinar', webinarId: params.id! }),
    },
    {
      path: '/api/v1/channels/:slug/polls',
      what: "the channel stream's",
      who: 'owner and moderators',
      params: SlugParams,
      scope: (params: Record<string, string>) => polls.scopes.resolve({ kind: 'channel', channel: params.slug! }),
    },
  ] as const;

  for (const { path, what, who, params, scope } of scopes) {
    api.get(
      path,
      {
        schema: {
          tags: ['polls'],
          summary: `List ${what} polls, newest first (drafts and hidden counts for its ${who} only)`,
          params,
          response: { 200: PollList, ...problems(403, 404) },
        },
      },
      async (request) => polls.list(await scope(request.params as Record<string, string>), await callerOf(request)),
    );

    api.post(
      path,
      {
        schema: {
          tags: ['polls'],
          summary: `Prepare a draft poll in ${what} polls (${who})`,
          params,
          body: PollDraft,
          response: { 201: Poll, ...problems(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const user = await requireUser(request);
        const resolved = await scope(request.params as Record<string, string>);
        return reply.status(201).send(await polls.create(resolved, user, request.body));
      },
    );

    api.get(
      `${path}/results.csv`,
      {
        schema: {
          tags: ['polls'],
          summary: `Export the results of ${what} polls as CSV (RFC 4180), one row per option (${who})`,
          params,
          response: {
            200: {
              description: 'One row per option of every poll that ran.',
              content: { 'text/csv': { schema: Type.String() } },
            },
            ...problems(401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const user = await requireUser(request);
        const resolved = await scope(request.params as Record<string, string>);
        await polls.scopes.assertRuns(user, resolved);
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="${csvName(resolved)}"`)
          .header('cache-control', 'private, no-store')
          .send(await resultsCsv(polls, resolved));
      },
    );
  }

  api.patch(
    '/api/v1/polls/:id',
    {
      schema: {
        tags: ['polls'],
        summary: 'Change a draft poll (who runs it)',
        params: IdParams,
        body: PollDraftChange,
        response: { 200: Poll, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => polls.edit(request.params.id, await requireUser(request), request.body),
  );

  api.delete(
    '/api/v1/polls/:id',
    {
      schema: {
        tags: ['polls'],
        summary: 'Delete a draft poll (who runs it); a poll that ran keeps its results',
        params: IdParams,
        response: { 204: NoContent, ...problems(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await polls.deleteDraft(request.params.id, await requireUser(request));
      return reply.status(204).send(null);
    },
  );

  api.post(
    '/api/v1/polls/:id/launch',
    {
      schema: {
        tags: ['polls'],
        summary: 'Launch a draft poll: it opens now, and closes by itself at its time limit (who runs it)',
        params: IdParams,
        response: { 200: Poll, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => polls.launch(request.params.id, await requireUser(request)),
  );

  api.post(
    '/api/v1/polls/:id/close',
    {
      schema: {
        tags: ['polls'],
        summary: 'Close an open poll: its results become final and visible to all (who runs it)',
        params: IdParams,
        response: { 200: Poll, ...problems(401, 403, 404, 409) },
      },
    },
    async (request) => polls.close(request.params.id, await requireUser(request)),
  );

  api.put(
    '/api/v1/polls/:id/vote',
    {
      schema: {
        tags: ['polls'],
        summary: "Vote on an open poll (signed in); a new vote replaces the caller's last one",
        params: IdParams,
        body: PollVoteBody,
        response: { 200: Poll, ...problems(400, 401, 403, 404, 409) },
      },
    },
    async (request) => polls.vote(request.params.id, await callerOf(request), request.body.choices),
  );
}

async function resultsCsv(polls: Polls, scope: ResolvedScope): Promise<string> {
  const rows = (await polls.repository.list(scopeIds(scope), { drafts: false })).reverse();
  const results = await polls.repository.results(rows);
  return pollResultsCsv(rows.map((poll) => ({ poll, results: results.get(poll.id)! })));
}

function csvName(scope: ResolvedScope): string {
  return scope.kind === 'webinar' ? 'webinar-polls.csv' : `${scope.channel.slug}-polls.csv`;
}
