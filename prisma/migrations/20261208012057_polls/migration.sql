-- CreateEnum
CREATE TYPE "PollState" AS ENUM ('draft', 'open', 'closed');

-- CreateEnum
CREATE TYPE "PollResultsVisibility" AS ENUM ('live', 'closed');

-- CreateTable
CREATE TABLE "Poll" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "webinarId" UUID,
    "question" TEXT NOT NULL,
    "options" TEXT[],
    "multipleChoice" BOOLEAN NOT NULL DEFAULT false,
    "resultsVisibility" "PollResultsVisibility" NOT NULL DEFAULT 'live',
    "durationSeconds" INTEGER,
    "state" "PollState" NOT NULL DEFAULT 'draft',
    "openedAt" TIMESTAMPTZ(3),
    "closesAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Poll_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PollVote" (
    "pollId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "choices" INTEGER[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PollVote_pkey" PRIMARY KEY ("pollId","userId")
);

-- CreateIndex
CREATE INDEX "Poll_webinarId_createdAt_idx" ON "Poll"("webinarId", "createdAt");

-- CreateIndex
CREATE INDEX "Poll_channelId_createdAt_idx" ON "Poll"("channelId", "createdAt");

-- CreateIndex
CREATE INDEX "Poll_state_closesAt_idx" ON "Poll"("state", "closesAt");

-- CreateIndex
CREATE INDEX "PollVote_userId_idx" ON "PollVote"("userId");

-- AddForeignKey
ALTER TABLE "Poll" ADD CONSTRAINT "Poll_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Poll" ADD CONSTRAINT "Poll_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PollVote" ADD CONSTRAINT "PollVote_pollId_fkey" FOREIGN KEY ("pollId") REFERENCES "Poll"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PollVote" ADD CONSTRAINT "PollVote_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

