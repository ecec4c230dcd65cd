// The demo's work: one tile of a Mandelbrot image, then many rounds of
// sha256 over its pixels. A plain module: the main thread imports it for the
// sequential run, and `tasks(new URL("./work.mjs", import.meta.url))` runs the
// same export on parallel-threads' worker threads (each imports it once).
import { createHash } from "node:crypto";

/** The whole picture: a view of the Mandelbrot set cut into tiles. */
export const IMAGE = Object.freeze({
  width: 1152,
  height: 864,
  tileWidth: 144, // 8 columns
  tileHeight: 144, // 6 rows -> 48 tiles
  centerX: -0.745, // Seahorse Valley
  centerY: 0.113,
  scale: 0.05 / 864, // complex-plane units per pixel
  maxIterations: 2000,
  hashRounds: 400,
});

/** The tiles to render, in row-major order: deterministic, no randomness. */
export function makeTiles(image = IMAGE) {
  const tiles = [];
  for (let y = 0; y < image.height; y += image.tileHeight) {
    for (let x = 0; x < image.width; x += image.tileWidth) {
      tiles.push({ index: tiles.length, x, y, width: image.tileWidth, height: image.tileHeight });
    }
  }
  return tiles;
}

/**
 * Renders one tile (escape-time iteration, one grey level per pixel) and
 * hashes its pixels `hashRounds` times. CPU-bound from start to finish.
 */
export function renderTile(tile, image = IMAGE) {
  const { width, height } = tile;
  const pixels = new Uint8Array(width * height);
  const { centerX, centerY, scale, maxIterations } = image;
  const left = centerX - (image.width / 2) * scale;
  const top = centerY + (image.height / 2) * scale;
  const logMax = Math.log(maxIterations + 1);
  for (let py = 0; py < height; py++) {
    const ci = top - (tile.y + py) * scale;
    for (let px = 0; px < width; px++) {
      const cr = left + (tile.x + px) * scale;
      let zr = 0;
      let zi = 0;
      let n = 0;
      while (n < maxIterations) {
        const zr2 = zr * zr;
        const zi2 = zi * zi;
        if (zr2 + zi2 > 4) break;
        zi = 2 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        n++;
      }
      // Inside the set: black; outside: grey bands by escape time.
      pixels[py * width + px] =
        n === maxIterations ? 0 : Math.round(140 + 115 * Math.cos(((6 * Math.log(n + 1)) / logMax) * Math.PI));
    }
  }
  let digest = createHash("sha256").update(pixels).digest();
  for (let round = 1; round < image.hashRounds; round++)
    digest = createHash("sha256").update(digest).update(pixels).digest();
  return { index: tile.index, pixels, digest: digest.toString("hex") };
}
