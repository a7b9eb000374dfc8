-- CreateEnum
CREATE TYPE "WebinarQuestionState" AS ENUM ('pending', 'approved', 'answered', 'dismissed');

-- CreateTable
CREATE TABLE "WebinarQa" (
    "webinarId" UUID NOT NULL,
    "moderated" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebinarQa_pkey" PRIMARY KEY ("webinarId")
);

-- CreateTable
CREATE TABLE "WebinarQuestion" (
    "id" UUID NOT NULL,
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "state" "WebinarQuestionState" NOT NULL,
    "answer" TEXT,
    "answeredAt" TIMESTAMPTZ(3),
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebinarQuestion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebinarQuestionVote" (
    "questionId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebinarQuestionVote_pkey" PRIMARY KEY ("questionId","userId")
);

-- CreateIndex
CREATE INDEX "WebinarQuestion_webinarId_createdAt_idx" ON "WebinarQuestion"("webinarId", "createdAt");

-- CreateIndex
CREATE INDEX "WebinarQuestion_userId_idx" ON "WebinarQuestion"("userId");

-- CreateIndex
CREATE INDEX "WebinarQuestionVote_userId_idx" ON "WebinarQuestionVote"("userId");

-- AddForeignKey
ALTER TABLE "WebinarQa" ADD CONSTRAINT "WebinarQa_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarQuestion" ADD CONSTRAINT "WebinarQuestion_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarQuestion" ADD CONSTRAINT "WebinarQuestion_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarQuestionVote" ADD CONSTRAINT "WebinarQuestionVote_questionId_fkey" FOREIGN KEY ("questionId") REFERENCES "WebinarQuestion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarQuestionVote" ADD CONSTRAINT "WebinarQuestionVote_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

