// The one error envelope, with every code of the error table (src/errors.ts) as an enum, so the OpenAPI
// document lists them all.
import { z } from 'zod';
import { errorStatus, type ErrorCode } from '../errors.ts';

export const ErrorCodeSchema = z.enum(Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]]).meta({ id: 'ErrorCode' });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: ErrorCodeSchema,
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof ErrorSchema>;
