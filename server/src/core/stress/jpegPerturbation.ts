/**
 * JPEG compression round trip with sharp (libjpeg), slice by slice. JPEG holds 8-bit grey or RGB
 * only: other sample types are mapped linearly from their range to 0…255 and back, so a 16-bit or
 * HU image also loses its fine intensity steps, as it would when saved as JPEG. An alpha channel is
 * kept as it was.
 */
import sharp from 'sharp';
import { configureSharp, type ImageVolume, type PixelArray } from '../io';
import { colourChannels, intensityRange } from './intensityPerturbations';

/** One 8-bit plane of `channels` (1 or 3) interleaved samples through JPEG at `quality`. */
async function jpegPlane(plane: Uint8Array, width: number, height: number, channels: 1 | 3, quality: number): Promise<Uint8Array> {
  let encoder = sharp(plane, { raw: { width, height, channels } });
  if (channels === 1) encoder = encoder.toColourspace('b-w');
  const jpeg = await encoder.jpeg({ quality }).toBuffer();
  let decoder = sharp(jpeg);
  if (channels === 1) decoder = decoder.toColourspace('b-w');
  const { data, info } = await decoder.raw().toBuffer({ resolveWithObject: true });
  if (info.channels === channels) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) for (let ch = 0; ch < channels; ch++) out[p * channels + ch] = data[p * info.channels + Math.min(ch, info.channels - 1)];
  return out;
}

export async function jpegRoundTrip(v: ImageVolume, quality: number): Promise<ImageVolume> {
  configureSharp();
  const { width: w, height: h, depth, channels: c } = v;
  const range = intensityRange(v);
  const span = range.hi - range.lo || 1;
  const toByte = (x: number) => Math.max(0, Math.min(255, Math.round(((x - range.lo) / span) * 255)));
  const fromByte = (b: number) => {
    const x = range.lo + (b / 255) * span;
    return range.integer ? Math.round(x) : x;
  };
  const cc = colourChannels(c);
  // RGB goes through JPEG together (chroma subsampling is part of the damage); any other count of
  // colour channels goes one grey plane at a time.
  const groups: { first: number; count: 1 | 3 }[] = cc === 3 ? [{ first: 0, count: 3 }] : Array.from({ length: cc }, (_, i) => ({ first: i, count: 1 as const }));
  const out = new (v.data.constructor as new (n: number) => PixelArray)(v.data.length);
  out.set(v.data);
  const plane = w * h;
  for (let z = 0; z < depth; z++)
    for (const g of groups) {
      const bytes = new Uint8Array(plane * g.count);
      for (let p = 0; p < plane; p++) for (let k = 0; k < g.count; k++) bytes[p * g.count + k] = toByte(v.data[(z * plane + p) * c + g.first + k]);
      const back = await jpegPlane(bytes, w, h, g.count, quality);
      for (let p = 0; p < plane; p++) for (let k = 0; k < g.count; k++) out[(z * plane + p) * c + g.first + k] = fromByte(back[p * g.count + k]);
    }
  return { ...v, data: out };
}
