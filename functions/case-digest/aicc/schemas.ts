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

/**
 * The transform from a priority or origin as people write it — the display name (any case) or the
 * request code — to the canonical display name; an unknown value is an issue naming the choices.
 */
const toCanonicalName = <T extends string | number>(table: Record<string, string>, what: string) =>
  z.transform((v: T, ctx) => {
    const name = canonicalName(table, String(v));
    if (!name) {
      // As classic zod's `ctx.addIssue` in a transform did (zod/mini's ctx is the bare payload).
      ctx.issues.push({
        code: 'custom',
        message: `unknown ${what} "${String(v)}" (expected one of ${Object.entries(table)
          .map(([n, c]) => `${n}/${c}`)
          .join(', ')})`,
        input: ctx.value,
      });
      return z.NEVER;
    }
    return name;
  });

/** A priority or origin in an event: name or code, as a string or a number. */
export const codeField = (table: Record<string, string>, what: string) =>
  z.pipe(z.union([z.string(), z.number().check(z.int())]), toCanonicalName<string | number>(table, what));

/** A priority or origin in an environment variable (always text): name or code. */
export const codeText = (table: Record<string, string>, what: string) =>
  z.pipe(z.string(), toCanonicalName<string>(table, what));

/** Rank of a priority display name (Critical first); unknown names after Low, "Unspecified" last. */
const PRIORITY_RANK: Readonly<Record<string, number>> = { critical: 0, high: 1, medium: 2, low: 3 };
export const priorityRank = (priority: string): number =>
  PRIORITY_RANK[priority.trim().toLowerCase()] ?? (priority === 'Unspecified' ? 5 : 4);

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
// priority code): it is accepted here and read as its text by `normalizeCase`, rather than failing
// the whole run over one record. (A zod transform per field would cost ~15 % of paging time.)
const scalar = z.nullish(z.union([z.string(), z.number(), z.boolean()]));
const nbool = z.nullish(z.union([z.boolean(), z.string()]));

/** The documented fields read as text. */
const TEXT_FIELDS = [
  'caseNo',
  'title',
  'type',
  'typeName',
  'extternalNo',
  'status',
  'state',
  'priority',
  'origin',
  'reason',
  'suspendDate',
  'contactId',
  'ownerType',
  'ownerId',
  'parentId',
  'contactPhone',
  'dueDate',
  'closedDate',
  'creatorId',
  'createdDate',
] as const;

/**
 * A case record as the API sends it. Documented fields are typed (nullable, and optional because a
 * documented one may be missing); unknown and dotted keys (`type.__objectType`, template fields) are kept.
 */
export const caseRecordSchema = z.catchall(
  z.object({
    // Any field may be null (SPEC §3), the id too: such a record is counted but cannot be de-duplicated.
    id: z.nullish(z.union([z.string(), z.number()])),
    ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, scalar])),
    isUpgraded: nbool,
    stayDate: z.nullish(z.union([z.string(), z.number()])),
    suspendAccumulatedTime: z.nullish(z.union([z.number(), z.string()])),
    // Not on the vendor's field table (seen in its example).
    isCanced: nbool,
    isSuspend: nbool,
  }) as z.ZodMiniObject<Record<string, z.ZodMiniType>>,
  z.unknown(),
);

/** A case record once read: documented text fields are strings (or null/absent); a blank id is null. */
export type CaseRecord = { id?: string | null } & { [F in (typeof TEXT_FIELDS)[number]]?: string | null } & {
  isUpgraded?: boolean | string | null;
  stayDate?: string | number | null;
  suspendAccumulatedTime?: number | string | null;
  isCanced?: boolean | string | null;
  isSuspend?: boolean | string | null;
  [key: string]: unknown;
};

/** Reads a parsed record in place: numbers and booleans in text fields become their text; a blank id null. */
export function normalizeCase(record: Record<string, unknown>): CaseRecord {
  for (const f of TEXT_FIELDS) {
    const v = record[f];
    if (v !== null && v !== undefined && typeof v !== 'string') record[f] = String(v);
  }
  const id = record.id;
  if (id !== null && id !== undefined) record.id = String(id).trim() === '' ? null : String(id);
  return record as CaseRecord;
}

/**
 * The envelope of every case-list answer, compiled to zod's generated fast path (every page runs it;
 * a schema it cannot model keeps the runtime parser, and a failing parse reruns there for its issues).
 */
export const caseListResponseSchema = z.compile(
  z.object({
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
  }),
);
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
