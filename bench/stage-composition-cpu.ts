// What composing a webinar's stage costs: the recorder's FFmpeg command for a 1080p screen share
// plus three cameras (stage-composer.ts builds it from the same layout and argument code), fed at
// real time from a file holding what the SFU would send it (VP8 pictures, Opus voices), its CPU
// read from /proc over a window. The file stands in for the RTP ports: reading RTP is a small part
// of the work next to decoding four videos, scaling, drawing names, mixing and encoding 720p.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { composedHlsArgs, labelText, type ComposedTile } from '../recorder/stage-composition-args.ts';
import { stageLayout } from '../recorder/stage-layout.ts';
import { machineBusyOver, OutsideCpuMeter, processCpuMs } from './lib/media/cpu.ts';
import { round1 } from './lib/media/percentiles.ts';
import { BenchError, type BenchContext, type BenchResult } from './lib/types.ts';

export const summary =
  "CPU of FFmpeg composing a webinar's stage: a 1080p screen share plus three cameras and three voices (--seconds=30)";

const SEGMENT_SECONDS = 1;
const CORE_GOAL_PERCENT = 100;

export default async function run(ctx: BenchContext): Promise<BenchResult> {
  const seconds = ctx.flags.integer('seconds', 30, 5, 600);
  const warmupSeconds = ctx.flags.integer('warmup', 5, 0, 60);
  const dir = await ctx.tempDir('stage-composition-');
  const input = path.join(dir, 'stage.mkv');
  ctx.log('encoding the stage the SFU would send (not measured)');
  makeInput(input, seconds + warmupSeconds + 10);

  const members = ['Hana Host', 'Pat Panelist', 'Quinn Guest'].map((name, i) => ({
    peerId: `p${i}`,
    name,
    camera: true,
    screen: i === 0,
  }));
  const tiles = stageLayout({ members, mainShare: 'p0', activeSpeaker: 'p1' });
  // The input's video streams: 0 the share, 1..3 the cameras in member order.
  const composed: ComposedTile[] = tiles.map((tile, index) => {
    const labelFile = path.join(dir, `label-${index}.txt`);
    fs.writeFileSync(labelFile, labelText(tile.label));
    const member = Number(tile.peerId.slice(1));
    return { tile, videoInput: tile.content === 'screen' ? 0 : 1 + member, labelFile };
  });
  const outputDir = path.join(dir, 'out');
  fs.mkdirSync(outputDir);
  const args = composedHlsArgs({
    sdpPath: input,
    outputDir,
    run: 1,
    tiles: composed,
    audioInputs: 3,
    segmentSeconds: SEGMENT_SECONDS,
  });
  // Read the file at its own pace, as RTP would arrive.
  args.splice(args.indexOf('-i'), 0, '-re');

  const busyBefore = await machineBusyOver(3000);
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    await sleep(warmupSeconds * 1000);
    const playlist = path.join(outputDir, 'run-1.m3u8');
    if (!fs.existsSync(playlist)) throw new BenchError(`no composed playlist after the warm-up:\n${stderr}`);
    const outside = new OutsideCpuMeter();
    outside.start();
    const startCpu = processCpuMs(ffmpeg.pid);
    const startMedia = mediaSeconds(playlist);
    const startAt = performance.now();
    await sleep(seconds * 1000);
    const endCpu = processCpuMs(ffmpeg.pid);
    const endMedia = mediaSeconds(playlist);
    const wallS = (performance.now() - startAt) / 1000;
    if (startCpu === undefined || endCpu === undefined) throw new BenchError(`FFmpeg ended early:\n${stderr}`);
    const corePercent = ((endCpu - startCpu) / 1000 / wallS) * 100;
    const realTime = (endMedia - startMedia) / wallS;
    const outsidePercent = outside.percent();
    ctx.log(`composition: ${round1(corePercent)}% of a core, ${round1(realTime)} s of media per s`);
    return {
      title: "Webinar stage composition: FFmpeg's CPU",
      method:
        `Runs the recorder's composition command (recorder/stage-composition-args.ts, from the layout of ` +
        `recorder/stage-layout.ts) for a stage of three members: the host shares a 1920x1080 screen (VP8, 15 fps, FFmpeg's ` +
        `testsrc2 pattern, moving) and all three show a 640x360 camera (VP8, 30 fps, moving testsrc) and speak (Opus tones). ` +
        `The input is a file made beforehand and read with -re (real time) in place of the SDP's RTP ports. Output: one ` +
        `1280x720 30 fps picture (share large, cameras in the strip, names drawn), libx264 veryfast 2.5 Mbit/s, the three ` +
        `voices mixed to AAC, 1 s fMP4 HLS segments. After ${warmupSeconds} s of warm-up, utime+stime of the FFmpeg process ` +
        `from /proc/<pid>/stat over a ${seconds} s window.`,
      table: {
        columns: ['Stage', 'FFmpeg % of a core', 'media s composed per s', 'other work on the machine %'],
        rows: [
          [
            '1080p share + 3 cameras + 3 voices → 720p',
            round1(corePercent),
            round1(realTime),
            outsidePercent === undefined ? 'n/a' : round1(outsidePercent),
          ],
        ],
      },
      goals: [
        {
          statement: `Composition under one core (${CORE_GOAL_PERCENT}%), keeping up with real time`,
          passed: corePercent < CORE_GOAL_PERCENT && realTime > 0.9,
          measured: `${round1(corePercent)}% of a core, ${round1(realTime)} s of media per s`,
        },
      ],
      notes: [
        'Decoding the 1080p share is most of the input cost; the cameras are decoded at the size they arrive in (the ' +
          'recorder asks the SFU for their middle simulcast layer, 640x360, since a strip tile is 320x180).',
        "Test patterns compress and decode more easily than a real screen's text or a camera's noise: real stages likely cost more.",
        `The machine was ${busyBefore === undefined ? 'n/a' : `${round1(busyBefore)}%`} busy (all cores) in the 3 s before ` +
          `the run; load average at the end ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' / ')}.`,
      ],
    };
  } finally {
    ffmpeg.kill('SIGKILL');
  }
}

/** Four VP8 videos (the share, three cameras) and three Opus voices, `seconds` long. */
function makeInput(file: string, seconds: number): void {
  const lavfi = [
    'testsrc2=s=1920x1080:r=15',
    'testsrc=s=640x360:r=30',
    'testsrc=s=640x360:r=30,hue=h=120',
    'testsrc=s=640x360:r=30,hue=h=240',
    'sine=f=220:r=48000',
    'sine=f=440:r=48000',
    'sine=f=880:r=48000',
  ];
  try {
    execFileSync(
      'ffmpeg',
      [
        '-v',
        'error',
        '-y',
        ...lavfi.flatMap((source) => ['-f', 'lavfi', '-t', String(seconds), '-i', source]),
        ...lavfi.flatMap((_, index) => ['-map', String(index)]),
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '1500k',
        '-c:a',
        'libopus',
        '-b:a',
        '64k',
        file,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    throw new BenchError(`could not encode the stage's input: ${(error as { stderr?: Buffer }).stderr?.toString()}`);
  }
}

/** Seconds of media the playlist lists. */
function mediaSeconds(playlist: string): number {
  const text = fs.existsSync(playlist) ? fs.readFileSync(playlist, 'utf8') : '';
  return [...text.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
