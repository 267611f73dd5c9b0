#!/usr/bin/env node
// The extension's icon (media/icon.png), drawn here so that no downloaded asset or font is needed:
// a navy rounded square and a person (head and shoulders) under a gold halo ring. Shapes are signed distance functions, 4 × 4 samples a
// pixel for smooth edges; the PNG is written with node:zlib.
//   node scripts/make-icon.mjs [out.png] [size]      (default media/icon.png, 256)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = process.argv[2] ?? fileURLToPath(new URL('../media/icon.png', import.meta.url));
const SIZE = Number(process.argv[3] ?? 256);
const SS = 4;

// Shapes on a 0..1 square, y down. Each returns a signed distance (< 0 inside).
const roundedBox = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
// An ellipse's distance, approximated by scaling (good enough for a ring this thin and flat).
const ellipse = (cx, cy, rx, ry) => (x, y) => {
  const k = Math.hypot((x - cx) / rx, (y - cy) / ry);
  return (k - 1) * Math.min(rx, ry);
};
const ring = (shape, width) => (x, y) => Math.abs(shape(x, y)) - width / 2;
const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)));
const minus = (a, b) => (x, y) => Math.max(a(x, y), -b(x, y));

const NAVY_TOP = [0x12, 0x2f, 0x55];
const NAVY_BOTTOM = [0x0b, 0x1d, 0x36];
const GOLD = [0xf5, 0xb9, 0x42];
const WHITE = [0xf4, 0xf7, 0xfb];

const background = roundedBox(0.5, 0.5, 0.47, 0.47, 0.16);
const halo = ring(ellipse(0.5, 0.21, 0.21, 0.07), 0.042);
const head = circle(0.5, 0.43, 0.135);
// Shoulders: a wide rounded shape cut off by the square's lower edge, with a gap under the head.
const shoulders = minus(roundedBox(0.5, 0.88, 0.3, 0.26, 0.22), circle(0.5, 0.43, 0.17));
const person = union(head, shoulders);

function colourAt(x, y) {
  if (background(x, y) > 0) return null;
  if (halo(x, y) <= 0) return GOLD;
  if (person(x, y) <= 0) return WHITE;
  const t = y;
  return NAVY_TOP.map((c, i) => Math.round(c + (NAVY_BOTTOM[i] - c) * t));
}

const rgba = Buffer.alloc(SIZE * SIZE * 4);
for (let py = 0; py < SIZE; py++) {
  for (let px = 0; px < SIZE; px++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = colourAt((px + (sx + 0.5) / SS) / SIZE, (py + (sy + 0.5) / SS) / SIZE);
        if (!c) continue;
        r += c[0]; g += c[1]; b += c[2]; a++;
      }
    }
    const o = (py * SIZE + px) * 4;
    // Straight (not premultiplied) alpha: the mean colour of the covered samples.
    if (a) { rgba[o] = Math.round(r / a); rgba[o + 1] = Math.round(g / a); rgba[o + 2] = Math.round(b / a); }
    rgba[o + 3] = Math.round((a / (SS * SS)) * 255);
  }
}

// PNG: signature, IHDR (8-bit RGBA), one IDAT of filter-0 scanlines, IEND.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) rgba.copy(raw, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(out, png);
console.log(`${out}: ${SIZE} × ${SIZE}, ${png.length} bytes`);
