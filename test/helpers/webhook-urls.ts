/**
 * Webhook URLs and whether Label Studio 1.23.2 takes each as a webhook's `url` (a DRF URLField:
 * Django 5.2's URLValidator), as its installed packages answered. The unit suite checks
 * `webhook-url` against this table; the end-to-end suite asks the real server again.
 */
export const SERVER_TAKES_WEBHOOK_URL: Readonly<Record<string, boolean>> = {
  'http://host/a b': false,
  'http://hooks.example.com/a b': false,
  'http://hooks.example.com/a%20b': true,
  'https://hooks.example.com/x': true,
  'http://receiver:8080/hook': false,
  'http://localhost:8080/hook': true,
  'http://127.0.0.1:9/hook': true,
  'http://256.1.1.1/x': false,
  'http://[::1]:8080/x': true,
  'http://[::zz]/x': false,
  'http://user:pass@hooks.example.com/x': true,
  'http://us er@hooks.example.com/x': false,
  'http://a@b@hooks.example.com/x': false,
  'http://hooks.example.com:123456/x': false,
  'http://hooks_x.example.com/x': false,
  'http://-bad.example.com/x': false,
  'http://hooks.example.c/x': false,
  'http://hooks.example.com./x': true,
  'http://xn--bcher-kva.example/x': true,
  'http://bücher.example/x': true,
  'http://hooks.example.com?x=1': true,
  'http://hooks.example.com#f': true,
  'http:///x': false,
  'http://hooks.example.com/\tx': false,
  'http://1.2.3/x': false,
  'http://01.2.3.4/x': false,
  'http://a.b-.com/x': false,
  'http://ex ample.com/': false,
  'HTTP://HOOKS.EXAMPLE.COM/X': true,
  'http://hooks.example.com:/x': false,
  'http://hooks.example.com:0/x': true,
};

/**
 * URLs the server takes but labelform refuses: a port no connection can use, and spaces around the
 * URL that the server trims away (the stored URL would differ from git's, and plan never settle).
 */
export const STRICTER_THAN_SERVER: readonly string[] = [
  'http://hooks.example.com:65536/x',
  ' http://hooks.example.com/x',
  'http://hooks.example.com/x ',
];
