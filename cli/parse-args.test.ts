import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './parse-args.ts';

/** The UsageError message for argv; fails the test when parsing succeeds or throws something else. */
function usageErrorOf(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(argv)}`);
}

describe('parseCliArgs', () => {
  it('parses user create, with and without the optional name', () => {
    expect(parseCliArgs(['user', 'create', '--email', 'ada@example.com', '--password', 'correct horse'])).toEqual({
      command: 'user.create',
      email: 'ada@example.com',
      password: 'correct horse',
    });
    expect(
      parseCliArgs(['user', 'create', '--name', 'Ada', '--password', 'pw123456', '--email', 'ada@example.com']),
    ).toEqual({
      command: 'user.create',
      email: 'ada@example.com',
      password: 'pw123456',
      name: 'Ada',
    });
  });

  it('parses channel create', () => {
    expect(
      parseCliArgs(['channel', 'create', '--owner', 'ada@example.com', '--slug', 'ada', '--title', 'Ada live']),
    ).toEqual({
      command: 'channel.create',
      owner: 'ada@example.com',
      slug: 'ada',
      title: 'Ada live',
    });
  });

  it('parses channel update, its dashed flag into the field', () => {
    expect(parseCliArgs(['channel', 'update', '--slug', 'ada', '--mode', 'dj', '--audio-kbps', '256'])).toEqual({
      command: 'channel.update',
      slug: 'ada',
      mode: 'dj',
      audioKbps: '256',
    });
  });

  it('parses stream-key create and revoke', () => {
    expect(parseCliArgs(['stream-key', 'create', '--channel', 'ada'])).toEqual({
      command: 'stream-key.create',
      channel: 'ada',
    });
    expect(parseCliArgs(['stream-key', 'revoke', '--channel', 'ada'])).toEqual({
      command: 'stream-key.revoke',
      channel: 'ada',
    });
  });

  it('names every missing required flag', () => {
    expect(usageErrorOf(['user', 'create'])).toBe("'user create' needs --email and --password.");
    expect(usageErrorOf(['channel', 'create', '--slug', 'ada'])).toBe("'channel create' needs --owner.");
  });

  it('refuses a flag the command does not have', () => {
    expect(usageErrorOf(['stream-key', 'create', '--channel', 'ada', '--slug', 'ada'])).toBe(
      "'stream-key create' has no option --slug.",
    );
  });

  it('refuses a flag without a value, at the end or followed by another flag', () => {
    expect(usageErrorOf(['stream-key', 'create', '--channel'])).toBe('--channel needs a value.');
    expect(usageErrorOf(['user', 'create', '--email', '--password', 'pw123456'])).toBe('--email needs a value.');
  });

  it('refuses a flag given twice rather than picking one', () => {
    expect(usageErrorOf(['stream-key', 'revoke', '--channel', 'a', '--channel', 'b'])).toBe(
      '--channel is given twice.',
    );
  });

  it('refuses a stray positional argument', () => {
    expect(usageErrorOf(['stream-key', 'create', 'ada'])).toBe("unexpected argument 'ada'.");
  });

  it('refuses an unknown command and points to --help', () => {
    expect(usageErrorOf(['stream', 'start'])).toMatch(/^unknown command 'stream start'; try .*--help/);
    expect(usageErrorOf(['user'])).toMatch(/^unknown command 'user'/);
    expect(usageErrorOf([])).toMatch(/no command given/);
  });
});
