// Browser helpers: a context per scenario, console and page-error capture, screenshots, and the
// page-wide checks every main screen gets (labels, no overflow, no console errors).
import path from 'node:path';
import { chromium } from 'playwright-core';

export async function launch(executablePath) {
  return chromium.launch({ executablePath, headless: true });
}

// Problem answers the API gives by contract; a browser logs each as "Failed to load resource".
// Anything else in the console (any other status, any script error or warning) fails the screen.
const EXPECTED_PROBLEMS = [
  { method: 'PATCH', path: /\/api\/v1\/subscriptions\/[^/]+\/capabilities$/, status: [409] },
  { method: 'PUT', path: /\/api\/v1\/subscriptions\/[^/]+\/config$/, status: [412, 422] },
];

export async function newScreen(browser, { base, artifacts, viewport = { width: 1280, height: 800 }, log }) {
  const context = await browser.newContext({ viewport, baseURL: base });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = new Map(); // url -> {method, status}
  const consoleErrors = [];
  const expectedSeen = [];
  page.on('response', (r) => {
    if (r.status() >= 400) problems.set(r.url(), { method: r.request().method(), status: r.status() });
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const url = m.location()?.url ?? '';
    if (/^Failed to load resource/.test(m.text())) {
      const p = problems.get(url);
      const pathname = url ? new URL(url).pathname : '';
      if (p && EXPECTED_PROBLEMS.some((e) => e.method === p.method && e.path.test(pathname) && e.status.includes(p.status))) {
        expectedSeen.push(`${p.method} ${pathname} ${p.status}`);
        return;
      }
    }
    consoleErrors.push(`console ${m.type()}: ${m.text()} ${url}`);
  });

  return {
    page,
    context,
    expectedSeen,
    /** Fails when the console got anything unexpected since the last check. */
    assertCleanConsole(where) {
      const found = consoleErrors.splice(0);
      if (found.length) throw new Error(`console errors on ${where}:\n  ${found.join('\n  ')}`);
    },
    async shot(name, { fullPage = false } = {}) {
      const file = path.join(artifacts, `${name}.png`);
      // A full-page capture keeps the viewport, so the sticky save bar would float mid-page.
      const unstick = fullPage ? await page.addStyleTag({ content: '.save-bar{position:static!important}' }) : null;
      await page.screenshot({ path: file, fullPage });
      if (unstick) await unstick.evaluate((el) => el.remove());
      log?.(`  screenshot ${file}`);
      return file;
    },
    /** The checks every main screen gets. */
    async checkScreen(where) {
      await assertLabelled(page, where);
      await assertNoHorizontalOverflow(page, where);
      this.assertCleanConsole(where);
    },
    close: () => context.close(),
  };
}

/** Every visible form control has an accessible name (label, aria-label or aria-labelledby). */
export async function assertLabelled(page, where) {
  const unlabelled = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea, button')) {
      if (el.type === 'hidden' || el.closest('[hidden], .d-none, .hidden')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const labelled =
        el.getAttribute('aria-label')?.trim() ||
        el.getAttribute('aria-labelledby') ||
        (el.labels && [...el.labels].some((l) => l.textContent.trim())) ||
        (el.tagName === 'BUTTON' && (el.textContent.trim() || el.title));
      if (!labelled) out.push(el.outerHTML.slice(0, 160));
    }
    return out;
  });
  if (unlabelled.length) throw new Error(`controls without a label on ${where}:\n  ${unlabelled.join('\n  ')}`);
}

export async function assertNoHorizontalOverflow(page, where) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  if (scroll > width + 1) throw new Error(`${where} scrolls sideways: content ${scroll}px in a ${width}px viewport`);
}

/**
 * Tabs through the first `count` stops and checks that each focused element shows a focus
 * indicator (an outline or a box-shadow) and has a name.
 */
export async function assertKeyboardFocus(page, where, count = 25) {
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  const bad = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow && s.boxShadow !== 'none');
      return { visible, tag: el.tagName, html: el.outerHTML.slice(0, 120) };
    });
    if (info && !info.visible) bad.push(info.html);
  }
  if (bad.length) throw new Error(`no visible focus on ${where} for:\n  ${bad.join('\n  ')}`);
}

export async function signInAs(screen, email, password) {
  const { page } = screen;
  await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
