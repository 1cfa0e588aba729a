import { describe, expect, it } from "vitest";
import { httpUrlVar, portVar, redisUrlVar } from "./env-schema.ts";

describe("portVar", () => {
  it("parses 0–65535 and falls back to its default", () => {
    expect(portVar(80).parse("0")).toBe(0);
    expect(portVar(80).parse("65535")).toBe(65_535);
    expect(portVar(80).parse(undefined)).toBe(80);
  });

  it("rejects anything else", () => {
    for (const value of ["65536", "-1", "80.5", "eighty", "123456"]) {
      expect(portVar(80).safeParse(value).success).toBe(false);
    }
  });
});

describe("urlVar", () => {
  it("accepts only the listed schemes, with a host, and keeps the value as given", () => {
    expect(redisUrlVar().parse("rediss://cache:6380/0")).toBe("rediss://cache:6380/0");
    expect(httpUrlVar().parse("https://gateway.example/")).toBe("https://gateway.example/");
    for (const value of ["redis://", "http://cache:6379", "cache:6379", "not a url"]) {
      expect(redisUrlVar().safeParse(value).success).toBe(false);
    }
  });
});
