// How Pacifica launches Debian's Chromium (apt-get install chromium; Playwright's
// own browser download is not used): the e2e tests (e2e/playwright.config.ts)
// and `pacifica bench --browser` share it, so both measure the same browser.
export const CHROMIUM = process.env.PACIFICA_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
