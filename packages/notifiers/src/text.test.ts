import { describe, expect, it } from "vitest";
import { oneLine, stripLinks, suppressedNote, truncate } from "./text.js";

describe("truncate()", () => {
  it("keeps short text and cuts long text with an ellipsis", () => {
    expect(truncate("abc", 3)).toBe("abc");
    expect(truncate("abcd", 3)).toBe("ab…");
    expect(truncate("abcd", 1)).toBe("…");
  });

  it("never splits a surrogate pair", () => {
    const cut = truncate("ab😀cd", 4);
    expect(cut).toBe("ab…");
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});

describe("stripLinks()", () => {
  it("removes URLs of any scheme and www. addresses", () => {
    expect(stripLinks("a https://x.y/z?q=1 b http://x c www.x.y d mailto:x@y e discord://x")).toBe(
      "a [link removed] b [link removed] c [link removed] d mailto:x@y e [link removed]",
    );
  });
});

describe("suppressedNote()", () => {
  it("says nothing for zero and counts otherwise", () => {
    expect(suppressedNote(0)).toBe("");
    expect(suppressedNote(1)).toBe("1 similar alert suppressed since the last message.");
    expect(suppressedNote(12)).toBe("12 similar alerts suppressed since the last message.");
  });
});

describe("oneLine()", () => {
  it("joins lines", () => {
    expect(oneLine(" a\r\nb\tc \n")).toBe("a b c");
  });
});
