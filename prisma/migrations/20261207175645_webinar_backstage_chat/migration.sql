-- CreateTable
CREATE TABLE "WebinarBackstageMessage" (
    "id" UUID NOT NULL,
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebinarBackstageMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebinarBackstageMessage_webinarId_createdAt_idx" ON "WebinarBackstageMessage"("webinarId", "createdAt");

-- AddForeignKey
ALTER TABLE "WebinarBackstageMessage" ADD CONSTRAINT "WebinarBackstageMessage_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarBackstageMessage" ADD CONSTRAINT "WebinarBackstageMessage_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

