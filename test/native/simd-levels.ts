// The SIMD levels a test can run the native addon at on this CPU: its best (backendInfo's simd) and
// every lower one NABLA_SIMD can choose (scalar everywhere), best first.
export const simdLevelsFrom = (best: string): string[] =>
  best === 'avx512' ? ['avx512', 'avx2', 'scalar'] : best === 'avx2' ? ['avx2', 'scalar'] : best === 'scalar' ? ['scalar'] : [best, 'scalar'];
