/**
 * `npm run preview`: renders the digest and the overdue alert from sandbox data through the real
 * handler (dry run: nothing is mailed), writes the HTML and text parts to outbox/preview/, and
 * takes full-page PNG screenshots with headless Chromium at desktop (1024 px) and phone (390 px)
 * widths, in light, dark and inverted-dark colour schemes, to look at before a template change
 * ships. It warns when an email is wider than the screen.
 *
 * Five emails: the scheduled digest, the scheduled alert, an ad-hoc report (a 7-day range with a
 * filter), and a "stress" digest and alert from sandbox data with hostile values (long unbroken
 * titles and ids, markup, right-to-left text, emoji) to catch overflow at phone width.
 *
 *   --out DIR        write there instead of outbox/preview/
 *   --docs           also write docs/digest.png (the desktop, light digest, clipped) for the README
 *   --chromium PATH  the browser (default /usr/bin/chromium, or $CHROMIUM_PATH)
 *
 * Uses Debian's chromium through playwright-core's `executablePath`; no browser is downloaded.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { CaseRecord } from '../functions/case-digest/aicc/schemas.js';
import { createHandler, type JobResult } from '../functions/case-digest/handler.js';
import { generateCases } from '../sandbox/data.js';
import { DEMO_DATA, DEMO_TIMEZONE, demoEnv } from '../sandbox/local-env.js';
import { startSandbox } from '../sandbox/server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(root, 'outbox', 'preview') },
    docs: { type: 'boolean', default: false },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    help: { type: 'boolean' },
  },
});
if (args.help) {
  console.log('usage: npm run preview [-- --out DIR] [--docs] [--chromium PATH]');
  process.exit(0);
}

const TIMEZONE = DEMO_TIMEZONE;
const DOCS_IMAGE = join(root, 'docs', 'digest.png');
/** The README image shows the top of the digest: headline, report details, breakdowns, table start. */
const DOCS_CLIP_HEIGHT = 1_600;

const VIEWPORTS = [
  { name: 'desktop', width: 1024, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Values an API can send that a template must survive: long words, markup, RTL, emoji. */
function stressCases(cases: CaseRecord[]): CaseRecord[] {
  const longWord = `REF-${'0123456789ABCDEF'.repeat(8)}`;
  const titles = [
    `Customer reports that the mobile app crashes every time they open the billing page after the latest update, and they have tried reinstalling twice already without any change ${longWord}`,
    `<b>bold?</b> <script>alert(1)</script> & "quotes" 'apostrophes'`,
    'العميل لم يستلم المبلغ المسترد بعد أسبوعين من الطلب',
    '🚨🚨 Outage in Dubai Marina — fibre cut 🚨🚨',
    `${'x'.repeat(500)}`,
  ];
  return cases.map((c, i) =>
    i % 3 === 0
      ? {
          ...c,
          title: titles[(i / 3) % titles.length] as string,
          ownerId: i % 2 === 0 ? `team-${'escalations-'.repeat(6)}${c.ownerId}` : c.ownerId,
        }
      : c,
  );
}

interface Preview {
  name: string;
  subject: string;
  html: string;
  text: string;
}

/** The one dry-run email of a handler result. */
function emailOf(name: string, result: JobResult): Preview | undefined {
  const email = result.emails[0];
  if (!email?.html || email.text === undefined) return undefined;
  return { name, subject: email.subject, html: email.html, text: email.text };
}

/** Local date `days` before today in `zone`, `YYYY-MM-DD`. */
function localDate(zone: string, daysBack: number): string {
  const d = new Date(Date.now() - daysBack * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, dateStyle: 'short' }).format(d);
}

/** Runs the handler (dry runs) against a fresh sandbox for each data set; returns the emails. */
async function renderPreviews(): Promise<Preview[]> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const scheduledTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const previews: Preview[] = [];

  const normal = await startSandbox(DEMO_DATA);
  const stressData = stressCases(
    generateCases({ seed: 11, casesPerDay: 150, days: 35, timezone: TIMEZONE, now: () => new Date() }),
  );
  const stress = await startSandbox({ timezone: TIMEZONE, cases: stressData });
  try {
    const run = createHandler({ env: demoEnv(normal.url) });
    const add = (name: string, result: JobResult) => {
      const email = emailOf(name, result);
      if (email) previews.push(email);
      else console.warn(`${name}: nothing to show (no email in the result)`);
    };
    add('digest', await run({ job: 'digest', scheduledTime, dryRun: true }));
    // An hourly check may find nothing due this hour; widen the interval until the alert has cases.
    for (const intervalMinutes of [60, 6 * 60, 24 * 60, 7 * 24 * 60]) {
      const alert = await run({ job: 'overdue-alert', scheduledTime, intervalMinutes, dryRun: true });
      if (alert.emails.length > 0 || intervalMinutes === 7 * 24 * 60) {
        add('alert', alert);
        break;
      }
    }
    add(
      'report',
      await run({
        job: 'digest',
        from: localDate(TIMEZONE, 7),
        to: localDate(TIMEZONE, 1),
        filters: { priority: 'High' },
        dryRun: true,
      }),
    );

    const runStress = createHandler({ env: demoEnv(stress.url) });
    add('stress-digest', await runStress({ job: 'digest', scheduledTime, dryRun: true }));
    add(
      'stress-alert',
      await runStress({ job: 'overdue-alert', scheduledTime, intervalMinutes: 7 * 24 * 60, dryRun: true }),
    );
  } finally {
    await Promise.all([normal.close(), stress.close()]);
  }
  return previews;
}

/** Chromium with a fresh profile and no background traffic (on a closed network it otherwise waits on them). */
async function launch(profile: string, extraArgs: string[] = []): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: args.chromium,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
    deviceScaleFactor: 1,
    // The emails hold no external resources; make sure a stray one would not be fetched.
    offline: true,
  });
}

/**
 * Full-page screenshots of each email at each width: `light`, `dark` (the reader's dark scheme;
 * the explicit colours keep the email as designed, as Apple Mail shows it), and `inverted`
 * (Chromium's automatic dark mode on the email without its color-scheme meta, which approximates
 * clients that recolour emails themselves: the Gmail apps, Outlook). Returns the PNG paths.
 */
async function screenshot(out: string, files: { name: string; path: string }[]): Promise<string[]> {
  const shots: string[] = [];
  const profile = await mkdtemp(join(tmpdir(), 'preview-chromium-'));
  const invertedProfile = await mkdtemp(join(tmpdir(), 'preview-chromium-'));
  const contexts: BrowserContext[] = [];
  try {
    const plain = await launch(profile);
    contexts.push(plain);
    const inverting = await launch(invertedProfile, ['--enable-features=WebContentsForceDark']);
    contexts.push(inverting);
    const page = plain.pages()[0] ?? (await plain.newPage());
    const invertedPage = inverting.pages()[0] ?? (await inverting.newPage());
    for (const file of files) {
      const html = await readFile(file.path, 'utf8');
      for (const viewport of VIEWPORTS) {
        const size = { width: viewport.width, height: viewport.height };
        for (const colorScheme of SCHEMES) {
          await page.setViewportSize(size);
          await page.emulateMedia({ colorScheme });
          await page.goto(pathToFileURL(file.path).href, { waitUntil: 'load' });
          shots.push(await shoot(page, join(out, `${file.name}-${viewport.name}-${colorScheme}.png`)));
          if (args.docs && file.name === 'digest' && viewport.name === 'desktop' && colorScheme === 'light') {
            await mkdir(dirname(DOCS_IMAGE), { recursive: true });
            shots.push(await shoot(page, DOCS_IMAGE, DOCS_CLIP_HEIGHT));
          }
        }
        await invertedPage.setViewportSize(size);
        await invertedPage.emulateMedia({ colorScheme: 'dark' });
        // Chromium leaves pages that declare dark support alone; the clients meant here ignore it.
        await invertedPage.setContent(
          html.replace(/<meta name="(?:supported-)?color-schemes?"[^>]*>\n?/g, ''),
        );
        shots.push(await shoot(invertedPage, join(out, `${file.name}-${viewport.name}-inverted.png`)));
      }
    }
  } finally {
    for (const context of contexts) await context.close();
    await rm(profile, { recursive: true, force: true });
    await rm(invertedProfile, { recursive: true, force: true });
  }
  return shots;
}

/** A full-page PNG (cut at `maxHeight` when given); warns when the email is wider than the screen. */
async function shoot(page: Page, path: string, maxHeight?: number): Promise<string> {
  // A string, not a function: this project compiles without the DOM typings.
  const { width, height, overflow } = await page.evaluate<{
    width: number;
    height: number;
    overflow: number;
  }>(
    `(() => {
      const root = document.documentElement;
      return { width: root.clientWidth, height: root.scrollHeight, overflow: root.scrollWidth - root.clientWidth };
    })()`,
  );
  if (overflow > 0)
    console.warn(`${relative(process.cwd(), path)}: ${overflow} px wider than the ${width} px screen`);
  await page.screenshot(
    maxHeight
      ? { path, fullPage: true, clip: { x: 0, y: 0, width, height: Math.min(height, maxHeight) } }
      : { path, fullPage: true },
  );
  return path;
}

const out = resolve(args.out);
try {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const previews = await renderPreviews();
  const files: { name: string; path: string }[] = [];
  for (const p of previews) {
    const path = join(out, `${p.name}.html`);
    await writeFile(path, p.html);
    await writeFile(join(out, `${p.name}.txt`), p.text);
    files.push({ name: p.name, path });
    console.log(
      `${p.name}: ${p.subject} (${Buffer.byteLength(p.html).toLocaleString('en-US')} bytes of HTML)`,
    );
  }
  const shots = await screenshot(out, files);
  console.log(`\nWrote ${files.length * 2} parts and ${shots.length} screenshots:`);
  for (const s of shots) console.log(`  ${relative(process.cwd(), s)}`);
} catch (error) {
  console.error(`preview failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  process.exit(1);
}
