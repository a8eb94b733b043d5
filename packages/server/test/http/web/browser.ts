import { CHROMIUM_ARGS } from '@sesame/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';

/** A chromium page with what it requested and any console error or CSP violation it reported. */
export interface PageSession {
  page: Page;
  requests: string[];
  problems: string[];
  close(): Promise<void>;
}

/** Launches chromium at `executablePath` and opens `url`, waiting for the page script to be ready. */
export async function openPage(executablePath: string, url: string): Promise<PageSession> {
  const browser: Browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  const page = await browser.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, requests, problems, close: () => browser.close() };
}

/**
 * Signs in on Sesame's login page as a person does: types into the labelled fields and presses
 * "Sign in" (what follows, the consent page or an error, is the caller's to wait for).
 */
export async function signInOnPage(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
