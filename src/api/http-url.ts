// An absolute http(s) URL, checked alike by zod and by CEL's URL library on the API server.

/** True for `http://host[:port][/path]` and `https://…`; what CEL's `url(self).getScheme()`/`getHost()` accept. */
export function isHttpUrl(text: string): boolean {
  // WHATWG URL parsing is lenient where Go's is not ('http:host' has no authority for Go).
  if (/\s/.test(text) || !/^https?:\/\//i.test(text)) return false;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host !== '';
}

/** The CEL twin of isHttpUrl, for a string field bound to `self`. */
export const HTTP_URL_CEL = "isURL(self) && url(self).getScheme() in ['http', 'https'] && url(self).getHost() != ''";

/** True when the URL carries user info (`user:password@`): it would leak wherever the URL is written. */
export function hasUserInfo(text: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*@/.test(text);
}

/** The CEL twin of !hasUserInfo (CEL's URL library has no user-info accessor, hence the pattern). */
export const URL_USERINFO_CEL = "!self.matches('^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*@')";
