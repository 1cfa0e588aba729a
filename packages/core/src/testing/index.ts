// Test fixtures for other workspaces' integration tests: a fresh organization, team and developer per test.
export { createTestTeam, type TestTeam } from "./create-test-team.ts";
export { createTestTenant, type TestTenant, testKeyPepper } from "./create-test-tenant.ts";
