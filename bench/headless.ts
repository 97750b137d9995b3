import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Headless Debian Chromium driven by playwright-core, for the HTML report's tests and benchmark. The flags
 * keep Chromium from calling home (this machine's closed network refuses it, noisily); the sandbox is off
 * because CI runs as root.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Why browser checks cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface OpenedReport {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Every request for something other than a file:// URL; each was aborted. */
  outbound: string[];
  /** Milliseconds from navigation start until the page said it had drawn everything (body[data-render-ms]). */
  renderMs: number;
}

/**
 * Opens a report file the way a reader opens a CI artifact, by file://, with the network cut: any request
 * that is not for a local file is recorded and aborted. Resolves once the page has drawn everything.
 */
export async function openReport(
  browser: Browser,
  htmlFile: string,
  viewport?: { width: number; height: number },
): Promise<OpenedReport> {
  // A page opened at its size, not resized after drawing: charts then measure their boxes once.
  const context = await browser.newContext(viewport ? { viewport } : {});
  const errors: string[] = [];
  const outbound: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    outbound.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    if (!request.url().startsWith('file:') && !outbound.includes(request.url())) outbound.push(request.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  await page.goto(pathToFileURL(htmlFile).href);
  const body = await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  const renderMs = Number(await body.getAttribute('data-render-ms'));
  return { page, context, errors, outbound, renderMs };
}
