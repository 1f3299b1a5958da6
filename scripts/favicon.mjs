// Draws the MechaFil icon (a rising forecast line on a Filecoin-blue disc, 32×32) and writes it as
// workers/api/public/favicon.ico: one PNG inside an ICO container, which every browser and favicon
// fetcher reads. The API worker serves it as a static asset; the MCP worker imports the same file
// (a Data module, wrangler.mcp.toml), so there is one icon. Run `node scripts/favicon.mjs` after a change.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const SIZE = 32;
const SS = 4; // samples per pixel side, for smooth edges
const BLUE = [0x00, 0x90, 0xff];
const WHITE = [0xff, 0xff, 0xff];
// The forecast line, in pixel coordinates: history, then a rising forecast.
const LINE = [[7, 21], [12, 17], [16, 19], [25, 9]];
const HALF_WIDTH = 1.6;

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function pixel(x, y) {
  let disc = 0, line = 0;
  for (let i = 0; i < SS; i++) for (let j = 0; j < SS; j++) {
    const px = x + (i + 0.5) / SS, py = y + (j + 0.5) / SS;
    if (Math.hypot(px - SIZE / 2, py - SIZE / 2) <= SIZE / 2 - 0.5) disc++;
    if (LINE.slice(1).some((b, k) => distToSegment(px, py, LINE[k], b) <= HALF_WIDTH)) line++;
  }
  const a = disc / (SS * SS), l = line / (SS * SS);
  const rgb = BLUE.map((c, k) => Math.round(c * (1 - l) + WHITE[k] * l));
  return [...rgb, Math.round(255 * a)];
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (const b of buf) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function iconPng() {
  const raw = Buffer.alloc(SIZE * (1 + SIZE * 4));
  for (let y = 0; y < SIZE; y++) {
    raw[y * (1 + SIZE * 4)] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(raw, y * (1 + SIZE * 4) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw, { level: 9 })), chunk("IEND", Buffer.alloc(0))]);
}

export function iconIco() {
  const png = iconPng();
  const head = Buffer.alloc(22);
  head.writeUInt16LE(0, 0); // reserved
  head.writeUInt16LE(1, 2); // icon
  head.writeUInt16LE(1, 4); // one image
  head.set([SIZE, SIZE, 0, 0], 6); // width, height, colours, reserved
  head.writeUInt16LE(1, 10); // planes
  head.writeUInt16LE(32, 12); // bits per pixel
  head.writeUInt32LE(png.length, 14);
  head.writeUInt32LE(22, 18); // offset of the image
  return Buffer.concat([head, png]);
}

export const ICON_PATH = join(dirname(fileURLToPath(import.meta.url)), "..", "workers", "api", "public", "favicon.ico");

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ico = iconIco();
  writeFileSync(ICON_PATH, ico);
  console.log(`wrote ${ICON_PATH} (${ico.length} bytes)`);
}
