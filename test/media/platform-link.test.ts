import { describe, expect, it } from 'vitest';
import { MediaError, platformLink } from '../../src/media/index.js';

/** A file field's value is fetched (with Slack's bot token) only from the platform's own hosts. */
describe('platformLink', () => {
  const slack = { hosts: ['.slack.com'], what: 'Slack file link' };

  it('GIVEN the platform’s https host or the test double’s origin THEN the URL', () => {
    expect(platformLink('https://files.slack.com/files-pri/T1-F1/download/a.png', slack).hostname).toBe(
      'files.slack.com',
    );
    const local = platformLink('http://127.0.0.1:9/files-pri/F1/download/a.png', {
      ...slack,
      apiUrl: 'http://127.0.0.1:9/api/',
    });
    expect(local.port).toBe('9');
  });

  it('GIVEN another host, plain http, a look-alike or no URL THEN refused before any request', () => {
    for (const ref of [
      'https://evil.example/files.slack.com/a.png',
      'http://files.slack.com/a.png',
      'https://slack.com.evil.example/a.png',
      'not a url',
    ]) {
      expect(() => platformLink(ref, slack), ref).toThrow(MediaError);
    }
  });
});
