#!/usr/bin/env node
// Runs the simulator's TypeScript entry point through tsx's loader, so the package ships no build step.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
