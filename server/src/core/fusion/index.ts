/**
 * Fusion of binary masks and the maps that explain it. Pure functions over Uint8Array masks (0/1,
 * any non-zero byte is foreground; x fastest, then y, then z; all of one image's masks the same
 * length). Conventions: RESULTS.md "Fusion conventions".
 */
export { fuseUnion, fuseIntersection, fuseMajority } from './voting';
export { fuseStaple, STAPLE_DEFAULTS } from './staple';
export type { StapleOptions, StapleResult } from './staple';
export { errorMap, errorMapRgba, countErrorLabels, ERROR_LABEL, ERROR_COLOURS, ERROR_PALETTE } from './errorMap';
export type { ErrorLabel } from './errorMap';
export { fusionChanges, CHANGE_LABEL } from './changes';
export type { FusionChanges } from './changes';
export { bestOf, chooseFusionOnValidation } from './best';
export type { DiceCandidate, ValidationChoice } from './best';
export { fusionMembers, unmatchedFusionEntries, familyPairs } from './members';
export type { FusionModel, FusionPair } from './members';
