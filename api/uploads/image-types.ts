// Which images we accept, told by their first bytes: the client's Content-Type and file name are
// whatever the client says, so they decide nothing. SVG is never among them: it is a document
// that can carry script, not an image we can serve as inert bytes.

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

export const IMAGE_TYPES: readonly ImageType[] = ['png', 'jpeg', 'gif', 'webp'];

/** The extension a stored file gets; the static file server derives its Content-Type from it. */
export const EXTENSION: Record<ImageType, string> = { png: 'png', jpeg: 'jpg', gif: 'gif', webp: 'webp' };

export const MIME_TYPE: Record<ImageType, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((byte, i) => bytes[offset + i] === byte);
}

/** The image type the bytes start with, or undefined when they are not one we accept. */
export function detectImageType(head: Uint8Array): ImageType | undefined {
  if (startsWith(head, PNG)) return 'png';
  if (startsWith(head, JPEG)) return 'jpeg';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  // RIFF <4-byte size> WEBP
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  return undefined;
}
