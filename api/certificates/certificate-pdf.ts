// A certificate of attendance as a one-page PDF (A4 landscape), drawn with pdf-lib. Its text is
// set in DejaVu Sans, embedded (subset) from the TTFs beside this file, so every name prints
// whatever its script (Latin, Greek, Cyrillic...) and pdftotext reads it back. The channel's
// avatar heads the page when it is a PNG or JPEG; otherwise its initial in a circle does.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

const FONT_DIR = fileURLToPath(new URL('./fonts/', import.meta.url));
/** Read once: the same bytes for every certificate. */
let fonts: Promise<{ regular: Buffer; bold: Buffer }> | undefined;
function fontBytes() {
  fonts ??= Promise.all([
    fs.promises.readFile(`${FONT_DIR}DejaVuSans.ttf`),
    fs.promises.readFile(`${FONT_DIR}DejaVuSans-Bold.ttf`),
  ]).then(([regular, bold]) => ({ regular, bold }));
  return fonts;
}

export interface CertificateContent {
  attendeeName: string;
  webinarTitle: string;
  hostName: string;
  webinarDate: Date;
  attendedSeconds: number;
  liveSeconds: number;
  /** As printed (groups of three). */
  number: string;
  verifyUrl: string;
  /** The channel's avatar file, if it has one. */
  avatar?: { bytes: Uint8Array; type: 'png' | 'jpg' } | undefined;
}

const WIDTH = 842;
const HEIGHT = 595;
const INK = rgb(0.12, 0.13, 0.16);
const MUTED = rgb(0.38, 0.4, 0.45);
const ACCENT = rgb(0.42, 0.27, 0.85);

export async function certificatePdf(content: CertificateContent): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  pdf.setTitle(`Certificate of attendance: ${content.attendeeName}`);
  pdf.setSubject(content.webinarTitle);
  pdf.setCreator('AeThex Live');
  const { regular: regularBytes, bold: boldBytes } = await fontBytes();
  const regular = await pdf.embedFont(regularBytes, { subset: true });
  const bold = await pdf.embedFont(boldBytes, { subset: true });
  const page = pdf.addPage([WIDTH, HEIGHT]);

  page.drawRectangle({ x: 24, y: 24, width: WIDTH - 48, height: HEIGHT - 48, borderColor: ACCENT, borderWidth: 3 });
  page.drawRectangle({ x: 32, y: 32, width: WIDTH - 64, height: HEIGHT - 64, borderColor: ACCENT, borderWidth: 0.75 });

  await drawAvatar(pdf, page, content, bold);
  // The top of the next line: each line goes down by its own size first, so a large one never
  // climbs into the line above.
  let y = 462;
  const line = (text: string, font: PDFFont, size: number, color = INK, gap = 14) => {
    for (const part of wrap(text, font, size, WIDTH - 160)) {
      y -= size;
      centered(page, part, font, size, y, color);
      y -= 6;
    }
    y -= gap;
  };
  line('CERTIFICATE OF ATTENDANCE', bold, 26, ACCENT, 28);
  line('This certifies that', regular, 13, MUTED, 22);
  line(content.attendeeName, bold, 30, INK, 14);
  line('attended the webinar', regular, 13, MUTED, 22);
  line(content.webinarTitle, bold, 19, INK, 8);
  line(`hosted by ${content.hostName} on ${formatDate(content.webinarDate)}`, regular, 13, MUTED, 22);
  line(
    `Attended ${minutes(content.attendedSeconds)} of ${minutes(content.liveSeconds)} (${share(content)})`,
    regular,
    13,
    INK,
    0,
  );

  page.drawText(`Certificate number: ${content.number}`, { x: 56, y: 74, size: 11, font: bold, color: INK });
  page.drawText(`Verify at: ${content.verifyUrl}`, { x: 56, y: 56, size: 10, font: regular, color: MUTED });
  return pdf.save();
}

async function drawAvatar(pdf: PDFDocument, page: PDFPage, content: CertificateContent, bold: PDFFont) {
  const size = 64;
  const x = (WIDTH - size) / 2;
  const y = HEIGHT - 56 - size;
  if (content.avatar) {
    try {
      const image =
        content.avatar.type === 'png'
          ? await pdf.embedPng(content.avatar.bytes)
          : await pdf.embedJpg(content.avatar.bytes);
      page.drawImage(image, { x, y, width: size, height: size });
      return;
    } catch {
      // An image pdf-lib can't read: the initial stands in for it.
    }
  }
  page.drawCircle({ x: x + size / 2, y: y + size / 2, size: size / 2, color: ACCENT });
  const initial = [...content.hostName.trim()][0]?.toUpperCase() ?? '•';
  const width = bold.widthOfTextAtSize(initial, 30);
  page.drawText(initial, {
    x: x + (size - width) / 2,
    y: y + size / 2 - 11,
    size: 30,
    font: bold,
    color: rgb(1, 1, 1),
  });
}

function centered(page: PDFPage, text: string, font: PDFFont, size: number, y: number, color = INK) {
  const width = font.widthOfTextAtSize(text, size);
  page.drawText(text, { x: (WIDTH - width) / 2, y, size, font, color });
}

/** `text` in lines no wider than `width` (at most three; a word too long for one line is kept whole). */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = current ? `${current} ${word}` : word;
    if (current && font.widthOfTextAtSize(candidate, size) > width) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  if (current) lines.push(current);
  return lines.slice(0, 3);
}

function formatDate(date: Date): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

export function minutes(seconds: number): string {
  const whole = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (whole === 0) return `${rest} s`;
  return rest === 0 ? `${whole} min` : `${whole} min ${rest} s`;
}

function share({ attendedSeconds, liveSeconds }: CertificateContent): string {
  return liveSeconds > 0 ? `${Math.min(100, Math.round((attendedSeconds / liveSeconds) * 100))}%` : '—';
}
