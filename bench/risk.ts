/**
 * npm run bench:risk
 *
 * The liquidation cascade on 100k and 1M positions across 10 assets, and Monte
 * Carlo VaR/LaR with 10k paths over 100k and 1M positions. Prints absolute times
 * and the 10x-positions ratio of each (target: at most about 12x).
 */
import { cpus, totalmem } from 'node:os';
import { Decimal } from '../server/numeric/decimal';
import { compilePortfolio, monteCarloRisk, stressTest, type AssetParams, type Portfolio, type Position } from '../server/risk';

const ASSETS = ['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9'];
const PRICE = Decimal.fromBigInt(100n); // every asset at 100 USD

/** A deterministic generator, so every run sees the same portfolio. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 90% perps (a third pool-backed), 8% single-collateral borrowers, 2% borrowers with two volatile collaterals. */
function portfolio(n: number): Portfolio {
  const rand = rng(7);
  const assets: Record<string, AssetParams> = { USDC: { price: Decimal.ONE, stable: true } };
  // Depth scales with the book so that the cascade has the same shape at every size.
  for (const a of ASSETS) assets[a] = { price: PRICE, depthUsd: Decimal.fromBigInt(BigInt(n) * 200n) };
  const positions: Position[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    const asset = ASSETS[i % 10]!;
    if (r < 0.9) {
      const size = BigInt(1_000 + Math.floor(rand() * 100_000));
      const leverage = 1 + Math.floor(rand() * 40);
      positions.push({
        kind: 'perp',
        venue: { protocol: r < 0.3 ? 'gmx-v1' : 'dydx', network: i % 3 === 0 ? 'arbitrum-one' : 'ethereum' },
        account: `p${i}`,
        asset,
        side: rand() < 0.6 ? 'long' : 'short',
        sizeUsd: Decimal.fromBigInt(size),
        collateralUsd: Decimal.fromBigInt((size * 1_000_000n) / BigInt(leverage), 6),
        entryPrice: PRICE,
        maintenanceMarginRate: 0.01,
      });
    } else {
      const value = BigInt(1_000 + Math.floor(rand() * 100_000));
      const two = r > 0.98;
      positions.push({
        kind: 'lending',
        venue: { protocol: 'aave-v3', network: 'ethereum' },
        account: `l${i}`,
        collateral: [
          { asset, valueUsd: Decimal.fromBigInt(value), liquidationThreshold: 0.825, liquidationBonus: 0.05 },
          ...(two ? [{ asset: ASSETS[(i + 3) % 10]!, valueUsd: Decimal.fromBigInt(value * 5n, 1), liquidationThreshold: 0.8, liquidationBonus: 0.05 }] : []),
        ],
        debt: [{ asset: 'USDC', valueUsd: Decimal.fromBigInt(value * BigInt(40 + Math.floor(rand() * 40)), 2) }],
      });
    }
  }
  return { assets, positions };
}

function time<T>(run: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

const volatility = Object.fromEntries(ASSETS.map((a, i) => [a, 0.5 + 0.05 * i]));
const correlation = { assets: ASSETS, matrix: ASSETS.map((_, i) => ASSETS.map((__, j) => (i === j ? 1 : 0.6))) };

function main(): void {
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  const sizes = [100_000, 1_000_000];
  const cascade: number[] = [];
  const mc: number[] = [];
  for (const n of sizes) {
    const p = portfolio(n);
    const compiled = time(() => compilePortfolio(p));
    const stress = time(() => stressTest(compiled.value, { marketWide: -0.15 }));
    cascade.push(stress.ms);
    console.log(
      `cascade   n=${n.toLocaleString('en')}: compile ${compiled.ms.toFixed(0)} ms, stress ${stress.ms.toFixed(0)} ms, ` +
        `${stress.value.rounds} rounds, ${stress.value.total.liquidatedPositions.toLocaleString('en')} liquidated, ` +
        `ETH-like move ${(stress.value.finalMoves.A0! * 100).toFixed(2)}%`,
    );
    const paths = 10_000;
    const risk = time(() => monteCarloRisk(compiled.value, { volatility, correlation, paths, seed: 1 }));
    mc.push(risk.ms);
    console.log(
      `monte carlo n=${n.toLocaleString('en')}, ${paths.toLocaleString('en')} paths: ${risk.ms.toFixed(0)} ms; ` +
        `VaR95 ${risk.value.total.var95.value.toExponential(3)} USD, VaR99 ${risk.value.total.var99.value.toExponential(3)} USD, LaR95 ${risk.value.total.lar95.value.toExponential(3)} USD`,
    );
  }
  console.log(`ratio 1M / 100k: cascade ${(cascade[1]! / cascade[0]!).toFixed(2)}x, monte carlo ${(mc[1]! / mc[0]!).toFixed(2)}x (target <= ~12x for 10x positions)`);
}

main();
