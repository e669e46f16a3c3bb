import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The page's script errors as they happen, for a test to expect none. */
export function pageErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/** Says who is deciding, as a person does in the console's header, and waits until the console kept it. */
export async function sayWhoIAm(page: Page, name: string): Promise<void> {
  const field = page.locator('form[data-whoami] input');
  await field.fill(name);
  await field.press('Enter');
  await expect.poll(() => page.locator('form[data-whoami] input.saved').count()).toBe(1);
}
