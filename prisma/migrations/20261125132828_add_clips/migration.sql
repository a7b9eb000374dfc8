-- CreateTable
CREATE TABLE "Clip" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "streamId" UUID,
    "vodId" UUID,
    "title" TEXT NOT NULL DEFAULT '',
    "startSeconds" DOUBLE PRECISION NOT NULL,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "path" TEXT NOT NULL,
    "posterPath" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Clip_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Clip_channelId_createdAt_idx" ON "Clip"("channelId", "createdAt");

-- AddForeignKey
ALTER TABLE "Clip" ADD CONSTRAINT "Clip_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

