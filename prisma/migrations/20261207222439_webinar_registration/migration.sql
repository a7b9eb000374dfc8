-- CreateEnum
CREATE TYPE "WebinarRegistrationStatus" AS ENUM ('pending', 'approved', 'declined', 'cancelled');

-- AlterEnum
ALTER TYPE "NotificationKind" ADD VALUE 'webinar_reminder';

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "webinarId" UUID;

-- AlterTable
ALTER TABLE "Webinar" ADD COLUMN     "registrationApproval" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "registrationCapacity" INTEGER,
ADD COLUMN     "registrationQuestions" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "reminderSentAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "WebinarRegistration" (
    "id" UUID NOT NULL,
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "status" "WebinarRegistrationStatus" NOT NULL,
    "answers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "joinToken" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebinarRegistration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebinarRegistration_joinToken_key" ON "WebinarRegistration"("joinToken");

-- CreateIndex
CREATE INDEX "WebinarRegistration_webinarId_status_idx" ON "WebinarRegistration"("webinarId", "status");

-- CreateIndex
CREATE INDEX "WebinarRegistration_userId_idx" ON "WebinarRegistration"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "WebinarRegistration_webinarId_userId_key" ON "WebinarRegistration"("webinarId", "userId");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarRegistration" ADD CONSTRAINT "WebinarRegistration_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarRegistration" ADD CONSTRAINT "WebinarRegistration_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

