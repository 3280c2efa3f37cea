/** The welcome text a way stores, checked against WeCom's 4000 bytes the same way at creation and at edit. */
import { z } from 'zod';
import { validate } from '../base/validate.js';
import { welcomeTextSchema } from '../wecom/customer-schemas.js';

/** The welcome text within WeCom's 4000 bytes; ValidationError on field `welcome` otherwise. */
export function checkWelcome(welcome: string | undefined): string | undefined {
  if (welcome === undefined) return undefined;
  return validate(z.object({ welcome: welcomeTextSchema }), { welcome }).welcome;
}
