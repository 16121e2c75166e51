import { z } from 'zod';

/** Who at the center made the change, for the journal; `center` when the center does not say. */
export const centerOperatorSchema = z.string().trim().min(1).max(64).default('center');
