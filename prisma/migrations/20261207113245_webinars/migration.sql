-- CreateEnum
CREATE TYPE "WebinarState" AS ENUM ('scheduled', 'backstage', 'live', 'ended');

-- CreateEnum
CREATE TYPE "WebinarAudience" AS ENUM ('anyone', 'signed_in', 'registered');

-- CreateTable
CREATE TABLE "Webinar" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "scheduledStart" TIMESTAMPTZ(3) NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "audience" "WebinarAudience" NOT NULL DEFAULT 'anyone',
    "state" "WebinarState" NOT NULL DEFAULT 'scheduled',
    "coverPath" TEXT,
    "startedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Webinar_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Webinar_channelId_scheduledStart_idx" ON "Webinar"("channelId", "scheduledStart");

-- CreateIndex
CREATE INDEX "Webinar_state_scheduledStart_idx" ON "Webinar"("state", "scheduledStart");

-- AddForeignKey
ALTER TABLE "Webinar" ADD CONSTRAINT "Webinar_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

