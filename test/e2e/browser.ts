/**
 * Starts the system's Chromium (Debian package) through playwright-core for browser tests.
 * Each launch gets a fresh temporary profile, removed again by close().
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Flags that keep Chromium headless, offline from Google services and quick to start. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Options of launchBrowser. */
export interface LaunchBrowserOptions {
  /** Viewport in CSS pixels. Default 1280 x 900. */
  viewport?: { width: number; height: number };
  /** Emulated prefers-color-scheme. Default "light". */
  colorScheme?: 'light' | 'dark';
  /** Timeout for launching Chromium, in milliseconds. Default 30000. */
  launchTimeoutMs?: number;
  /**
   * Ignore pages' Content-Security-Policy, so tests can inject scripts such as axe-core into a
   * page whose CSP allows only its own scripts. Default false.
   */
  bypassCsp?: boolean;
}

/** A running Chromium with its own profile. */
export interface LaunchedBrowser {
  /** The browser context; every page opened in it shares the temporary profile. */
  context: BrowserContext;
  /** Opens a new tab. */
  newPage(): Promise<Page>;
  /** Closes Chromium and deletes the temporary profile. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Path of the Chromium executable: CHROMIUM_PATH when set, else /usr/bin/chromium.
 * Throws an Error naming the path and the fix when it is missing or not executable.
 */
export function resolveChromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `browser tests need Chromium at ${path}, but it is missing or not executable; ` +
        'install the Debian package "chromium" or set CHROMIUM_PATH to a Chromium binary',
    );
  }
  return path;
}

/**
 * Launches headless Chromium with a fresh temporary user-data-dir. Fails with a clear message
 * when Chromium is missing or does not start.
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<LaunchedBrowser> {
  const executablePath = resolveChromiumPath();
  const userDataDir = await mkdtemp(join(tmpdir(), 'llmwatch-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 900 },
      colorScheme: options.colorScheme ?? 'light',
      timeout: options.launchTimeoutMs ?? 30_000,
      bypassCSP: options.bypassCsp ?? false,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium at ${executablePath} failed to start: ${String(err)}`, {
      cause: err,
    });
  }

  let closed = false;
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
