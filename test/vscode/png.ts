// Just enough PNG for the screenshots: read one (8-bit RGB or RGBA, not interlaced, as Chromium
// writes them) into pixels, and write pixels back smaller than Chromium does (each row's best
// filter, deflate level 9). No pixel is changed.
import * as zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlace: number;
}

export interface Image extends Header {
  /** Bytes per pixel (3 for RGB, 4 for RGBA). */
  channels: number;
  /** Unfiltered rows, `width * channels` bytes each. */
  pixels: Buffer;
}

/** The IHDR chunk, which a PNG must start with. */
export function readHeader(png: Buffer): Header {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  if (png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('a PNG whose first chunk is not IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bitDepth: png[24], colourType: png[25], interlace: png[28] };
}

function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at);
    out.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The pixels as RGB or RGBA (an indexed PNG's through its palette). */
export function decode(png: Buffer): Image {
  const header = readHeader(png);
  const channels = header.colourType === 2 ? 3 : header.colourType === 6 ? 4 : header.colourType === 3 ? 1 : 0;
  if (header.bitDepth !== 8 || !channels || header.interlace !== 0) {
    throw new Error(`unsupported PNG (bit depth ${header.bitDepth}, colour type ${header.colourType}, interlace ${header.interlace})`);
  }
  const all = chunks(png);
  const raw = zlib.inflateSync(Buffer.concat(all.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = header.width * channels;
  if (raw.length < header.height * (stride + 1)) throw new Error('PNG image data is cut short');
  const pixels = Buffer.alloc(header.height * stride);
  for (let y = 0; y < header.height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[row + i - channels] : 0;
      const b = y ? pixels[row - stride + i] : 0;
      const c = y && i >= channels ? pixels[row - stride + i - channels] : 0;
      const x = raw[src + i];
      pixels[row + i] = (filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : x + paeth(a, b, c)) & 0xff;
    }
  }
  if (channels > 1) return { ...header, channels, pixels };
  const plte = all.find((c) => c.type === 'PLTE')?.data;
  if (!plte) throw new Error('an indexed PNG without a palette');
  const rgb = Buffer.alloc(pixels.length * 3);
  for (let i = 0; i < pixels.length; i++) plte.copy(rgb, i * 3, pixels[i] * 3, pixels[i] * 3 + 3);
  return { ...header, channels: 3, pixels: rgb };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  let c = 0xffffffff;
  for (const byte of head.subarray(4)) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((c ^ 0xffffffff) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The same pixels as a PNG: per row the filter with the smallest sum of absolute values, then deflate -9. */
export function encode(img: Pick<Image, 'width' | 'height' | 'channels' | 'pixels'>): Buffer {
  const { width, height, channels, pixels } = img;
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  const candidate = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? pixels[row + i - channels] : 0;
        const b = y ? pixels[row - stride + i] : 0;
        const c = y && i >= channels ? pixels[row - stride + i - channels] : 0;
        const x = pixels[row + i];
        const v = (f === 0 ? x : f === 1 ? x - a : f === 2 ? x - b : f === 3 ? x - ((a + b) >> 1) : x - paeth(a, b, c)) & 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        raw[y * (stride + 1)] = f;
        candidate.copy(raw, y * (stride + 1) + 1);
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9, memLevel: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** How many distinct colours, and the share of the pixels the commonest one covers. */
export function colourStats(img: Image): { distinct: number; commonestShare: number } {
  const counts = new Map<number, number>();
  const { pixels, channels } = img;
  for (let i = 0; i < pixels.length; i += channels) {
    const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let max = 0;
  for (const n of counts.values()) if (n > max) max = n;
  return { distinct: counts.size, commonestShare: max / (img.width * img.height) };
}

/**
 * The picture in at most 256 colours as an indexed PNG, about a third of Chromium's bytes. UI
 * screenshots hold a few flat colours and the anti-aliasing between them: every colour that covers
 * 0.1 % of the picture or more (backgrounds, borders, text) keeps its exact value, and the rest
 * (anti-aliased edges) are median-cut into the remaining entries, then refined by k-means; no
 * dithering. With 256 colours or fewer the picture is unchanged.
 */
export function encodeIndexed(img: Image): Buffer {
  const { width, height, channels, pixels } = img;
  const counts = new Map<number, number>();
  for (let i = 0; i < pixels.length; i += channels) {
    const key = (pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const colours = [...counts.keys()];
  let palette: number[][];
  if (colours.length <= 256) palette = colours.map(rgb);
  else {
    const byCount = [...colours].sort((a, b) => counts.get(b)! - counts.get(a)!);
    const pinned = byCount.filter((k) => counts.get(k)! >= width * height * 0.001).slice(0, 96);
    const pinnedSet = new Set(pinned);
    const rest = colours.filter((k) => !pinnedSet.has(k));
    // Square-root weights: a shade only a few pixels have still gets a colour of its own.
    const weight = (k: number) => Math.sqrt(counts.get(k)!);
    const mean = (box: number[]) => {
      const sum = [0, 0, 0];
      let n = 0;
      for (const k of box) { const w = weight(k); rgb(k).forEach((v, c) => (sum[c] += v * w)); n += w; }
      return sum.map((v) => Math.round(v / n));
    };
    // Median cut: split the box with the widest channel range at its weighted median.
    let boxes: number[][] = rest.length ? [rest] : [];
    while (boxes.length < 256 - pinned.length) {
      let pick = -1, widest = 0, along = 0;
      boxes.forEach((box, i) => {
        if (box.length < 2) return;
        const lo = [255, 255, 255], hi = [0, 0, 0];
        for (const k of box) rgb(k).forEach((v, c) => { lo[c] = Math.min(lo[c], v); hi[c] = Math.max(hi[c], v); });
        hi.forEach((h, c) => { if (h - lo[c] > widest) { widest = h - lo[c]; pick = i; along = c; } });
      });
      if (pick < 0) break;
      const box = boxes[pick].sort((a, b) => rgb(a)[along] - rgb(b)[along]);
      const half = box.reduce((n, k) => n + weight(k), 0) / 2;
      let seen = 0, cut = 1;
      for (let i = 0; i < box.length - 1; i++) {
        seen += weight(box[i]);
        if (seen >= half) { cut = i + 1; break; }
      }
      boxes = [...boxes.slice(0, pick), box.slice(0, cut), box.slice(cut), ...boxes.slice(pick + 1)];
    }
    const fixed = pinned.map(rgb);
    let free = boxes.map(mean);
    // k-means passes over the other colours; the pinned entries stay where they are.
    for (let pass = 0; pass < 3; pass++) {
      const groups: number[][] = free.map(() => []);
      const all = [...fixed, ...free];
      for (const k of rest) {
        const i = nearest(all, rgb(k));
        if (i >= fixed.length) groups[i - fixed.length].push(k);
      }
      free = groups.map((g, i) => (g.length ? mean(g) : free[i]));
    }
    palette = [...fixed, ...free];
  }
  const index = new Map<number, number>();
  for (const k of colours) index.set(k, nearest(palette, rgb(k)));
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      raw[y * (width + 1) + 1 + x] = index.get((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2])!;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 3;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('PLTE', Buffer.from(palette.flat())),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9, memLevel: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function rgb(k: number): number[] {
  return [(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff];
}

function nearest(palette: number[][], [r, g, b]: number[]): number {
  let best = 0, bestDistance = Infinity;
  for (let i = 0; i < palette.length; i++) {
    const [pr, pg, pb] = palette[i];
    const d = (r - pr) * (r - pr) * 3 + (g - pg) * (g - pg) * 4 + (b - pb) * (b - pb) * 2;
    if (d < bestDistance) { bestDistance = d; best = i; }
  }
  return best;
}
