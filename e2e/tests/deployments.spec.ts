import { admin, expect, openSimulatorForm, screenshot, signIn, submitQuickSimulator, test, unique } from "./support.ts";

test("an admin creates a simulator deployment, watches it become Ready, scales it and stops it", async ({ page }) => {
  test.setTimeout(180_000);
  const name = `sim-${unique()}`;
  await signIn(page, admin.email, admin.password);
  const form = await openSimulatorForm(page, name);

  // A bad value is answered next to its field, and nothing is created.
  await form.getByLabel("Start-up time (ms)").fill("-5");
  await form.getByRole("button", { name: "Create deployment" }).click();
  await expect(form.locator(".field.has-error")).toContainText("must be at least 0");
  await expect(page.getByTestId("deployments-table")).not.toContainText(name);
  await expect(form.getByLabel("Name")).toHaveValue(name);

  await submitQuickSimulator(page, form, name);

  // The page follows the reconciler live: no reload anywhere below.
  const phase = page.getByTestId("deployment-phase");
  const replicas = page.getByTestId("replicas-table").locator("tbody tr");
  await expect(phase).toHaveText("Ready", { timeout: 60_000 });
  await expect(page.getByTestId("replica-count")).toHaveText("1 ready of 1 wanted");
  await expect(replicas).toHaveCount(1);
  await expect(replicas.first()).toContainText("healthy");
  await expect(replicas.first()).toContainText("routed");

  const scale = page.getByTestId("scale-form");
  await scale.getByLabel("Replicas").fill("2");
  await scale.getByRole("button", { name: "Scale" }).click();
  await expect(scale.getByRole("status")).toHaveText("Scaling to 2 replica(s).");
  await expect(page.getByTestId("replica-count")).toHaveText("2 ready of 2 wanted", { timeout: 60_000 });
  await expect(phase).toHaveText("Ready");
  await expect(replicas).toHaveCount(2);
  await screenshot(page, "deployment");

  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await page.getByRole("button", { name: `Stop ${name}` }).click();
  await expect(phase).toHaveText("Stopped", { timeout: 60_000 });
  await expect(page.getByText("Stopped: no replicas.")).toBeVisible();

  // Cleaned up: deleting takes it out of the list once the worker has removed everything.
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deployments" })).toBeVisible();
  await expect(page.getByTestId("deployments-table")).not.toContainText(name, { timeout: 60_000 });
});
