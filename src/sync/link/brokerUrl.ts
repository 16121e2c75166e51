/** A broker URL fit to print (logs, health, status): an inline user name and password are dropped. */
export function brokerForDisplay(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    // The config schema admits no URL that does not parse; never echo one that might hold a password.
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
