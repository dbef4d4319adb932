import { z } from "zod";

// Building blocks shared by the event schemas. zod 4's z.number() already refuses NaN and
// ±Infinity, so every number below is finite.

/** An id, name or free text that must say something. */
export const nonEmptyString = z.string().min(1);

/** A fraction such as a confidence or a share of equity per trade. */
export const unitInterval = z.number().min(0).max(1);

/** Named measurements, e.g. `{ sharpe: 1.4, max_dd: -0.05 }`. */
export const numberRecord = z.record(z.string().min(1), z.number());

/** Free-form JSON data (strings, finite numbers, booleans, null, arrays, objects). */
export const jsonRecord = z.record(z.string().min(1), z.json());
