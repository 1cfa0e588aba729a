import { describe, expect, it } from "vitest";
import { podToReplica } from "./kubernetes-driver.ts";

const meta = { name: "coder-a", labels: { "perimeter.dev/revision": "r1" } };

describe("podToReplica", () => {
  it("reports a crash loop as not ready, with the last exit", () => {
    const replica = podToReplica({
      metadata: meta,
      status: {
        phase: "Running",
        podIP: "127.0.0.3",
        containerStatuses: [
          {
            name: "vllm",
            ready: false,
            started: false,
            restartCount: 4,
            image: "i",
            imageID: "",
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } },
          },
        ],
      },
    });
    expect(replica).toMatchObject({
      phase: "running",
      ready: false,
      reason: "CrashLoop",
      message: "exit 137 (OOMKilled)",
    });
  });

  it("treats an image pull failure as provisioning, an evicted pod without IP as no endpoint, a failed pod as exited", () => {
    const pulling = podToReplica({
      metadata: meta,
      status: {
        phase: "Pending",
        containerStatuses: [
          {
            name: "vllm",
            ready: false,
            restartCount: 0,
            image: "i",
            imageID: "",
            state: { waiting: { reason: "ImagePullBackOff", message: "not found" } },
          },
        ],
      },
    });
    expect(pulling).toMatchObject({
      phase: "provisioning",
      reason: "ImagePullBackOff",
      message: "not found",
      endpoint: null,
    });
    expect(podToReplica({ metadata: meta, status: { phase: "Running" } })).toMatchObject({
      phase: "provisioning",
      endpoint: null,
    });
    expect(podToReplica({ metadata: meta, status: { phase: "Failed", reason: "Evicted" } })).toMatchObject({
      phase: "exited",
      reason: "Evicted",
    });
  });
});
