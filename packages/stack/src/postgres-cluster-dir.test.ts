import { describe, expect, it } from "vitest";
import { chooseClusterPlacement, relocatedClusterDir } from "./postgres-cluster-dir.ts";

describe("chooseClusterPlacement", () => {
  it("keeps the cluster in the data directory whenever the postgres user can reach it", () => {
    expect(chooseClusterPlacement("absent", undefined)).toEqual({ kind: "in-data-dir" });
    expect(chooseClusterPlacement("directory", undefined)).toEqual({ kind: "in-data-dir" });
  });

  it("relocates only a cluster that does not exist yet", () => {
    expect(chooseClusterPlacement("absent", "/root")).toEqual({ kind: "relocate", blocked: "/root" });
    expect(chooseClusterPlacement("directory", "/root")).toEqual({ kind: "unreachable", blocked: "/root" });
  });

  it("follows a link made by an earlier start, and refuses anything else", () => {
    expect(chooseClusterPlacement("symlink", "/root")).toEqual({ kind: "follow-link" });
    expect(chooseClusterPlacement("other", undefined)).toEqual({ kind: "not-a-directory" });
  });
});

describe("relocatedClusterDir", () => {
  it("names one directory per absolute data directory", () => {
    expect(relocatedClusterDir("/root/perimeter/.data", "/clusters")).toBe("/clusters/17db4d29f98f55c0");
    expect(relocatedClusterDir("/root/perimeter/.data/", "/clusters")).toBe("/clusters/17db4d29f98f55c0");
    expect(relocatedClusterDir("/root/other/.data", "/clusters")).not.toBe("/clusters/17db4d29f98f55c0");
  });
});
