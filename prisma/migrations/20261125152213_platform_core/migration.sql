-- CreateEnum
CREATE TYPE "ModerationActionKind" AS ENUM ('delete_message', 'timeout', 'ban', 'unban', 'add_moderator', 'remove_moderator', 'update_chat_settings', 'add_emote', 'remove_emote');

-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('channel_live');

-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "avatarPath" TEXT,
ADD COLUMN     "bannedWords" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "bannerPath" TEXT,
ADD COLUMN     "followersOnly" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "searchVector" tsvector,
ADD COLUMN     "slowModeSeconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "subscribersOnly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "deletedById" UUID;

-- AlterTable
ALTER TABLE "Stream" ADD COLUMN     "searchVector" tsvector;

-- AlterTable (hand-edited: existing users get a username from their email, made unique with a
-- piece of their id; they can change it later)
ALTER TABLE "User" ADD COLUMN     "username" TEXT;
UPDATE "User" SET "username" = left(regexp_replace(lower(split_part("email", '@', 1)), '[^a-z0-9_]', '_', 'g'), 15) || '_' || left(replace("id"::text, '-', ''), 8);
ALTER TABLE "User" ALTER COLUMN "username" SET NOT NULL;

-- CreateTable
CREATE TABLE "Category" (
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Category_pkey" PRIMARY KEY ("slug")
);

-- CreateTable
CREATE TABLE "ChannelModerator" (
    "channelId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelModerator_pkey" PRIMARY KEY ("channelId","userId")
);

-- CreateTable
CREATE TABLE "ChannelBan" (
    "channelId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "expiresAt" TIMESTAMPTZ(3),
    "reason" TEXT NOT NULL DEFAULT '',
    "createdById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelBan_pkey" PRIMARY KEY ("channelId","userId")
);

-- CreateTable
CREATE TABLE "ModerationAction" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "moderatorId" UUID NOT NULL,
    "kind" "ModerationActionKind" NOT NULL,
    "targetUserId" UUID,
    "messageId" UUID,
    "details" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModerationAction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Emote" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "imagePath" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Emote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "channelId" UUID,
    "streamId" UUID,
    "title" TEXT NOT NULL,
    "readAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WatchedChannel" (
    "userId" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "lastWatchedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "times" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "WatchedChannel_pkey" PRIMARY KEY ("userId","channelId")
);

-- CreateIndex
CREATE INDEX "ChannelModerator_userId_idx" ON "ChannelModerator"("userId");

-- CreateIndex
CREATE INDEX "ModerationAction_channelId_createdAt_idx" ON "ModerationAction"("channelId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Emote_channelId_name_key" ON "Emote"("channelId", "name");

-- CreateIndex
CREATE INDEX "Notification_userId_createdAt_idx" ON "Notification"("userId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_userId_kind_streamId_key" ON "Notification"("userId", "kind", "streamId");

-- CreateIndex
CREATE INDEX "WatchedChannel_channelId_idx" ON "WatchedChannel"("channelId");

-- CreateIndex
CREATE INDEX "Channel_searchVector_idx" ON "Channel" USING GIN ("searchVector");

-- CreateIndex
CREATE INDEX "ChatMessage_channelId_userId_createdAt_idx" ON "ChatMessage"("channelId", "userId", "createdAt");

-- CreateIndex
CREATE INDEX "Stream_searchVector_idx" ON "Stream" USING GIN ("searchVector");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- Seed the categories (hand-written). Slugs are stable identifiers; names and order may change.
INSERT INTO "Category" ("slug", "name", "position") VALUES
  ('just-chatting', 'Just Chatting', 10),
  ('music', 'Music', 20),
  ('dj-sets', 'DJ Sets', 30),
  ('gaming', 'Gaming', 40),
  ('education', 'Education', 50),
  ('webinars', 'Webinars', 60),
  ('science-technology', 'Science & Technology', 70),
  ('creative', 'Art & Creative', 80),
  ('sports-fitness', 'Sports & Fitness', 90),
  ('talk-shows', 'Talk Shows & Podcasts', 100),
  ('events', 'Events', 110);
-- Free-text categories from before this migration that match no seeded slug are cleared.
UPDATE "Channel" SET "category" = NULL WHERE "category" IS NOT NULL AND "category" NOT IN (SELECT "slug" FROM "Category");
UPDATE "Stream" SET "category" = NULL WHERE "category" IS NOT NULL AND "category" NOT IN (SELECT "slug" FROM "Category");

-- AddForeignKey
ALTER TABLE "Channel" ADD CONSTRAINT "Channel_category_fkey" FOREIGN KEY ("category") REFERENCES "Category"("slug") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Stream" ADD CONSTRAINT "Stream_category_fkey" FOREIGN KEY ("category") REFERENCES "Category"("slug") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelModerator" ADD CONSTRAINT "ChannelModerator_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelModerator" ADD CONSTRAINT "ChannelModerator_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelBan" ADD CONSTRAINT "ChannelBan_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelBan" ADD CONSTRAINT "ChannelBan_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModerationAction" ADD CONSTRAINT "ModerationAction_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Emote" ADD CONSTRAINT "Emote_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchedChannel" ADD CONSTRAINT "WatchedChannel_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WatchedChannel" ADD CONSTRAINT "WatchedChannel_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Full-text search (hand-written: Prisma can't express triggers). The search vectors are kept by
-- triggers so every writer (API, CLI, raw SQL) keeps them right. Slugs and tags are matched as
-- they are ('simple'); titles and descriptions also by English stems, so "games" finds "gaming".
CREATE FUNCTION "channel_search_vector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchVector" :=
    setweight(to_tsvector('simple', coalesce(NEW."slug", '') || ' ' || coalesce(NEW."title", '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW."title", '')), 'A') ||
    setweight(to_tsvector('simple', array_to_string(coalesce(NEW."tags", ARRAY[]::TEXT[]), ' ')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW."description", '')), 'C');
  RETURN NEW;
END
$$;
CREATE TRIGGER "Channel_searchVector_update" BEFORE INSERT OR UPDATE OF "slug", "title", "tags", "description" ON "Channel"
  FOR EACH ROW EXECUTE FUNCTION "channel_search_vector"();

CREATE FUNCTION "stream_search_vector"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."searchVector" :=
    setweight(to_tsvector('simple', coalesce(NEW."title", '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW."title", '')), 'A');
  RETURN NEW;
END
$$;
CREATE TRIGGER "Stream_searchVector_update" BEFORE INSERT OR UPDATE OF "title" ON "Stream"
  FOR EACH ROW EXECUTE FUNCTION "stream_search_vector"();

UPDATE "Channel" SET "title" = "title";
UPDATE "Stream" SET "title" = "title";
