// The experiment command's own parts: option checks and the host probe's footer line.
import { describe, expect, it, vi } from 'vitest';
import { clockText, experimentCommand, probeText } from './experiment';

describe('pacifica experiment', () => {
  it('refuses a negative --idle-us and an unknown option, before running anything', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await experimentCommand(['--idle-us', '-1'])).toBe(2);
      expect(await experimentCommand(['--idle'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/--idle-us microseconds[\s\S]*unknown option --idle/);
    } finally {
      err.mockRestore();
    }
  });

  it('prints the host probe as warm and cold figures with their ratio', () => {
    const line = probeText({ idleUs: 5000, functions: 300, reads: 300, rounds: 100, codeWarmUs: 12, codeColdUs: 60, readsWarmUs: 0.5, readsColdUs: 4 });
    expect(line).toBe('host probe (plain JavaScript, not the emulator; medians of 100): 300 distinct small functions 12.0 µs back to back, ' +
      '60.0 µs after 5000 µs idle (5.0x); 300 scattered reads 0.50 -> 4.00 µs (8.0x)\n');
    expect(clockText(2)).toBe('  2 MHz');
    expect(clockText(2200)).toBe('2.2 GHz');
  });
});
