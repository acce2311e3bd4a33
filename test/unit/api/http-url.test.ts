import { describe, expect, it } from '@jest/globals';

import { isHttpUrl } from '../../../src/api/http-url.js';

describe('isHttpUrl', () => {
  it.each(['http://ollama.ollama.svc:11434', 'https://acme.openai.azure.com', 'https://api.example.com/v1/', 'HTTPS://EXAMPLE.COM', 'http://10.0.0.1:8000/v1'])(
    'accepts %s',
    (url) => expect(isHttpUrl(url)).toBe(true),
  );

  it.each(['ftp://example.com', 'http:example.com', '/v1', 'example.com', 'http://', 'https://exa mple.com', ' http://example.com', ''])('refuses %s', (url) =>
    expect(isHttpUrl(url)).toBe(false),
  );
});
