-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "private" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ViewerToken" (
    "id" UUID NOT NULL,
    "channelId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ViewerToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ViewerToken_tokenHash_key" ON "ViewerToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ViewerToken_channelId_idx" ON "ViewerToken"("channelId");

-- AddForeignKey
ALTER TABLE "ViewerToken" ADD CONSTRAINT "ViewerToken_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

