// The S3_ settings as loadConfig reads them: off unless S3_BUCKET is set, and every mistake named
// with what to fix, without echoing a secret.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../common/config.ts';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, []);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected a ConfigError for ${Object.keys(env).join(', ')}`);
}

describe('S3 settings', () => {
  it('keeps recordings local by default, also with .env.example copied as it is', () => {
    expect(loadConfig({}, []).recorder.s3).toBeUndefined();
    expect(
      loadConfig({ S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: '', S3_BUCKET: '' }, []).recorder.s3,
    ).toBeUndefined();
  });

  it('reads a MinIO-style setup: path-style by default with an endpoint', () => {
    const s3 = loadConfig(
      {
        S3_BUCKET: 'vods',
        S3_ENDPOINT: 'http://127.0.0.1:9000/',
        S3_ACCESS_KEY_ID: 'minio',
        S3_SECRET_ACCESS_KEY: SECRET,
        S3_PUBLIC_URL: 'https://cdn.example.com/vods/',
      },
      [],
    ).recorder.s3;
    expect(s3).toEqual({
      bucket: 'vods',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      accessKeyId: 'minio',
      secretAccessKey: SECRET,
      forcePathStyle: true,
      publicUrl: 'https://cdn.example.com/vods',
    });
  });

  it("uses AWS's regional endpoint and virtual-hosted buckets without an endpoint", () => {
    const s3 = loadConfig(
      { S3_BUCKET: 'my.vods', S3_REGION: 'eu-west-3', S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: SECRET },
      [],
    ).recorder.s3;
    expect(s3).toMatchObject({
      endpoint: 'https://s3.eu-west-3.amazonaws.com',
      forcePathStyle: false,
      publicUrl: undefined,
    });
  });

  it('asks for the credentials a bucket needs', () => {
    expect(problemsOf({ S3_BUCKET: 'vods' })).toEqual([
      expect.stringMatching(/S3_BUCKET is set.*set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/),
    ]);
    expect(problemsOf({ S3_BUCKET: 'vods', S3_ACCESS_KEY_ID: 'key' })).toEqual([
      expect.stringMatching(/set S3_SECRET_ACCESS_KEY \(/),
    ]);
  });

  it('refuses S3 settings without a bucket, naming them but not their values', () => {
    const problems = problemsOf({ S3_ENDPOINT: 'http://minio:9000', S3_SECRET_ACCESS_KEY: SECRET });
    expect(problems).toEqual([expect.stringMatching(/S3_ENDPOINT, S3_SECRET_ACCESS_KEY are set but S3_BUCKET is not/)]);
    expect(problems.join()).not.toContain(SECRET);
  });

  it('refuses a bad endpoint, public URL, bucket name or region, and never echoes the secret', () => {
    const problems = problemsOf({
      S3_BUCKET: 'Bad_Bucket',
      S3_ENDPOINT: '127.0.0.1:9000',
      S3_PUBLIC_URL: 'ftp://cdn.example.com',
      S3_REGION: 'Europe West',
      S3_ACCESS_KEY_ID: 'key',
      S3_SECRET_ACCESS_KEY: SECRET,
      S3_FORCE_PATH_STYLE: 'maybe',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^S3_ENDPOINT (is not a valid URL|must start with http:\/\/ or https:\/\/)/),
        expect.stringMatching(/^S3_PUBLIC_URL must start with http:\/\/ or https:\/\//),
        expect.stringMatching(/^S3_BUCKET must be a bucket name/),
        expect.stringMatching(/^S3_REGION must be a region name/),
        expect.stringMatching(/^S3_FORCE_PATH_STYLE must be true or false/),
      ]),
    );
    expect(problems).toHaveLength(5);
    expect(problems.join()).not.toContain(SECRET);
  });
});
