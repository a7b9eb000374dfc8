import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_ROLES, ConfigError, loadConfig, redactUrl } from './config.ts';

// Every call passes its own env and argv: the real process.env (CI sets DATABASE_URL, REDIS_URL)
// must not leak into what these tests see.
const load = (env: Record<string, string> = {}, argv: string[] = []) => loadConfig(env, argv);

/** The problems loadConfig reports for `env`; fails the test when it does not throw ConfigError. */
function problemsOf(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    load(env, argv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('serves HTTP on 127.0.0.1:8080 with every role and the embedded database', () => {
    const config = load();
    expect(config.http.host).toBe('127.0.0.1');
    expect(config.http.port).toBe(8080);
    expect(config.http.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.http.tlsCertFile).toBeUndefined();
    expect([...config.roles].sort()).toEqual([...ALL_ROLES].sort());
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.env).toBe('development');
  });

  it('resolves a relative DATA_DIR to an absolute path', () => {
    expect(load({ DATA_DIR: 'some/where' }).dataDir).toBe(path.resolve('some/where'));
  });

  it('switches the public URL to https when TLS is configured', () => {
    const config = load({ TLS_CERT: 'certs/dev.crt', TLS_KEY: 'certs/dev.key', PORT: '8443' });
    expect(config.http.publicUrl).toBe('https://127.0.0.1:8443');
  });

  it('puts a reachable address in the public URL when listening on every interface', () => {
    expect(load({ HOST: '0.0.0.0' }).http.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('takes PUBLIC_URL as given, without a trailing slash', () => {
    expect(load({ PUBLIC_URL: 'https://live.example.com/' }).http.publicUrl).toBe('https://live.example.com');
  });

  it('treats blank values as unset', () => {
    expect(load({ PORT: '  ', DATABASE_URL: '' }).http.port).toBe(8080);
  });
});

describe('loadConfig problems', () => {
  it('lists every problem at once instead of stopping at the first', () => {
    const problems = problemsOf({ PORT: 'abc', ROLES: 'api,foo' });
    expect(problems).toHaveLength(2);
    expect(problems.some((p) => p.includes('PORT') && p.includes("'abc'"))).toBe(true);
    expect(problems.some((p) => p.includes('ROLES') && p.includes("'foo'"))).toBe(true);
  });

  it('puts each problem in the error message', () => {
    expect(() => load({ PORT: '70000', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*LOG_LEVEL/);
  });

  it('refuses TLS_CERT without TLS_KEY, and the reverse', () => {
    expect(problemsOf({ TLS_CERT: 'certs/dev.crt' })).toEqual([expect.stringMatching(/TLS_CERT and TLS_KEY/)]);
    expect(problemsOf({ TLS_KEY: 'certs/dev.key' })).toEqual([expect.stringMatching(/TLS_CERT and TLS_KEY/)]);
  });

  it('refuses WebRTC server ports inside the RTC_MIN_PORT..RTC_MAX_PORT range', () => {
    // Workers listen on RTC_PORT..RTC_PORT+MEDIA_WORKERS-1; the last one may not reach 40000.
    expect(problemsOf({ RTC_PORT: '39999', MEDIA_WORKERS: '2' })).toEqual([
      expect.stringMatching(/\(39999-40000\) overlaps RTC_MIN_PORT/),
    ]);
    expect(problemsOf({ RTC_PORT: '44399', MEDIA_WORKERS: '1' })).toEqual([expect.stringMatching(/overlaps/)]);
    expect(load({ RTC_PORT: '39998', MEDIA_WORKERS: '2' }).media.rtcPort).toBe(39998);
    expect(load({ RTC_PORT: '44400', MEDIA_WORKERS: '4' }).media.rtcPort).toBe(44400);
    // 0 lets the system pick free ports, which never collide.
    expect(load({ RTC_PORT: '0', MEDIA_WORKERS: '4' }).media.rtcPort).toBe(0);
  });

  it('refuses an inverted RTC port range', () => {
    expect(problemsOf({ RTC_MIN_PORT: '50000', RTC_MAX_PORT: '49000', RTC_PORT: '44400' })).toEqual([
      expect.stringMatching(/RTC_MIN_PORT \(50000\) must not exceed RTC_MAX_PORT \(49000\)/),
    ]);
  });

  it('trusts as many proxy hops as it is told, and true is one proxy, never every X-Forwarded-For entry', () => {
    expect(load().http.trustProxy).toBe(false);
    expect(load({ TRUST_PROXY: 'true' }).http.trustProxy).toBe(1);
    expect(load({ TRUST_PROXY: '2' }).http.trustProxy).toBe(2);
    expect(load({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).http.trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    expect(problemsOf({ TRUST_PROXY: 'yes please' })).toEqual([expect.stringMatching(/^TRUST_PROXY: 'yes please'/)]);
  });

  it('refuses URLs of the wrong kind', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://db/aethex', REDIS_URL: 'http://cache' })).toEqual([
      expect.stringMatching(/^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//),
      expect.stringMatching(/^REDIS_URL must start with redis:\/\/ or rediss:\/\//),
    ]);
  });

  it('never echoes the password of a DATABASE_URL or REDIS_URL it refuses', () => {
    const password = 'hunter2-s3cret';
    const unparsable = `postgresql://aethex:${password}@db:notaport/aethex`;
    const wrongScheme = `mysql://aethex:${password}@db:3306/aethex`;
    const refused: Record<string, string>[] = [
      { DATABASE_URL: unparsable },
      { DATABASE_URL: wrongScheme },
      { REDIS_URL: `redis://:${password}@cache:port` },
    ];
    for (const env of refused) {
      let message = '';
      try {
        load(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        message = `${(error as Error).message}\n${(error as ConfigError).problems.join('\n')}`;
      }
      expect(message).toMatch(/_URL/);
      expect(message).not.toContain(password);
    }
  });
});

describe('roles', () => {
  it('reads a comma-separated ROLES list', () => {
    expect([...load({ ROLES: ' api , web ' }).roles].sort()).toEqual(['api', 'web']);
    expect(load({ ROLES: 'all' }).roles.size).toBe(ALL_ROLES.length);
  });

  it('lets --roles= on the command line win over ROLES', () => {
    expect([...load({ ROLES: 'api' }, ['--roles=sfu,web']).roles].sort()).toEqual(['sfu', 'web']);
  });

  it('says what a role needs beside it in the same process', () => {
    expect(problemsOf({ ROLES: 'api,signaling' })).toEqual([
      "ROLES: 'signaling' needs 'sfu' in the same process; add it.",
    ]);
    expect(problemsOf({ ROLES: 'recorder' })).toEqual([
      "ROLES: 'recorder' needs 'signaling' and 'sfu' in the same process; add it.",
    ]);
    expect([...load({ ROLES: 'sfu,signaling,recorder' }).roles].sort()).toEqual(['recorder', 'sfu', 'signaling']);
  });

  it('reports an unknown role given with --roles=', () => {
    expect(problemsOf({ ROLES: 'api' }, ['--roles=sfu,media'])).toEqual([
      expect.stringMatching(/unknown role 'media'/),
    ]);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps everything else', () => {
    expect(redactUrl('postgresql://aethex:hunter2@db.internal:5432/aethex?sslmode=require')).toBe(
      'postgresql://aethex:***@db.internal:5432/aethex?sslmode=require',
    );
    expect(redactUrl('redis://:hunter2@cache:6379/0')).toBe('redis://:***@cache:6379/0');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('postgresql://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgresql://postgres@127.0.0.1:5432/postgres',
    );
  });

  it('says nothing of an unparsable URL, which may hold a password', () => {
    expect(redactUrl('postgresql://aethex:hunter2@db:notaport/x')).toBe('(invalid url)');
  });
});

describe('.env.example', () => {
  // The two files must not drift: a variable config.ts reads but .env.example omits is one nobody
  // finds, and one .env.example lists but config.ts ignores is a setting that silently does nothing.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const source = fs.readFileSync(path.join(here, 'config.ts'), 'utf8');
  const example = fs.readFileSync(path.join(here, '..', '.env.example'), 'utf8');

  it('lists exactly the variables config.ts reads', () => {
    const read = [...source.matchAll(/\bread\.\w+\(\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!);
    // ROLES is read directly (it has a command-line twin), not through an EnvReader method.
    expect(source).toContain('env.ROLES');
    const fromSource = [...new Set([...read, 'ROLES'])].sort();
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);

    expect(documented.length, 'a variable is documented twice in .env.example').toBe(new Set(documented).size);
    expect(fromSource.length).toBeGreaterThan(10); // the regex still matches the source
    expect(documented.sort()).toEqual(fromSource);
  });
});
