-- CreateTable
CREATE TABLE "Vod" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "streamId" UUID NOT NULL,
    "title" TEXT NOT NULL DEFAULT '',
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "playlistPath" TEXT NOT NULL,
    "mp4Path" TEXT,
    "posterPath" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vod_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Vod_streamId_key" ON "Vod"("streamId");

-- CreateIndex
CREATE INDEX "Vod_channelId_createdAt_idx" ON "Vod"("channelId", "createdAt");

-- AddForeignKey
ALTER TABLE "Vod" ADD CONSTRAINT "Vod_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vod" ADD CONSTRAINT "Vod_streamId_fkey" FOREIGN KEY ("streamId") REFERENCES "Stream"("id") ON DELETE CASCADE ON UPDATE CASCADE;

