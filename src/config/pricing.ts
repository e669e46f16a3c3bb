import path from 'node:path';
import { packagePath } from '../install/package-root.js';
import { MODELS } from '../domain/models.js';
import { imageRate, type Pricing } from '../domain/price-table.js';
import { PriceTableSchema } from '../domain/price-table-schema.js';
import type { ValidationIssue } from '../domain/validation-issue.js';
import { locateIssues, readChecked } from '../project/read-checked.js';

/** The price table shipped with Recoil; RECOIL_PRICES points at another. */
const DEFAULT_PRICE_TABLE = packagePath('config', 'prices.json');

export type PricingResult = { ok: true; pricing: Pricing } | { ok: false; issues: ValidationIssue[] };

/** The Gemini model that draws grids: RECOIL_GEMINI_MODEL, or the model registry's default (src/domain/models.ts). */
function gridModelFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.RECOIL_GEMINI_MODEL?.trim() || MODELS['gemini-grid'].endpoint;
}

/**
 * Reads and checks the price table, and that it prices the grid model in use. Both the CLI
 * (estimates, budgets) and the worker (actual costs) read it, so a bad table stops either before
 * anything is spent.
 */
export async function loadPricing(env: NodeJS.ProcessEnv = process.env): Promise<PricingResult> {
  const shown = priceTablePath(env);
  const checked = await readChecked(process.cwd(), shown, PriceTableSchema, `restore ${shown}, or unset RECOIL_PRICES to use ${displayPath(DEFAULT_PRICE_TABLE)}`);
  if (!checked.value) return { ok: false, issues: checked.issues };
  const gridModel = gridModelFromEnv(env);
  const gridRate = imageRate(checked.value, gridModel);
  if (!gridRate) {
    const priced = Object.keys(checked.value.gemini_image_models);
    return {
      ok: false,
      issues: locateIssues([
        {
          file: shown,
          path: 'gemini_image_models',
          message: `no price for the grid model "${gridModel}"${env.RECOIL_GEMINI_MODEL ? ' (RECOIL_GEMINI_MODEL)' : ''}`,
          hint: `add a row for it, or set RECOIL_GEMINI_MODEL to one of: ${priced.join(', ') || 'none yet'}`,
        },
      ], [checked]),
    };
  }
  return { ok: true, pricing: { table: checked.value, gridModel, gridRate } };
}

/** Where the price table is read from, as messages show it. */
export function priceTablePath(env: NodeJS.ProcessEnv = process.env): string {
  return displayPath(env.RECOIL_PRICES ? path.resolve(env.RECOIL_PRICES) : DEFAULT_PRICE_TABLE);
}

/** Relative to the working directory when inside it: shorter in messages. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
