import * as z from 'zod';

/** `YYYY-MM-DD HH:mm:ss`, the API's datetime format (no offset, in AICC_TIMEZONE). */
export const AICC_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export const PRIORITY_CODES = { Low: '0', Medium: '1', High: '2', Critical: '3' } as const;
export const ORIGIN_CODES = { Email: '0', Voice: '1', webchat: '2', Whatsapp: '3' } as const;

/** Maps a display name (any case) or a request code to the canonical display name; undefined when unknown. */
export function canonicalName(table: Record<string, string>, value: string): string | undefined {
  const v = value.trim().toLowerCase();
  return Object.entries(table).find(([name, code]) => name.toLowerCase() === v || code === v)?.[0];
}

const short = z.string().max(20);

/** The filter fields of the case list request (SPEC §3), sent as strings. */
export const caseFiltersSchema = z.strictObject({
  title: z.string().max(128).optional(),
  status: z.string().optional(),
  priority: z.string().optional(),
  origin: z.string().optional(),
  ownerId: short.optional(),
  type: short.optional(),
  contactId: short.optional(),
  contactPhone: short.optional(),
  creatorId: short.optional(),
  classification: z.string().optional(),
});
export type CaseFilters = z.infer<typeof caseFiltersSchema>;

/** The case list request body. Extended template fields are passed through as strings. */
export const caseListRequestSchema = caseFiltersSchema
  .extend({
    startTime: z.string().regex(AICC_DATETIME).optional(),
    endTime: z.string().regex(AICC_DATETIME).optional(),
    start: z.number().int().min(0),
    limit: z.number().int().min(1).max(100),
  })
  .catchall(z.string());
export type CaseListRequest = z.infer<typeof caseListRequestSchema>;

const nstr = z.string().nullish();
const nbool = z.boolean().nullish();

/**
 * A case record. Documented fields are typed (nullable, and optional because a documented one
 * may be missing); unknown and dotted keys (`type.__objectType`, template fields) are kept.
 */
export const caseRecordSchema = z
  .object({
    id: z.string().min(1),
    caseNo: nstr,
    title: nstr,
    type: nstr,
    typeName: nstr,
    extternalNo: nstr,
    status: nstr,
    state: nstr,
    isUpgraded: nbool,
    priority: nstr,
    origin: nstr,
    reason: nstr,
    stayDate: z.union([z.string(), z.number()]).nullish(),
    suspendDate: nstr,
    suspendAccumulatedTime: z.union([z.number(), z.string()]).nullish(),
    contactId: nstr,
    ownerType: nstr,
    ownerId: nstr,
    parentId: nstr,
    contactPhone: nstr,
    dueDate: nstr,
    closedDate: nstr,
    creatorId: nstr,
    createdDate: nstr,
    // Not on the vendor's field table (seen in its example): tolerate "true"/"false" strings too.
    isCanced: z.union([z.boolean(), z.string()]).nullish(),
    isSuspend: z.union([z.boolean(), z.string()]).nullish(),
  })
  .catchall(z.unknown());
export type CaseRecord = z.infer<typeof caseRecordSchema>;

/** The envelope of every case-list answer. */
export const caseListResponseSchema = z.object({
  resCode: z.string(),
  resMsg: z.string().nullish(),
  result: z
    .array(
      z.object({
        caseList: z.array(caseRecordSchema).nullish(),
        count: z.number().int().min(0),
      }),
    )
    .nullish(),
});
export type CaseListResponse = z.infer<typeof caseListResponseSchema>;

/** The token endpoint's answer. */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  token_type: z.string().optional(),
});

/** The three accepted forms of the Secrets Manager secret (SPEC §4). */
export const secretValueSchema = z.union([
  z.strictObject({ accessToken: z.string().min(1) }),
  z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }),
]);
