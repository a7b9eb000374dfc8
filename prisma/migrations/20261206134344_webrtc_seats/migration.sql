-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "webrtcSeats" INTEGER;

