import { existsSync } from 'node:fs';
import type { Service } from '../core';

const CHROMIUM = '/usr/bin/chromium';

/**
 * Nothing to start: headless Chromium renders the HTML report in its test (screenshot, console errors).
 * The service exists for the Debian packages a fresh CI machine needs, and names the binary.
 */
export const chromiumService: Service = {
  name: 'chromium',
  debianPackages: ['chromium', 'fonts-dejavu-core'],
  async start() {
    if (!existsSync(CHROMIUM)) throw new Error(`testenv: chromium: ${CHROMIUM} is missing although the chromium package is installed`);
    return { PRA_TESTENV_CHROMIUM: CHROMIUM };
  },
  async healthy(env) {
    return existsSync(env.PRA_TESTENV_CHROMIUM);
  },
};
