/** The risk engine: pure functions over positions; no I/O. */
export * from './types';
export * from './errors';
export { compilePortfolio, type CompiledPortfolio } from './portfolio';
export * from './solvency';
export * from './assets';
export * from './liquidation-curve';
export * from './insolvency';
export * from './price-impact';
export * from './stress';
export * from '../numeric/random';
export * from './linalg';
export * from './statistics';
export * from './monte-carlo';
export * from './contagion';
export * from './clearing';
export * from './forecast';
export * from './wire';
export * from './backtest';
