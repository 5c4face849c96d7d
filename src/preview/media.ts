import { crc32, deflateSync } from 'node:zlib';

/**
 * Sample media for previews, made here so a preview needs no network and looks the same on
 * every run: an image with a few shapes (so image tools have something to sit on) and a short
 * tone for audio players.
 */

/** An RGB image as a PNG file. `pixel(x, y)` gives [r, g, b]. */
export function encodePng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number],
): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw.writeUInt8(r, row + 1 + x * 3);
      raw.writeUInt8(g, row + 2 + x * 3);
      raw.writeUInt8(b, row + 3 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let sampleImage: Buffer | undefined;

/** 640×400: a sky-to-ground gradient with a sun and two boxes. */
export function sampleImagePng(): Buffer {
  sampleImage ??= encodePng(640, 400, (x, y) => {
    if ((x - 500) ** 2 + (y - 90) ** 2 < 45 ** 2) return [250, 204, 21];
    if (x > 80 && x < 240 && y > 210 && y < 330) return [220, 38, 38];
    if (x > 300 && x < 420 && y > 240 && y < 360) return [37, 99, 235];
    return y < 240 ? [186 - (y >> 3), 220 - (y >> 4), 250] : [134, 180 - ((y - 240) >> 2), 90];
  });
  return sampleImage;
}

/** One second of a 440 Hz tone fading in and out, 16-bit mono PCM at 8 kHz, as WAV. */
export function sampleAudioWav(): Buffer {
  const rate = 8000;
  const samples = rate;
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(1, 22); // mono
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    const envelope = Math.sin((Math.PI * i) / samples);
    out.writeInt16LE(Math.round(12000 * envelope * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  }
  return out;
}
