// A clip's files: its MP4 and its poster, at /clip/<id>/clip.mp4 and /clip/<id>/poster.jpg. As
// public as the channel the clip is of: a private channel's go through the WatchGuard the
// composition root hands in. The clip API itself (making and listing clips) is api/clips.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { WatchGuard } from '../common/access/watch-guard.ts';
import { NotFoundError } from '../common/errors.ts';
import type { ClipCatalog } from '../common/recordings/catalog.ts';
import type { RecordingStore } from './storage/index.ts';
import { sendStored } from './storage/send-stored.ts';

export interface ClipFileRouteDeps {
  clips: ClipCatalog;
  store: RecordingStore;
  guard: WatchGuard;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// Any string: a name that is not a clip's file is a 404, like a file that is not there.
const ClipFileParams = Type.Object({ id: Type.String(), file: Type.String() });

export function registerClipFileRoutes(app: FastifyInstance, { clips, store, guard }: ClipFileRouteDeps): void {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/clip/:id/:file', { schema: { params: ClipFileParams } }, async (request, reply) => {
    const { id, file } = request.params;
    if (!UUID.test(id) || (file !== 'clip.mp4' && file !== 'poster.jpg')) throw new NotFoundError('File', file);
    const clip = await clips.files(id);
    const key = file === 'clip.mp4' ? clip?.path : clip?.posterPath;
    if (!clip || !key) throw new NotFoundError('File', file);
    const channel = await guard.channelById(request, clip.channelId);
    return sendStored(reply, store, key, { private: channel.private, range: request.headers.range });
  });
}
