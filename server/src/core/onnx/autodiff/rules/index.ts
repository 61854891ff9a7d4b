import type { GradientRule } from '../types';
import { arithmeticRules } from './arithmetic';
import { convolutionRules } from './convolution';
import { elementwiseRules } from './elementwise';
import { layoutRules } from './layout';
import { matmulRules } from './matmul';
import { normalizationRules } from './normalization';
import { poolingRules } from './pooling';
import { reductionRules } from './reduction';
import { resizeRules } from './resize';

const rules: Record<string, GradientRule> = {
  ...elementwiseRules,
  ...arithmeticRules,
  ...convolutionRules,
  ...poolingRules,
  ...normalizationRules,
  ...layoutRules,
  ...resizeRules,
  ...reductionRules,
  ...matmulRules,
};

export function hasRule(op: string): boolean {
  return Object.prototype.hasOwnProperty.call(rules, op);
}

export function ruleFor(op: string): GradientRule | undefined {
  return hasRule(op) ? rules[op] : undefined;
}
