-- CreateEnum
CREATE TYPE "ChannelMode" AS ENUM ('default', 'dj');

-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "audioKbps" INTEGER NOT NULL DEFAULT 256,
ADD COLUMN     "mode" "ChannelMode" NOT NULL DEFAULT 'default';

