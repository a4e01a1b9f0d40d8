import { describe, expect, it } from 'vitest';
import { addressesProblem, addressProblem, webhookUrlShapeProblem } from './webhook-target';

describe('where a gate webhook may point', () => {
  it.each([
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['::1', /loopback/],
    ['10.0.0.5', /private/],
    ['172.16.3.4', /private/],
    ['192.168.1.10', /private/],
    ['fd12:3456::1', /unique local/],
    ['fc00::1', /unique local/],
    ['169.254.169.254', /link-local/],
    ['fe80::1', /link-local/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.254', /carrier-grade NAT/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:127.0.0.1', /IPv4-mapped 127\.0\.0\.1.*loopback/],
    ['::ffff:7f00:1', /IPv4-mapped 127\.0\.0\.1.*loopback/],
    ['::ffff:10.1.2.3', /private/],
    ['::ffff:169.254.169.254', /link-local/],
    ['64:ff9b::7f00:1', /NAT64/],
    ['2002:7f00:1::1', /6to4/],
    ['192.0.2.10', /reserved/],
  ])('refuses %s', (address, why) => {
    expect(addressProblem(address)).toMatch(why);
  });

  it.each(['8.8.8.8', '203.104.1.1', '100.63.255.255', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(addressProblem(address)).toBeNull();
    },
  );

  it('a name is refused if any one of its addresses is (no picking the good one later)', () => {
    expect(addressesProblem('hooks.example', ['8.8.8.8', '10.0.0.1'])).toMatch(/^hooks\.example resolves to 10\.0\.0\.1 is a private/);
    expect(addressesProblem('hooks.example', ['8.8.8.8', '2001:4860:4860::8888'])).toBeNull();
    expect(addressesProblem('hooks.example', [])).toMatch(/no address/);
  });

  it('only http and https, with a host and no credentials', () => {
    expect(webhookUrlShapeProblem(new URL('https://hooks.example/gate'))).toBeNull();
    expect(webhookUrlShapeProblem(new URL('http://hooks.example:8080/gate?x=1'))).toBeNull();
    expect(webhookUrlShapeProblem(new URL('ftp://hooks.example/'))).toMatch(/only http and https/);
    expect(webhookUrlShapeProblem(new URL('file:///etc/passwd'))).toMatch(/only http and https/);
    expect(webhookUrlShapeProblem(new URL('gopher://127.0.0.1:5432/'))).toMatch(/only http and https/);
    expect(webhookUrlShapeProblem(new URL('https://user:pass@hooks.example/'))).toMatch(/user name or password/);
    expect(webhookUrlShapeProblem(new URL('https://token@hooks.example/'))).toMatch(/user name or password/);
  });

  it('URL spellings of loopback are normalised by the URL parser before the check', () => {
    for (const raw of ['http://0x7f.1/', 'http://2130706433/', 'http://017700000001/', 'http://127.1/', 'http://[::ffff:127.0.0.1]/']) {
      const host = new URL(raw).hostname.replace(/^\[(.*)\]$/, '$1');
      expect(addressProblem(host), raw).toMatch(/loopback/);
    }
  });
});
