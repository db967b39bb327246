import { tzOffset } from '@date-fns/tz';
import type { CaseRecord } from '../functions/case-digest/aicc/schemas.js';
import {
  addLocalDays,
  formatLocal,
  formatLocalDate,
  instantOf,
  type LocalDateTime,
  parseLocalFields,
} from '../functions/case-digest/time/zoned.js';

/** Options of {@link generateCases}; the sandbox passes its own resolved values. */
export interface GenerateCasesOptions {
  seed: number;
  casesPerDay: number;
  days: number;
  /** Last local day with data (`YYYY-MM-DD` in `timezone`). @default today in `timezone` */
  endDate?: string;
  timezone: string;
  /** "Now": no case is created or closed after it. */
  now: () => Date;
  /**
   * Day-to-day swing of the volume: each day has `casesPerDay × (1 ± dailyVariation)` cases, drawn
   * from its own seeded stream (the case stream is unchanged). @default 0 — exactly `casesPerDay`.
   */
  dailyVariation?: number;
}

const HOUR = 3_600_000;
/** Due date after creation, by priority display name ("" and null are Unspecified). */
export const SLA_HOURS: Readonly<Record<string, number>> = {
  Critical: 4,
  High: 24,
  Medium: 72,
  Low: 7 * 24,
  Unspecified: 5 * 24,
};

type Weighted<T> = readonly (readonly [T, number])[];
const PRIORITIES: Weighted<string | null> = [
  ['Critical', 5],
  ['High', 20],
  ['Medium', 45],
  ['Low', 25],
  ['', 4.5],
  [null, 0.5],
];
const ORIGINS: Weighted<string | null> = [
  ['Email', 40],
  ['Voice', 30],
  ['webchat', 18],
  ['Whatsapp', 11.5],
  [null, 0.5],
];
const STATES: Weighted<string> = [
  ['Processing', 45],
  ['Pending', 18],
  ['Completed', 35],
  ['Closed', 2], // cancelled: isCanced true
];
const CASE_TYPES = ['Complaint', 'Inquiry', 'Billing', 'Technical Support', 'Service Request', 'Feedback'];
const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
const REASONS = ['Product defect', 'Billing error', 'Network', 'Service quality', 'Other'];
const TOPICS = [
  'Refund not received',
  'Cannot log in',
  'Wrong invoice amount',
  'Delivery delayed',
  'Service outage',
  'Card payment failed',
  'Change of address',
  'Complaint about agent',
  'Password reset',
  'Upgrade request',
  'Cancel subscription',
  'Roaming not working',
  'Slow internet',
  'Missing items in order',
  'Warranty claim',
  'SIM card replacement',
];
const TAILS = [
  '',
  '',
  '',
  ' - urgent',
  ' (follow-up)',
  ' via mobile app',
  ' for order #',
  ' since yesterday',
];
// Rare titles that exercise escaping, formula injection and non-Latin text downstream.
const ODD_TITLES = [
  'Customer says "nothing works" & wants <manager>',
  '=HYPERLINK("http://example.com","bill")',
  'استفسار عن الفاتورة',
  "Bill shows O'Brien's charges twice",
];

/**
 * The teams' queues (the extended field `queueId`, a filter the API takes): each owner works in one,
 * so a report filtered on a queue is a team's slice.
 */
export const QUEUES = ['q-emea', 'q-apac', 'q-amer'] as const;
/** Share of cases in no queue (`queueId: null`), e.g. created by a bot before routing. */
const UNQUEUED_SHARE = 0.02;

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Small, fast, seedable PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rng: () => number, table: Weighted<T>): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let r = rng() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

const oneOf = <T>(rng: () => number, list: readonly T[]): T => list[Math.floor(rng() * list.length)] as T;
const alnum = (rng: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(rng() * 62)];
  return s;
};
const digits = (rng: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10);
  return s;
};

/** Base-62 in ASCII order, so ids sort by sequence number. */
function base62(n: number, width: number): string {
  let s = '';
  for (let v = n; v > 0; v = Math.floor(v / 62)) s = ALNUM[v % 62] + s;
  return s.padStart(width, '0');
}

/** A 20-char case id like the vendor's (`c6m80000…`), unique by `seq`, and its 30-digit case number. */
export function caseIdentity(seq: number, rng: () => number): { id: string; caseNo: string } {
  return { id: `c6m80000${base62(seq, 4)}${alnum(rng, 8)}`, caseNo: String(35_000 + seq).padStart(30, '0') };
}

/**
 * `formatLocal`, memoized per 15-minute UTC slot: zone offsets only change on such boundaries
 * in practice, and a slot whose two ends disagree falls back to the exact helper.
 */
export function localFormatter(zone: string): (ms: number) => string {
  const SLOT = 15 * 60_000;
  const offsets = new Map<number, number>();
  const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
  return (ms) => {
    const slot = Math.floor(ms / SLOT);
    let offset = offsets.get(slot);
    if (offset === undefined) {
      const a = tzOffset(zone, new Date(slot * SLOT));
      const b = tzOffset(zone, new Date(slot * SLOT + SLOT - 1));
      offset = a === b && Number.isInteger(a) ? a : Number.NaN;
      offsets.set(slot, offset);
    }
    if (Number.isNaN(offset)) return formatLocal(ms, zone);
    const d = new Date(ms + offset * 60_000);
    return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  };
}

/** Newest `createdDate` first (wall-clock text, as the API orders it), ties by id; missing dates last. */
export function compareNewestFirst(a: CaseRecord, b: CaseRecord): number {
  const ca = a.createdDate ?? '';
  const cb = b.createdDate ?? '';
  if (ca !== cb) return ca < cb ? 1 : -1;
  const ia = a.id ?? '';
  const ib = b.id ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

interface Pools {
  /** The data set's seed: per-case values drawn outside the case stream derive from it. */
  seed: number;
  types: { id: string; name: string }[];
  owners: string[];
  creators: string[];
  contacts: { id: string; phone: string | null }[];
}

function makePools(seed: number): Pools {
  const rng = mulberry32(seed ^ 0x5eed);
  const phone = (): string | null => {
    const r = rng();
    if (r < 0.3) return null;
    if (r < 0.6) return `+9715${digits(rng, 8)}`;
    if (r < 0.85) return `05${digits(rng, 8)}`;
    return `+1 (555) ${digits(rng, 3)}-${digits(rng, 4)}`;
  };
  return {
    seed,
    types: CASE_TYPES.map((name) => ({ id: `cvmC0000${alnum(rng, 12)}`, name })),
    owners: Array.from({ length: 24 }, () => `10gg0000${alnum(rng, 12)}`),
    creators: Array.from({ length: 12 }, () => `10gd0000${alnum(rng, 12)}`),
    contacts: Array.from({ length: 2000 }, () => ({ id: `ciIy0000${alnum(rng, 12)}`, phone: phone() })),
  };
}

function makeTitle(rng: () => number): string {
  if (rng() < 0.004) return oneOf(rng, ODD_TITLES);
  const tail = oneOf(rng, TAILS);
  return `${oneOf(rng, TOPICS)}${tail === ' for order #' ? `${tail}${digits(rng, 6)}` : tail}`;
}

/**
 * The queue of case `seq`: its owner's team, or none for a few. The "none" draw comes from a stream
 * keyed by seed and sequence number, not from the case stream: a draw there would shift every later case.
 */
function queueOf(ownerIndex: number, seed: number, seq: number): string | null {
  if (mulberry32(Math.imul(seed ^ 0x7ea3, 0x9e3779b1) + seq)() < UNQUEUED_SHARE) return null;
  return QUEUES[ownerIndex % QUEUES.length] as string;
}

/**
 * One synthetic case created at `createdMs`. Every random draw happens whatever `nowMs` is, so
 * the same seed gives the same cases whatever the clock (only cut-offs at "now" differ).
 */
function makeCase(
  rng: () => number,
  pools: Pools,
  seq: number,
  createdMs: number,
  nowMs: number,
  fmt: (ms: number) => string,
  earlierId: (r: number) => string | null,
): SandboxCase {
  const { id, caseNo } = caseIdentity(seq, rng);
  const priority = pick(rng, PRIORITIES);
  const origin = pick(rng, ORIGINS);
  let state = pick(rng, STATES);
  const type = oneOf(rng, pools.types);
  const contact = oneOf(rng, pools.contacts);
  // The same single draw as `oneOf`, kept as an index: the owner's team is its index modulo 3.
  const ownerIndex = Math.floor(rng() * pools.owners.length);
  const owner = pools.owners[ownerIndex] as string;
  const creator = oneOf(rng, pools.creators);
  const title = makeTitle(rng);
  const rClose = rng();
  const rDue = rng();
  const rSuspend = rng();
  const rSuspendAt = rng();
  const rExt = rng();
  const rReason = rng();
  const rParent = rng();
  const rUpgraded = rng();
  const rOwnerType = rng();
  const rRegion = rng();
  const rResolved = rng();

  const slaMs = (SLA_HOURS[priority || 'Unspecified'] ?? 120) * HOUR;
  const age = nowMs - createdMs;
  // Most cases get resolved once past their SLA: only ~5% of those still open then stay open (overdue).
  if ((state === 'Processing' || state === 'Pending') && age > slaMs && rResolved < 0.95) state = 'Completed';
  // Closed within 1.5 × SLA, never after "now"; too young to have been closed → still open.
  const closeSpan = Math.min(slaMs * 1.5, age);
  if ((state === 'Completed' || state === 'Closed') && closeSpan < 60_000) state = 'Processing';
  const closed = state === 'Completed' || state === 'Closed';
  const suspended = state === 'Pending' && rSuspend < 0.3;
  const suspendAt = createdMs + Math.floor((rSuspendAt * age) / 1000) * 1000;

  return {
    caseNo,
    closedDate: closed
      ? fmt(createdMs + 60_000 + Math.floor((rClose * (closeSpan - 60_000)) / 1000) * 1000)
      : null,
    contactId: contact.id,
    contactPhone: contact.phone,
    createdDate: fmt(createdMs),
    creatorId: creator,
    dueDate: rDue < 0.01 ? null : fmt(createdMs + slaMs),
    ext_region: rRegion < 0.05 ? null : (REGIONS[Math.floor(rRegion * 100) % REGIONS.length] as string),
    extternalNo: rExt < 0.15 ? `EXT-${String(Math.floor((rExt / 0.15) * 1e8)).padStart(8, '0')}` : null,
    id,
    isCanced: state === 'Closed',
    isSuspend: suspended,
    isUpgraded: rUpgraded < 0.03,
    origin,
    ownerId: owner,
    ownerType: rOwnerType < 0.85 ? 'User' : 'Group',
    parentId: rParent < 0.02 ? earlierId(rParent / 0.02) : null,
    priority,
    queueId: queueOf(ownerIndex, pools.seed, seq),
    reason: rReason < 0.3 ? (REASONS[Math.floor(rReason * 100) % REASONS.length] as string) : null,
    state,
    status: 'y',
    stayDate: null,
    suspendAccumulatedTime: suspended ? Math.floor((nowMs - suspendAt) / 1000) : null,
    suspendDate: suspended ? fmt(suspendAt) : null,
    title,
    type: type.id,
    'type.__objectType': 'AICC__CaseType__CST',
    'type.name': '',
    typeName: type.name,
  };
}

/**
 * Deterministic synthetic cases, newest first: `casesPerDay` per local day of `timezone` for the
 * `days` days ending on `endDate`, spread over each day (23- and 25-hour DST days included);
 * cases that would be created after `now` are left out.
 */
/** A generated case: the sandbox always gives its cases an id. */
export type SandboxCase = CaseRecord & { id: string };

export function generateCases(options: GenerateCasesOptions): SandboxCase[] {
  const { seed, casesPerDay, days, timezone } = options;
  const nowMs = options.now().getTime();
  const endText = options.endDate ?? formatLocalDate(nowMs, timezone);
  const end = parseLocalFields(endText);
  if (!end || endText.length !== 10) throw new RangeError(`endDate must be YYYY-MM-DD, got "${endText}"`);
  if (!Number.isInteger(casesPerDay) || casesPerDay < 0)
    throw new RangeError('casesPerDay must be an integer >= 0');
  if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be an integer >= 0');

  const rng = mulberry32(seed);
  const pools = makePools(seed);
  const fmt = localFormatter(timezone);
  const out: SandboxCase[] = [];
  let seq = 0;
  const earlierId = (r: number) => out[Math.floor(r * out.length)]?.id ?? null;
  for (let d = days - 1; d >= 0; d--) {
    const day: LocalDateTime = addLocalDays(end, -d);
    const dayStart = instantOf(day, timezone).getTime();
    const seconds = (instantOf(addLocalDays(day, 1), timezone).getTime() - dayStart) / 1000;
    const count = casesOnDay(casesPerDay, options.dailyVariation ?? 0, seed, d);
    const offsets = new Float64Array(count);
    for (let i = 0; i < count; i++) offsets[i] = Math.floor(rng() * seconds);
    offsets.sort();
    for (const offset of offsets) {
      const createdMs = dayStart + offset * 1000;
      const record = makeCase(rng, pools, seq++, createdMs, nowMs, fmt, earlierId);
      if (createdMs <= nowMs) out.push(record);
    }
  }
  // Built oldest first: reversed it is sorted but for ties and DST overlaps, which the sort fixes cheaply.
  return out.reverse().sort(compareNewestFirst);
}

/** The volume of the day `d` days before the last one: `casesPerDay`, swung by up to ± `variation`. */
function casesOnDay(casesPerDay: number, variation: number, seed: number, d: number): number {
  if (variation <= 0) return casesPerDay;
  const swing = mulberry32(seed * 7919 + d)() * 2 - 1;
  return Math.max(0, Math.round(casesPerDay * (1 + variation * swing)));
}

/** A filter of a list request, resolved to the record field it tests and the display value it wants. */
export interface FieldFilter {
  field: string;
  value: string;
  /** Substring instead of exact match (the `title` filter). */
  contains?: boolean;
}

/** A list query: `createdDate` window (wall-clock text, inclusive) and field filters. */
export interface CaseQuery {
  startTime?: string | undefined;
  endTime?: string | undefined;
  filters: FieldFilter[];
}

/** The matches of a query, newest first: a window of `rows` starting at `from`. */
export interface Selection {
  readonly rows: readonly CaseRecord[];
  readonly from: number;
  readonly count: number;
}

/** Rows `start … start + limit − 1` of a selection. */
export const pageOf = (sel: Selection, start: number, limit: number): CaseRecord[] =>
  sel.rows.slice(sel.from + Math.min(start, sel.count), sel.from + Math.min(start + limit, sel.count));

const MEMO_SIZE = 64;
const GROWN_SEQ_BASE = 10_000_000;

/**
 * The data set, kept newest first. A query costs a binary search of its window, plus one filter
 * pass the first time a filtered query is seen: paging a query 1,000 times does not filter again.
 */
export class CaseStore {
  #cases: CaseRecord[];
  #memo = new Map<string, Selection>();
  #grown = 0;
  #rng: () => number;

  constructor(cases: readonly CaseRecord[], seed = 1) {
    this.#cases = [...cases].sort(compareNewestFirst);
    this.#rng = mulberry32(seed ^ 0x9e0);
  }

  get cases(): readonly CaseRecord[] {
    return this.#cases;
  }

  select(query: CaseQuery): Selection {
    const key = JSON.stringify([query.startTime ?? null, query.endTime ?? null, query.filters]);
    let sel = this.#memo.get(key);
    if (!sel) {
      sel = this.#compute(query);
      if (this.#memo.size >= MEMO_SIZE) this.#memo.delete(this.#memo.keys().next().value as string);
      this.#memo.set(key, sel);
    }
    return sel;
  }

  /**
   * Changes fields of the case with `id` (as an agent working it would: close it, reassign it), keeping
   * its place; `createdDate` cannot change. Returns the updated case, or undefined when there is none.
   */
  update(id: string, patch: Partial<CaseRecord>): CaseRecord | undefined {
    const at = this.#cases.findIndex((c) => c.id === id);
    const current = this.#cases[at];
    if (!current) return undefined;
    const { createdDate: _kept, ...changes } = patch;
    const updated = { ...current, ...changes };
    this.#cases = [...this.#cases.slice(0, at), updated, ...this.#cases.slice(at + 1)];
    this.#memo.clear();
    return updated;
  }

  /**
   * Inserts `by` new cases copied from `template` (id and caseNo new, same createdDate) ahead of
   * every case of that createdDate, as a case created while a client pages would appear.
   */
  insertNewest(template: CaseRecord | undefined, by: number, fallbackCreated: string): CaseRecord[] {
    const base: CaseRecord = template ??
      this.#cases[0] ?? { id: '', title: 'New case', createdDate: fallbackCreated };
    const created = base.createdDate ?? fallbackCreated;
    const fresh = Array.from({ length: by }, () => ({
      ...base,
      ...caseIdentity(GROWN_SEQ_BASE + this.#grown++, this.#rng),
      createdDate: created,
    }));
    const at = this.#firstAtOrBefore(created);
    this.#cases = [...this.#cases.slice(0, at), ...fresh, ...this.#cases.slice(at)];
    this.#memo.clear();
    return fresh;
  }

  #compute(query: CaseQuery): Selection {
    const from = query.endTime === undefined ? 0 : this.#firstAtOrBefore(query.endTime);
    const to = query.startTime === undefined ? this.#cases.length : this.#firstBefore(query.startTime);
    if (query.filters.length === 0) return { rows: this.#cases, from, count: Math.max(0, to - from) };
    const rows: CaseRecord[] = [];
    for (let i = from; i < to; i++) {
      const c = this.#cases[i] as CaseRecord;
      if (query.filters.every((f) => matches(c[f.field], f))) rows.push(c);
    }
    return { rows, from: 0, count: rows.length };
  }

  /** First index whose createdDate is ≤ `text` (the array is newest first; missing dates sort last). */
  #firstAtOrBefore(text: string): number {
    return this.#search((created) => created <= text);
  }

  /** First index whose createdDate is < `text`. */
  #firstBefore(text: string): number {
    return this.#search((created) => created < text);
  }

  #search(isPast: (created: string) => boolean): number {
    let lo = 0;
    let hi = this.#cases.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (isPast((this.#cases[mid] as CaseRecord).createdDate ?? '')) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function matches(actual: unknown, filter: FieldFilter): boolean {
  if (actual === null || actual === undefined) return false;
  const text = String(actual);
  return filter.contains ? text.includes(filter.value) : text === filter.value;
}
