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

/** Tokens at least this long get break points after path and name separators. */
export const LONG_TOKEN = 24;

/**
 * A line cut into pieces between which it may wrap: after `/`, `\`, `:`, `=`, `&`, `?` and `,`
 * inside tokens of {@link LONG_TOKEN} characters or more (paths, URLs, keys). Short words and the spaces between
 * them stay whole, so a log wraps at spaces and a long path at its separators, not at an arbitrary letter.
 * The pieces joined give the line back.
 */
export function softBreaks(line: string, long = LONG_TOKEN): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const token of line.split(/(\s+)/)) {
    if (token.length < long) {
      current += token;
      continue;
    }
    const parts = token.split(/(?<=[/\\:=&?,])(?=.)/);
    current += parts[0];
    for (const part of parts.slice(1)) {
      pieces.push(current);
      current = part;
    }
  }
  pieces.push(current);
  return pieces;
}

/** Append `text` to `parent` as text nodes with a `<wbr>` at each of its {@link softBreaks} (copying adds nothing). */
export function appendWrappable(parent: Node, text: string): void {
  softBreaks(text).forEach((piece, index) => {
    if (index > 0) {
      parent.appendChild(document.createElement('wbr'));
    }
    parent.appendChild(document.createTextNode(piece));
  });
}
