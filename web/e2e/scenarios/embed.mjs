// The widget's embed code: shown with a copy button while the widget capability is on
// (GET .../embed answers enabled: true), absent while it is off.
import { BUYER, PASSWORD } from '../lib/api.mjs';
import { newScreen, signInAs } from '../lib/browser.mjs';
import { assert, expect } from './expect.mjs';
import { kbWidgetOffering, subscribeInPage } from './fixtures.mjs';

export const EMBED_ROUTE = '/api/v1/subscriptions/{id}/embed';

export default {
  name: 'widget-embed-code',
  async run({ browser, base, artifacts, log, routes }) {
    assert(routes.has(EMBED_ROUTE), `the server documents GET ${EMBED_ROUTE}`);
    const offering = await kbWidgetOffering(base);
    const screen = await newScreen(browser, { base, artifacts, log });
    const { page } = screen;
    try {
      await signInAs(screen, BUYER, PASSWORD);
      await subscribeInPage(screen, offering.name);
      const card = page.getByRole('heading', { name: 'Widget embed code' });
      await expect(card).toHaveCount(0);
      await page.getByRole('switch', { name: 'Knowledge Base', exact: true }).check();
      await page.getByRole('switch', { name: 'Embeddable Widget', exact: true }).check();
      await expect(card).toBeVisible();
      const html = await page.getByTestId('embed-html').innerText();
      assert(/<script[\s>]/i.test(html), `the embed code is a script tag: ${html}`);
      await page.getByRole('button', { name: 'Copy embed code' }).click();
      const clipboard = await page.evaluate(() => navigator.clipboard.readText());
      assert(clipboard === html, 'the copy button put the embed code on the clipboard');
      await card.scrollIntoViewIfNeeded();
      await screen.shot('13-embed-code');
      await screen.checkScreen('configure with embed code');
      await page.getByRole('switch', { name: 'Embeddable Widget', exact: true }).uncheck();
      await expect(card).toHaveCount(0);
      screen.assertCleanConsole('configure after turning the widget off');
    } finally {
      await screen.close();
    }
  },
};
