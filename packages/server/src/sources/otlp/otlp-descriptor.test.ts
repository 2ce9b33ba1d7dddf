import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DESCRIPTOR_FILE, descriptorSource } from "./proto/generate-descriptor.js";

describe("the OTLP descriptor", () => {
  it("is what the .proto files in proto/ give (regenerate with proto/generate-descriptor.ts)", () => {
    expect(readFileSync(DESCRIPTOR_FILE, "utf8")).toBe(descriptorSource());
  });
});
