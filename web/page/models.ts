/**
 * The threshold each collateral model's ratio is read against. Ratios of
 * different models mean different things (docs/methodology.md, "Collateral
 * models"), so the page never draws one line for all of them.
 */
export type CollateralModel = 'SHARED_POOL' | 'MARKET_POOL' | 'TRADER_MARGIN' | 'OVERCOLLATERALIZED_LENDING';

export interface ModelThreshold {
  /** The ratio below which the model's backing no longer covers its obligations; null when none applies. */
  threshold: number | null;
  /** Short name shown beside the figures. */
  name: string;
  /** What the threshold means for this model, or why there is none. */
  meaning: string;
}

export const MODEL_THRESHOLDS: Record<CollateralModel, ModelThreshold> = {
  SHARED_POOL: {
    threshold: 1,
    name: 'shared pool',
    meaning: '1.0×: the pool equals the notional of every open position; below it the pool cannot pay out what GMX v1 reserves for profits (its Vault keeps reservedAmounts at most poolAmounts)',
  },
  MARKET_POOL: {
    threshold: 1,
    name: 'market pool',
    meaning: "1.0×: each market's pool equals its open notional",
  },
  OVERCOLLATERALIZED_LENDING: {
    threshold: 1,
    name: 'over-collateralised lending',
    meaning: '1.0×: collateral equals debt; below it the venue holds bad debt (borrowers are liquidated well above it, at a health factor of 1)',
  },
  TRADER_MARGIN: {
    threshold: null,
    name: 'trader margin',
    meaning: "no threshold: the ratio is traders' margin over notional (1 / leverage); the debt pool that backs it is not indexed, so no ratio marks insolvency",
  },
};

export function thresholdOf(models: { model: string }[]): ModelThreshold | null {
  const distinct = [...new Set(models.map((m) => m.model))];
  if (distinct.length !== 1) return null;
  return MODEL_THRESHOLDS[distinct[0] as CollateralModel] ?? null;
}
