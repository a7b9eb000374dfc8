-- CreateEnum
CREATE TYPE "WebinarMemberRole" AS ENUM ('cohost', 'panelist');

-- CreateTable
CREATE TABLE "WebinarMember" (
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "WebinarMemberRole" NOT NULL,
    "onStage" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebinarMember_pkey" PRIMARY KEY ("webinarId","userId")
);

-- CreateIndex
CREATE INDEX "WebinarMember_userId_idx" ON "WebinarMember"("userId");

-- AddForeignKey
ALTER TABLE "WebinarMember" ADD CONSTRAINT "WebinarMember_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarMember" ADD CONSTRAINT "WebinarMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

