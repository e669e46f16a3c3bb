/**
 * Why a delivery was not made. Each message names the take or folder and what to do; nothing of
 * the refused version is left on disk.
 */
export type DeliveryRefusal = 'not_approved' | 'take_missing' | 'mixed_formats' | 'unwritable';

export class DeliveryRefused extends Error {
  constructor(
    readonly refusal: DeliveryRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryRefused';
  }
}
