export { generateSplits, generateBestSplits, splitQuality, type SplitOptions } from './generate';
