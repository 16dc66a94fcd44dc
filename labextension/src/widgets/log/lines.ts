/**
 * Step log lines as a user reads them: their own prints first, the runtime's log records apart and shortened.
 */

/** One log line, classified. */
export interface LogLine {
  text: string;
  /** A log record of the DigitalHub runtime or SDK, not something the step printed. */
  runtime: boolean;
}

// `2026-12-01 07:34:54,123 - dhcore./…/site-packages/digitalhub_runtime_python/runtime.py - INFO - Starting …`
const RECORD =
  /^(?:(?<time>\d{4}-\d\d-\d\d[ T](?<clock>\d\d:\d\d:\d\d)[^ ]*) - )?(?<logger>[^ ]+) - (?<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - (?<message>.*)$/;

/** Classify a line; runtime records are shortened to `HH:MM:SS file.py INFO message`. */
export function classifyLine(line: string): LogLine {
  if (line.startsWith('[dhhera] ')) {
    return { text: line, runtime: true }; // the local core's own notes (queued, exit code)
  }
  const match = RECORD.exec(line);
  if (!match?.groups) {
    return { text: line, runtime: false };
  }
  const { clock, logger, level, message } = match.groups;
  const runtime = /site-packages|digitalhub|dhcore/.test(logger);
  if (!runtime) {
    return { text: line, runtime: false };
  }
  const file = logger.split('/').pop() ?? logger;
  return { text: [clock, file.replace(/^dhcore\./, ''), level, message].filter(Boolean).join(' '), runtime: true };
}

/** The last `limit` lines of `text` (a log view never holds more). */
export function lastLines(text: string, limit: number): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines.length > limit ? lines.slice(lines.length - limit) : lines;
}
