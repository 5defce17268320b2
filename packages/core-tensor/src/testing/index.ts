export { expectClose, AssertionMismatchError, type CloseOptions } from './expect-close.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { backendConformance, type ConformanceCase, type KernelFamily } from './conformance/index.js';
