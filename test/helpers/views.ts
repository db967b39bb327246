/**
 * Render inputs for the email tests and the render bench: builders for the views the renderers
 * receive, and the sample emails of every shape the templates produce.
 *
 * Tests assert on the defaults below (render-digest.test.ts on "284 new", "251", "Medium 130",
 * "Filters: none", no warnings; csv.test.ts on the case's id, caseNo, state, origin, phone and URL):
 * change one and those tests fail. A test that needs another value passes it as an override.
 * No vitest import: bench/render-child.ts uses this module too.
 */
import { renderAlert, renderDigest } from '../../functions/case-digest/email/render.js';
import type {
  AlertView,
  DigestView,
  OverdueCaseView,
  RenderedEmail,
} from '../../functions/case-digest/email/views.js';

export const HOUR = 3_600_000;
/** 06:00 on 2026-11-27 in Asia/Dubai: the digest is about 2026-11-26. */
export const ASOF = new Date('2026-11-27T02:00:00Z');

/**
 * Open case `i`, overdue by `i + 1` hours unless `over.overdueMs` says otherwise; `dueAt` is
 * `asOf − overdueMs` unless `over.dueAt` is given.
 */
export function overdueCase(
  i: number,
  over: Partial<OverdueCaseView> = {},
  asOf: Date = ASOF,
): OverdueCaseView {
  const overdueMs = over.overdueMs ?? (i + 1) * HOUR;
  return {
    id: `c6m8id${i}`,
    caseNo: String(35_013 + i).padStart(14, '0'),
    title: `Customer cannot log in #${i}`,
    priority: 'Critical',
    origin: 'Email',
    state: 'Processing',
    ownerId: `owner-${i}`,
    contactPhone: '•••• 4567',
    dueAt: new Date(asOf.getTime() - overdueMs),
    createdAt: null,
    overdueMs,
    url: `https://aicc.example.com/case/${i}`,
    ...over,
  };
}

/**
 * An open case due `i + 1` hours after `asOf` (not yet overdue), for due-soon tables; `dueAt` is
 * `asOf + dueInMs` unless `over.dueAt` says otherwise.
 */
export function dueSoonCase(
  i: number,
  over: Partial<OverdueCaseView> = {},
  asOf: Date = ASOF,
): OverdueCaseView {
  return overdueCase(
    100 + i,
    { dueAt: new Date(asOf.getTime() + (i + 1) * HOUR), overdueMs: 0, ...over },
    asOf,
  );
}

/**
 * A digest for 2026-11-26 (Asia/Dubai): 284 new cases, no filter, no warning, 3 overdue (owners
 * owner-0…2, all under a day), 2 due in the next 24 h, due dates 90 met, 10 missed, 30 pending, 2 unknown.
 */
export const digestView = (over: Partial<DigestView> = {}): DigestView => ({
  asOf: ASOF,
  generatedAt: ASOF,
  reportTimezone: 'Asia/Dubai',
  periodLabel: '2026-11-26',
  window: { from: '2026-11-26 00:00:00', to: '2026-11-26 23:59:59', timezone: 'Asia/Dubai' },
  filters: {},
  total: 284,
  previousTotal: 251,
  byPriority: { Critical: 12, High: 40, Medium: 130, Low: 100, Unspecified: 2 },
  byOrigin: { Email: 120, Voice: 90, webchat: 50, Whatsapp: 24 },
  byState: { Processing: 200, Pending: 60, Completed: 24 },
  overdue: [overdueCase(0), overdueCase(1), overdueCase(2)],
  overdueByAge: { '<1d': 3, '1-3d': 0, '3-7d': 0, '>7d': 0 },
  overdueByOwner: { 'owner-0': 1, 'owner-1': 1, 'owner-2': 1 },
  atRisk: [dueSoonCase(0), dueSoonCase(1)],
  atRiskHours: 24,
  sla: { met: 90, missed: 10, pending: 30, unknown: 2 },
  warnings: [],
  ...over,
});

/** An alert on Critical cases, checked hourly with a reminder every 24 h: 2 cases, no warning, no warned cases. */
export const alertView = (over: Partial<AlertView> = {}): AlertView => ({
  asOf: ASOF,
  generatedAt: ASOF,
  reportTimezone: 'Asia/Dubai',
  priorities: ['Critical'],
  intervalMinutes: 60,
  repeatHours: 24,
  warnHours: 0,
  cases: [overdueCase(0), overdueCase(1)],
  warned: [],
  warnings: [],
  ...over,
});

/** One sample email, with the cases its view holds in any table (for checking the links it shows). */
export interface SampleEmail {
  email: RenderedEmail;
  cases: OverdueCaseView[];
}

/**
 * A case as the samples show it: a 30-digit case number (long enough to be wrapped in the HTML),
 * priorities Critical/High/Medium in turn, every other phone empty.
 */
const sampleCase = (i: number, over: Partial<OverdueCaseView> = {}) =>
  overdueCase(i, {
    caseNo: String(35_013 + i).padStart(30, '0'),
    priority: ['Critical', 'High', 'Medium'][i % 3] as string,
    contactPhone: i % 2 ? '•••• 4567' : '',
    ...over,
  });

const digestSample = (view: DigestView, maxRows?: number): SampleEmail => ({
  email: renderDigest(view, maxRows === undefined ? {} : { maxRows }),
  cases: [...view.overdue, ...view.atRisk],
});
const alertSample = (view: AlertView): SampleEmail => ({
  email: renderAlert(view),
  cases: [...view.cases, ...view.warned],
});

/** A period with no cases at all: every number zero, every list empty. */
const NOTHING: Partial<DigestView> = {
  total: 0,
  byPriority: {},
  byOrigin: {},
  byState: {},
  overdue: [],
  overdueByAge: { '<1d': 0, '1-3d': 0, '3-7d': 0, '>7d': 0 },
  overdueByOwner: {},
  atRisk: [],
  sla: { met: 0, missed: 0, pending: 0, unknown: 0 },
  warnings: [],
};

/** Every shape the templates produce: warnings, filters, "Other" rows, cut tables, empty states. */
const SAMPLES = {
  /** 120 overdue (the table cut at 50), a filter, a warning, 25 origins (the last 5 as "Other"). */
  digest: () => digestSample(sampleDigest()),
  'digest without deep links': () => digestSample(sampleDigest({ overdue: [sampleCase(0, { url: null })] })),
  'digest, table cut to 0 rows': () => digestSample(sampleDigest(), 0),
  'empty digest': () => digestSample(sampleDigest(NOTHING)),
  'empty ad-hoc digest': () =>
    digestSample(sampleDigest({ ...NOTHING, trigger: 'ad-hoc', previousTotal: 0, filters: {} })),
  /** Two priorities, one case without a deep link, a warning. */
  alert: () => alertSample(sampleAlert()),
  'alert over 50 cases': () => alertSample(sampleAlert({ cases: sampleDigest().overdue })),
  'alert without links or warnings': () =>
    alertSample(sampleAlert({ cases: [sampleCase(1, { url: null })], warnings: [] })),
  /** Overdue and due-soon sections together (a pre-breach warning of 2 h). */
  'alert with due-soon cases': () =>
    alertSample(sampleAlert({ warnHours: 2, warned: [dueSoonCase(0, { priority: 'Critical' })] })),
  'due-soon alert only': () =>
    alertSample(sampleAlert({ warnHours: 2, cases: [], warned: [dueSoonCase(0), dueSoonCase(1)] })),
  /** A named report (SPEC §12): its title in the subject and heading, its name in the footer. */
  'named report digest': () =>
    digestSample(
      sampleDigest({
        report: { name: 'emea-voice', title: 'EMEA voice' },
        scheduledTime: ASOF,
        filters: { origin: 'Voice', queueId: 'q-emea' },
      }),
    ),
  'named report alert': () =>
    alertSample(
      sampleAlert({
        report: { name: 'oncall-emea', title: 'On-call EMEA' },
        scheduledTime: ASOF,
        warnHours: 2,
        warned: [dueSoonCase(0, { priority: 'High' })],
      }),
    ),
} satisfies Record<string, () => SampleEmail>;

export type SampleName = keyof typeof SAMPLES;
/** A sample as `describe.each` takes it: `%s` in the title is the name. */
export type RenderedSample = [name: SampleName, sample: SampleEmail];

function sampleDigest(over: Partial<DigestView> = {}): DigestView {
  const overdue = Array.from({ length: 120 }, (_, i) => sampleCase(i, { ownerId: `owner-${i % 14}` }));
  return digestView({
    trigger: 'scheduled',
    filters: { priority: 'Critical' },
    byOrigin: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`Origin ${i}`, 30 - i])),
    overdue,
    // 120 cases overdue 1…120 h: 23 under a day, 48 of 1–3 days, 49 of 3–7 days.
    overdueByAge: { '<1d': 23, '1-3d': 48, '3-7d': 49, '>7d': 0 },
    overdueByOwner: Object.fromEntries(
      Array.from({ length: 14 }, (_, o) => [
        `owner-${o}`,
        overdue.filter((c) => c.ownerId === `owner-${o}`).length,
      ]),
    ),
    // Ids and links of their own: the 120 overdue cases already use c6m8id100… and /case/100….
    atRisk: Array.from({ length: 30 }, (_, i) =>
      dueSoonCase(i, {
        id: `c6m8due${i}`,
        caseNo: String(36_013 + i).padStart(30, '0'),
        url: `https://aicc.example.com/case/due-${i}`,
      }),
    ),
    warnings: ['AICC reported 290 cases but 284 unique cases arrived.'],
    ...over,
  });
}

function sampleAlert(over: Partial<AlertView> = {}): AlertView {
  return alertView({
    priorities: ['Critical', 'High'],
    cases: [sampleCase(0), sampleCase(1, { url: null })],
    warnings: ['AICC reported 5 cases but 4 arrived.'],
    ...over,
  });
}

/** The named sample emails, rendered, in the order asked for; every one when none is named. */
export function renderedSamples(...names: SampleName[]): RenderedSample[] {
  const wanted = names.length > 0 ? names : (Object.keys(SAMPLES) as SampleName[]);
  return wanted.map((name) => [name, SAMPLES[name]()]);
}
