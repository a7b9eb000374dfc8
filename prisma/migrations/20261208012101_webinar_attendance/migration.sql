-- CreateEnum
CREATE TYPE "WebinarAttendanceVia" AS ENUM ('webrtc', 'hls', 'stage');

-- CreateTable
CREATE TABLE "WebinarAttendance" (
    "id" UUID NOT NULL,
    "webinarId" UUID NOT NULL,
    "userId" UUID,
    "viewer" TEXT NOT NULL,
    "via" "WebinarAttendanceVia" NOT NULL,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "leftAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebinarAttendance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebinarCertificatePolicy" (
    "webinarId" UUID NOT NULL,
    "thresholdPercent" INTEGER NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WebinarCertificatePolicy_pkey" PRIMARY KEY ("webinarId")
);

-- CreateTable
CREATE TABLE "WebinarCertificate" (
    "number" TEXT NOT NULL,
    "webinarId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "attendeeName" TEXT NOT NULL,
    "webinarTitle" TEXT NOT NULL,
    "hostName" TEXT NOT NULL,
    "webinarStartedAt" TIMESTAMPTZ(3) NOT NULL,
    "liveSeconds" INTEGER NOT NULL,
    "attendedSeconds" INTEGER NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "WebinarCertificate_pkey" PRIMARY KEY ("number")
);

-- CreateIndex
CREATE INDEX "WebinarAttendance_webinarId_viewer_idx" ON "WebinarAttendance"("webinarId", "viewer");

-- CreateIndex
CREATE INDEX "WebinarAttendance_webinarId_leftAt_idx" ON "WebinarAttendance"("webinarId", "leftAt");

-- CreateIndex
CREATE INDEX "WebinarAttendance_userId_idx" ON "WebinarAttendance"("userId");

-- CreateIndex
CREATE INDEX "WebinarCertificate_userId_idx" ON "WebinarCertificate"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "WebinarCertificate_webinarId_userId_key" ON "WebinarCertificate"("webinarId", "userId");

-- AddForeignKey
ALTER TABLE "WebinarAttendance" ADD CONSTRAINT "WebinarAttendance_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarAttendance" ADD CONSTRAINT "WebinarAttendance_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarCertificatePolicy" ADD CONSTRAINT "WebinarCertificatePolicy_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarCertificate" ADD CONSTRAINT "WebinarCertificate_webinarId_fkey" FOREIGN KEY ("webinarId") REFERENCES "Webinar"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebinarCertificate" ADD CONSTRAINT "WebinarCertificate_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

