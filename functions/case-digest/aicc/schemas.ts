import { en } from 'zod/locales';
import * as z from 'zod/mini';

// Classic zod installs its English messages on first use; zod/mini ships none ("Invalid input"
// for everything). Install the same ones, unless a locale was chosen already, so every message
// reads exactly as it did. Every module with a schema imports this one, so this runs first.
if (!z.config().localeError) z.config(en());

/** `YYYY-MM-DD HH:mm:ss`, the API's datetime format (no offset, in AICC_TIMEZONE). */
export const AICC_DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

export const PRIORITY_CODES = { Low: '0', Medium: '1', High: '2', Critical: '3' } as const;
export const ORIGIN_CODES = { Email: '0', Voice: '1', webchat: '2', Whatsapp: '3' } as const;

/** Maps a display name (any case) or a request code to the canonical display name; undefined when unknown. */
export function canonicalName(table: Record<string, string>, value: string): string | undefined {
  const v = value.trim().toLowerCase();
  return Object.entries(table).find(([name, code]) => name.toLowerCase() === v || code === v)?.[0];
}

const short = z.string().check(z.maxLength(20));

/** The filter fields of the case list request (SPEC §3), sent as strings. */
export const caseFiltersSchema = z.strictObject({
  title: z.optional(z.string().check(z.maxLength(128))),
  status: z.optional(z.string()),
  priority: z.optional(z.string()),
  origin: z.optional(z.string()),
  ownerId: z.optional(short),
  type: z.optional(short),
  contactId: z.optional(short),
  contactPhone: z.optional(short),
  creatorId: z.optional(short),
  classification: z.optional(z.string()),
});
export type CaseFilters = z.infer<typeof caseFiltersSchema>;

/** The case list request body. Extended template fields are passed through as strings. */
export const caseListRequestSchema = z.catchall(
  z.extend(caseFiltersSchema, {
    startTime: z.optional(z.string().check(z.regex(AICC_DATETIME))),
    endTime: z.optional(z.string().check(z.regex(AICC_DATETIME))),
    start: z.number().check(z.int(), z.minimum(0)),
    limit: z.number().check(z.int(), z.minimum(1), z.maximum(100)),
  }),
  z.string(),
);
export type CaseListRequest = z.infer<typeof caseListRequestSchema>;

// A scalar the vendor documents as a string may come as a number or boolean (a numeric phone, a
// priority code): it is read as its text rather than failing the whole run over one record.
const nstr = z.nullish(
  z.pipe(
    z.union([z.string(), z.number(), z.boolean()]),
    z.transform((v) => String(v)),
  ),
);
const nbool = z.nullish(z.union([z.boolean(), z.string()]));
// Any field may be null (SPEC §3), the id too: such a record is counted, but cannot be de-duplicated.
const caseId = z.nullish(
  z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((v) => (String(v).trim() === '' ? null : String(v))),
  ),
);

/**
 * A case record. Documented fields are typed (nullable, and optional because a documented one
 * may be missing); unknown and dotted keys (`type.__objectType`, template fields) are kept.
 */
export const caseRecordSchema = z.catchall(
  z.object({
    id: caseId,
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
    stayDate: z.nullish(z.union([z.string(), z.number()])),
    suspendDate: nstr,
    suspendAccumulatedTime: z.nullish(z.union([z.number(), z.string()])),
    contactId: nstr,
    ownerType: nstr,
    ownerId: nstr,
    parentId: nstr,
    contactPhone: nstr,
    dueDate: nstr,
    closedDate: nstr,
    creatorId: nstr,
    createdDate: nstr,
    // Not on the vendor's field table (seen in its example).
    isCanced: nbool,
    isSuspend: nbool,
  }),
  z.unknown(),
);
export type CaseRecord = z.infer<typeof caseRecordSchema>;

/** The envelope of every case-list answer. */
export const caseListResponseSchema = z.object({
  resCode: z.string(),
  resMsg: z.nullish(z.string()),
  result: z.nullish(
    z.array(
      z.object({
        caseList: z.nullish(z.array(caseRecordSchema)),
        count: z.number().check(z.int(), z.minimum(0)),
      }),
    ),
  ),
});
export type CaseListResponse = z.infer<typeof caseListResponseSchema>;

/** The token endpoint's answer. */
export const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1)),
  expires_in: z.coerce.number().check(z.positive()),
  token_type: z.optional(z.string()),
});

/** The three accepted forms of the Secrets Manager secret (SPEC §4). */
export const secretValueSchema = z.union([
  z.strictObject({ accessToken: z.string().check(z.minLength(1)) }),
  z.strictObject({
    clientId: z.string().check(z.minLength(1)),
    clientSecret: z.string().check(z.minLength(1)),
  }),
]);
