import { describe, expect, it } from 'vitest';

import { classifyLine, lastLines, softBreaks } from '../widgets/log/lines';

describe('classifyLine', () => {
  it('shortens runtime records and leaves prints alone', () => {
    const record =
      '2026-12-01 07:34:54,123 - dhcore./usr/lib/python3.11/site-packages/digitalhub_runtime_python/runtime.py' +
      ' - INFO - Executing function.';
    expect(classifyLine(record)).toEqual({ text: '07:34:54 runtime.py INFO Executing function.', runtime: true });
    expect(classifyLine('squares: [1, 4, 9]')).toEqual({ text: 'squares: [1, 4, 9]', runtime: false });
    expect(classifyLine('[dhhera] process exited with code 0').runtime).toBe(true);
    expect(classifyLine('mylib - INFO - mine')).toEqual({ text: 'mylib - INFO - mine', runtime: false });
  });
});

describe('lastLines', () => {
  it('keeps the last lines only', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('', 2)).toEqual([]);
  });
});

describe('softBreaks', () => {
  it('lets long paths wrap after their separators and leaves words whole', () => {
    const line = 'File "/root/lib/python3.11/site-packages/digitalhub/runtimes/_base.py", line 121, in _execute';
    const pieces = softBreaks(line);
    expect(pieces.join('')).toBe(line);
    expect(pieces).toContain('python3.11/');
    expect(pieces[pieces.length - 1]).toBe('_base.py", line 121, in _execute');
    expect(softBreaks('RuntimeError: Something went wrong during function execution.')).toEqual([
      'RuntimeError: Something went wrong during function execution.'
    ]);
    expect(softBreaks('')).toEqual(['']);
  });
});
