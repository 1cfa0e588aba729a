import { randomBytes } from "node:crypto";
import { test as base, expect, type Locator, type Page } from "@playwright/test";

export { expect };

/** A suffix that keeps each journey's teams and people apart from every other run's. */
export function unique(): string {
  return randomBytes(4).toString("hex");
}

export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? "admin@perimeter.local",
  password: process.env.E2E_ADMIN_PASSWORD ?? "",
};

/**
 * Playwright's `test` with one addition: any console error, failed hydration or uncaught exception on a
 * page fails the journey that caused it.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ context }, use) => {
      const errors: string[] = [];
      context.on("page", (page) => watch(page, errors));
      for (const page of context.pages()) watch(page, errors);
      await use(errors);
      expect(errors, "console errors on the pages this journey visited").toEqual([]);
    },
    { auto: true },
  ],
});

/** Collects `page`'s console errors and uncaught exceptions into `errors`. */
export function watch(page: Page, errors: string[]) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // A failed fetch names its page only; the resource's own URL says which request it was.
    const resource = message.location().url;
    const source = resource && resource !== page.url() ? ` (${resource})` : "";
    errors.push(`${page.url()}: ${message.text()}${source}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
}

/** Signs in through the form, as a person would, and waits for the dashboard. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Sections" })).toBeVisible();
}

/** Signs out through the sidebar button. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Perimeter" })).toBeVisible();
}

/** Where screenshots go when E2E_SCREENSHOT_DIR is set (to refresh docs/screenshots); otherwise nowhere. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (!dir) return;
  // From the top, as a reader arrives: a sticky sidebar would otherwise be drawn where the page was scrolled.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Accepts an invitation link in `page`: sets the password and waits for the account to be ready. */
export async function acceptInvitation(page: Page, link: string, email: string, password: string): Promise<void> {
  await page.goto(link);
  await expect(page.getByText(`as ${email}`)).toBeVisible();
  await page.getByLabel(/^Password/).fill(password);
  await page.getByLabel("Repeat the password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("status")).toContainText("Your account is ready");
}

/** Opens the Deployments page's form filled for a simulator deployment of the served model named `name`. */
export async function openSimulatorForm(page: Page, name: string): Promise<Locator> {
  await page.goto("/deployments");
  const form = page.getByTestId("create-deployment-form");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("combobox", { name: "Model" }).selectOption({ label: "umans-coder-v0" });
  await form.getByLabel("Driver").selectOption("simulator");
  return form;
}

/**
 * Submits `form` as a simulator that starts in 300 ms, answers without token latency and stops at once,
 * so journeys stay short; returns the deployment's id once its page is shown.
 */
export async function submitQuickSimulator(page: Page, form: Locator, name: string): Promise<string> {
  await form.getByLabel("Start-up time (ms)").fill("300");
  await form.getByLabel("Answer without token latency").check();
  await form.getByLabel("Pre-stop delay (s)").fill("0");
  await form.getByLabel("Drain timeout (s)").fill("0");
  await form.getByRole("button", { name: "Create deployment" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  return new URL(page.url()).pathname.split("/").at(-1) ?? "";
}

/** Creates a quick simulator deployment (see `submitQuickSimulator`) from the Deployments page. */
export async function createQuickSimulator(page: Page, name: string): Promise<string> {
  return submitQuickSimulator(page, await openSimulatorForm(page, name), name);
}
