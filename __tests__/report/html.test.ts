import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHASE_COLORS } from '../../hooks/report/gantt';
import { buildReport, journalOf, renderReport } from '../../hooks/report';
import { tempDirs } from '../helpers/tmp';
import { countColor, decodePng } from '../support/png';
import { testenv } from '../support/testenv';
import { JOURNALS, LEDGERS } from './fixtures';

/**
 * The HTML report in a real headless Chromium (Debian package, testenv service `chromium`): a screenshot
 * must show the Gantt bars, and the page must raise no error, console error or CSP violation.
 */
const dirs = tempDirs();
afterAll(() => dirs.removeAll());

function chromium(args: readonly string[]): { stdout: string; stderr: string } {
  const binary = testenv('CHROMIUM');
  const profile = dirs.make('pra-chromium-profile-');
  const result = spawnSync(binary, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...args,
  ], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`chromium exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Console messages and page errors Chromium logs on stderr (its own D-Bus noise is not the page's). */
const pageMessages = (stderr: string) => stderr.split('\n').filter((l) => /CONSOLE|Uncaught|Refused to|Content Security Policy/.test(l));

/** Records errors, console errors and CSP violations into the DOM, where --dump-dom shows them. */
const RECORDER = `<script>window.__errors=[];addEventListener('error',function(e){__errors.push('error: '+e.message)});
addEventListener('securitypolicyviolation',function(e){__errors.push('csp: '+e.violatedDirective+' '+e.blockedURI)});
['error','warn'].forEach(function(k){var o=console[k];console[k]=function(){__errors.push(k+': '+[].join.call(arguments,' '));o.apply(console,arguments)}});
addEventListener('load',function(){document.documentElement.setAttribute('data-page-errors',JSON.stringify(__errors))});</script>`;

describe('the HTML report in headless Chromium', () => {
  const dir = dirs.make('pra-report-html-');
  const html = join(dir, 'report.html');
  writeFileSync(html, renderReport(buildReport(journalOf(JOURNALS, 'completed'), LEDGERS), 'html'));

  it('shows the timeline: every phase color of the Gantt chart is on the screenshot', () => {
    const shot = join(dir, 'shot.png');
    const { stderr } = chromium(['--hide-scrollbars', '--window-size=1280,1400', `--screenshot=${shot}`, `file://${html}`]);
    const png = decodePng(readFileSync(shot));
    expect({ width: png.width, height: png.height }).toEqual({ width: 1280, height: 1400 });
    const pixels = Object.fromEntries(Object.entries(PHASE_COLORS).map(([phase, color]) => [phase, countColor(png, color) >= 40]));
    expect(pixels).toEqual(Object.fromEntries(Object.keys(PHASE_COLORS).map((phase) => [phase, true])));
    expect(pageMessages(stderr)).toEqual([]);
  });

  it('raises no page error, console error or CSP violation, and holds the chart', () => {
    const instrumented = join(dir, 'instrumented.html');
    writeFileSync(
      instrumented,
      readFileSync(html, 'utf8').replace("default-src 'none'", "default-src 'none'; script-src 'unsafe-inline'").replace('<head>', `<head>${RECORDER}`),
    );
    const { stdout, stderr } = chromium(['--virtual-time-budget=2000', '--dump-dom', `file://${instrumented}`]);
    expect(stdout).toContain('data-page-errors="[]"');
    expect(stdout).toMatch(/<svg class="gantt"[^>]*>/);
    expect(pageMessages(stderr)).toEqual([]);
  });
});
