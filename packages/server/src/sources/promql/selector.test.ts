import { describe, expect, it } from "vitest";
import { parseSelector, seriesSelector } from "./selector.js";

describe("parseSelector", () => {
  it("takes label matchers in braces", () => {
    expect(parseSelector('{user_email="me@example.com"}')).toEqual({ matchers: 'user_email="me@example.com"' });
    expect(parseSelector('{ team=~"a|b" , machine!="ci", }')).toEqual({ matchers: 'team=~"a|b" , machine!="ci"' });
    expect(parseSelector("{}")).toEqual({ matchers: "" });
    expect(parseSelector('{a="x\\"y"}')).toEqual({ matchers: 'a="x\\"y"' });
  });

  it("refuses anything that is not just matchers (it is spliced into the queries)", () => {
    for (const bad of [
      'user_email="x"',
      '{a="x"} or vector(1)',
      '{a="x"}[5m]',
      "{a=x}",
      '{a="x"}}',
      '{__name__="up"}',
      '{a="x" b="y"}',
      `{${'a="x",'.repeat(400)}}`,
    ]) {
      expect(parseSelector(bad), bad).toHaveProperty("error");
    }
  });

  it("narrows both names of a counter family", () => {
    expect(seriesSelector(["a_total", "b_total"], 'user_email="me"')).toBe('{__name__=~"a_total|b_total",user_email="me"}');
    expect(seriesSelector(["a_total"], "")).toBe('{__name__=~"a_total"}');
  });
});
