-- AlterTable
ALTER TABLE "Webinar" ADD COLUMN     "handRaising" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "WebinarHand" (
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "raisedAt" TIMESTAMPTZ(3),
    "invitedAt" TIMESTAMPTZ(3),
    "invitationExpiresAt" TIMESTAMPTZ(3),
    "guest" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebinarHand_pkey" PRIMARY KEY ("webinarId","userId")
);

-- CreateIndex
CREATE INDEX "WebinarHand_webinarId_raisedAt_idx" ON "WebinarHand"("webinarId", "raisedAt");

-- CreateIndex
CREATE INDEX "WebinarHand_userId_idx" ON "WebinarHand"("userId");

-- AddForeignKey
ALTER TABLE "WebinarHand" ADD CONSTRAINT "WebinarHand_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarHand" ADD CONSTRAINT "WebinarHand_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

