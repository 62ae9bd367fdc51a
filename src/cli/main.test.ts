import { describe, expect, it } from 'vitest';
import { commands, helpText, main } from './main.ts';

describe('pacifica CLI dispatcher', () => {
  it('registers help and test', () => {
    expect(Object.keys(commands)).toEqual(expect.arrayContaining(['help', 'test']));
  });

  it('lists every command in --help', () => {
    const text = helpText();
    for (const name of Object.keys(commands)) expect(text).toContain(`  ${name}`);
  });

  it('rejects an unknown command with exit code 2', async () => {
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['no-such-command'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
