// A small polling `expect` for playwright-core locators (the test runner's own is not in
// playwright-core): each check retries until it holds or 10 s pass.
const TIMEOUT = 10_000;

async function poll(describe, check) {
  const deadline = Date.now() + TIMEOUT;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last.ok) return;
    } catch (e) {
      last = { ok: false, got: e.message };
    }
    if (Date.now() > deadline) throw new Error(`expected ${describe}; got ${JSON.stringify(last.got)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function expect(locator) {
  const make = (negate) => {
    const want = (ok) => (negate ? !ok : ok);
    const not = negate ? 'not ' : '';
    return {
      toHaveText: (text) => poll(`${locator} ${not}to have text ${text}`, async () => {
        const got = (await locator.innerText()).trim();
        return { ok: want(text instanceof RegExp ? text.test(got) : got === text), got };
      }),
      toContainText: (text) => poll(`${locator} ${not}to contain ${text}`, async () => {
        const got = await locator.innerText();
        return { ok: want(text instanceof RegExp ? text.test(got) : got.includes(text)), got };
      }),
      toHaveValue: (value) => poll(`${locator} ${not}to have value ${value}`, async () => {
        const got = await locator.inputValue();
        return { ok: want(got === value), got };
      }),
      toBeVisible: () => poll(`${locator} ${not}to be visible`, async () => {
        const got = await locator.isVisible();
        return { ok: want(got), got };
      }),
      toBeChecked: () => poll(`${locator} ${not}to be checked`, async () => {
        const got = await locator.isChecked();
        return { ok: want(got), got };
      }),
      toBeDisabled: () => poll(`${locator} ${not}to be disabled`, async () => {
        const got = await locator.isDisabled();
        return { ok: want(got), got };
      }),
      toHaveCount: (n) => poll(`${locator} ${not}to have count ${n}`, async () => {
        const got = await locator.count();
        return { ok: want(got === n), got };
      }),
    };
  };
  return Object.assign(make(false), { not: make(true) });
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
