import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from './dashboard-page';

describe('the dashboard page’s Content-Security-Policy', () => {
  it('allows this origin only, and the WebSocket to the host that served the page', () => {
    const csp = contentSecurityPolicy('tracker.example.jp:8443');
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self' ws://tracker.example.jp:8443 wss://tracker.example.jp:8443; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(contentSecurityPolicy('[::1]:3000')).toContain("connect-src 'self' ws://[::1]:3000 wss://[::1]:3000;");
  });

  it('never copies a strange Host header into the policy', () => {
    for (const host of [undefined, '', 'evil.example; script-src *', 'a b', 'host:3000/path']) {
      expect(contentSecurityPolicy(host)).toContain("connect-src 'self';");
    }
  });
});
