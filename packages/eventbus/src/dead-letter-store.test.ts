import { describe, expect, it } from "vitest";
import { type DeadLetter, InMemoryDeadLetterStore, toDeadLetterError } from "./dead-letter-store.js";
import { createEvent } from "./envelope.js";

const letter = (id: string): DeadLetter => ({
  id,
  event: createEvent("x", {}),
  handler: undefined,
  reason: "shutdown",
  error: undefined,
  attempts: 0,
  deadLetteredAt: new Date(),
});

describe("InMemoryDeadLetterStore", () => {
  it("list() keeps insertion order and take() removes", () => {
    const store = new InMemoryDeadLetterStore();
    store.add(letter("a"));
    store.add(letter("b"));
    expect(store.list().map((l) => l.id)).toEqual(["a", "b"]);
    expect(store.take("a")?.id).toBe("a");
    expect(store.take("a")).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it("is bounded: the oldest entry is evicted and reported through onEvict", () => {
    const evicted: string[] = [];
    const store = new InMemoryDeadLetterStore({ capacity: 2, onEvict: (l) => evicted.push(l.id) });
    for (const id of ["a", "b", "c", "d"]) store.add(letter(id));
    expect(store.list().map((l) => l.id)).toEqual(["c", "d"]);
    expect(evicted).toEqual(["a", "b"]);
  });

  it("re-adding an id it holds replaces that entry without evicting another", () => {
    const evicted: string[] = [];
    const store = new InMemoryDeadLetterStore({ capacity: 2, onEvict: (l) => evicted.push(l.id) });
    for (const id of ["a", "b", "b"]) store.add(letter(id));
    expect(store.list().map((l) => l.id)).toEqual(["a", "b"]);
    expect(evicted).toEqual([]);
  });

  it("refuses a capacity below 1", () => {
    expect(() => new InMemoryDeadLetterStore({ capacity: 0 })).toThrow(RangeError);
  });
});

describe("toDeadLetterError()", () => {
  it("keeps name, message, code and stack of an Error, and stringifies anything else", () => {
    const error = Object.assign(new TypeError("bad"), { code: "E_BAD" });
    expect(toDeadLetterError(error)).toMatchObject({ name: "TypeError", message: "bad", code: "E_BAD" });
    expect(toDeadLetterError(42)).toEqual({
      name: "NonError",
      message: "42",
      code: undefined,
      stack: undefined,
    });
    expect(toDeadLetterError(undefined)).toBeUndefined();
  });
});
