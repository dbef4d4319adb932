/**
 * Test helpers for code that uses an {@link "@qt/eventbus"!EventBus}: a ready test bus, an event recorder, and
 * a way to await the next matching event. No sleeps needed: await `bus.idle()` or these.
 *
 * @packageDocumentation
 * @module @qt/eventbus/testing
 */
export { type EventRecorder, nextEvent, publishAll, recordEvents } from "./event-recorder.js";
export { createRecordingLogger, type LogEntry, type RecordingLogger } from "./recording-logger.js";
export { createTestBus, type TestBus } from "./test-bus.js";
export { thrown, validationIssues } from "./thrown.js";
