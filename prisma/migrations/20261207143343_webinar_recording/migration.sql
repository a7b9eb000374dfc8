-- AlterTable
ALTER TABLE "Webinar" ADD COLUMN     "streamId" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "Webinar_streamId_key" ON "Webinar"("streamId");

