/** Image file extensions the engine reads, longest first so `.nii.gz` wins over `.gz`. */
export const IMAGE_EXTENSIONS = ['.nii.gz', '.nii', '.png', '.jpg', '.jpeg', '.tif', '.tiff'] as const;

/** The image extension of a file name (lower-cased), or undefined when it is not an image we read. */
export function imageExtension(fileName: string): string | undefined {
  const lower = fileName.toLowerCase();
  return IMAGE_EXTENSIONS.find((ext) => lower.endsWith(ext));
}

/** `colin.nii.gz` → `colin`, `ISIC_0000000.jpg` → `ISIC_0000000`; other names unchanged. */
export function stripImageExtension(fileName: string): string {
  const ext = imageExtension(fileName);
  return ext ? fileName.slice(0, fileName.length - ext.length) : fileName;
}

export function isNiftiPath(fileName: string): boolean {
  const ext = imageExtension(fileName);
  return ext === '.nii' || ext === '.nii.gz';
}
