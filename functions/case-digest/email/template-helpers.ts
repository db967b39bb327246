/** The Handlebars helpers the templates use, and their names for the precompiler. */
import type HandlebarsApi from 'handlebars';
import { formatCount, formatDateTime, formatDuration, formatPercent } from './format.js';
import { wrapLong } from './text.js';

/** Registers the formatting helpers the templates use on an isolated Handlebars instance. */
export function registerHelpers(hb: typeof HandlebarsApi): void {
  hb.registerHelper({
    count: (n: number) => formatCount(n),
    percent: (ratio: number) => formatPercent(ratio),
    duration: (ms: number) => formatDuration(ms),
    localTime: (instant: Date, zone: string) => formatDateTime(instant, zone),
    padEnd: (text: string, width: number) => String(text).padEnd(width),
    padStart: (text: string, width: number) => String(text).padStart(width),
    // `{{wrapLong value}}`, or `{{wrapLong value 10}}` for a narrow column (Handlebars passes its options last).
    wrapLong: (text: string, maxRun: unknown) =>
      wrapLong(String(text), typeof maxRun === 'number' ? maxRun : 20),
    // No line break inside a short value such as `•••• 4567` or `2026-11-27 11:00`.
    keepTogether: (text: string) => String(text).replace(/ /g, '\u00A0'),
  });
}

/** The helper names, for the precompiler's `knownHelpers` (a typo in a template then fails the build). */
export const HELPER_NAMES = [
  'count',
  'percent',
  'duration',
  'localTime',
  'padEnd',
  'padStart',
  'wrapLong',
  'keepTogether',
] as const;
