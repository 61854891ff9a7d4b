/** Writes the 2D demo images and masks with sharp, creating folders as needed. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';

async function ensureFolder(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
}

export async function writeRgbJpeg(path: string, rgb: Uint8Array, width: number, height: number, quality: number): Promise<void> {
  await ensureFolder(path);
  await sharp(rgb, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toFile(path);
}

export async function writeRgbPng(path: string, rgb: Uint8Array, width: number, height: number): Promise<void> {
  await ensureFolder(path);
  await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** A 0/1 mask written as an 8-bit, one-channel 0/255 PNG (the ISIC convention). */
export async function writeMaskPng(path: string, mask: Uint8Array, width: number, height: number): Promise<void> {
  await ensureFolder(path);
  const bytes = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) bytes[i] = mask[i] ? 255 : 0;
  // Without 'b-w' sharp writes a one-channel buffer as a three-channel sRGB PNG.
  await sharp(bytes, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(path);
}
