import { admin, expect, screenshot, signIn, test, unique } from "./support.ts";

test("an admin creates a simulator deployment, watches it become Ready, scales it and stops it", async ({ page }) => {
  test.setTimeout(180_000);
  const name = `sim-${unique()}`;
  await signIn(page, admin.email, admin.password);
  await page.goto("/deployments");
  const form = page.getByTestId("create-deployment-form");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("combobox", { name: "Model" }).selectOption({ label: "umans-coder-v0" });
  await form.getByLabel("Driver").selectOption("simulator");

  // A bad value is answered next to its field, and nothing is created.
  await form.getByLabel("Start-up time (ms)").fill("-5");
  await form.getByRole("button", { name: "Create deployment" }).click();
  await expect(form.locator(".field.has-error")).toContainText("must be at least 0");
  await expect(page.getByTestId("deployments-table")).not.toContainText(name);
  await expect(form.getByLabel("Name")).toHaveValue(name);

  // A quick simulator that stops at once, so the journey stays short.
  await form.getByLabel("Start-up time (ms)").fill("300");
  await form.getByLabel("Answer without token latency").check();
  await form.getByLabel("Pre-stop delay (s)").fill("0");
  await form.getByLabel("Drain timeout (s)").fill("0");
  await form.getByRole("button", { name: "Create deployment" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

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
