/** Synthesizes the stack with bundling, then measures the Lambda asset: size, and median load time in plain Node. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const out = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
try {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const entry = readdirSync(out)
    .filter((d) => d.startsWith('asset.'))
    .flatMap((d) => ['index.mjs', 'index.js'].map((f) => join(out, d, f)))
    .find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
  if (!entry) throw new Error(`no Lambda asset with index.mjs/index.js in ${out}`);
  const loads: number[] = [];
  for (let i = 0; i < 15; i++) {
    // A fresh process each time, cwd outside the repo: nothing but the bundle (and Node) is reachable.
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(entry).href)}); console.log(performance.now() - t);`,
      ],
      { cwd: tmpdir(), encoding: 'utf8', env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } },
    );
    if (r.status !== 0) throw new Error(`loading ${entry} failed: ${r.stderr}`);
    loads.push(Number(r.stdout.trim().split('\n').at(-1)));
  }
  loads.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      file: entry,
      sizeKB: statSync(entry).size / 1024,
      sizeBytes: statSync(entry).size,
      medianLoadMs: loads[Math.floor(loads.length / 2)],
    })}\n`,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
