// A real OpenID Connect provider for the tests: panva's oidc-provider, behind a small
// front that lets the test say who signs in next and, when asked, tampers with the ID
// token the token endpoint answers (as a man in the middle would).
//
//   ACCREDIT_OIDC_PROVIDER_DIR  where `npm install oidc-provider@8` put node_modules
//   REDIRECT_URIS               the client's callbacks, comma-separated
//   ACCOUNTS                    JSON: {"<sub>": {"email": "...", "email_verified": true}}
//
// Prints `listening <port>` once it serves; the issuer is http://127.0.0.1:<port>.
// Test-only routes: GET /test/next-login?sub=<sub>, GET /test/tamper?on=1|0.
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.ACCREDIT_OIDC_PROVIDER_DIR;
const { default: Provider } = await import(
  pathToFileURL(join(dir, 'node_modules/oidc-provider/lib/index.js')).href
);
const accounts = JSON.parse(process.env.ACCOUNTS || '{}');
const redirects = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

let nextLogin = null;
let tamper = false;

const inner = http.createServer();
await new Promise((ok) => inner.listen(0, '127.0.0.1', ok));
const front = http.createServer();
await new Promise((ok) => front.listen(0, '127.0.0.1', ok));
const issuer = `http://127.0.0.1:${front.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'accredit',
    client_secret: 'accredit-test-client-secret-not-for-production',
    redirect_uris: redirects,
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  pkce: { required: () => true, methods: ['S256'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['accredit-test-cookie-key'] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        const a = accounts[sub] || {};
        return { sub, email: a.email, email_verified: a.email_verified ?? false, name: a.name };
      },
    };
  },
  // Consent is not asked of a first-party client.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = true;

inner.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname.startsWith('/interaction/')) {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (!nextLogin) { res.statusCode = 403; res.end('no one signs in'); return; }
        const accountId = nextLogin;
        nextLogin = null;
        await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      } else {
        await provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
    return;
  }
  provider.callback()(req, res);
});

// The front: test routes, then everything else to the provider, the token endpoint's
// answer tampered with when asked.
front.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/test/next-login') {
    nextLogin = url.searchParams.get('sub');
    res.end('ok');
    return;
  }
  if (url.pathname === '/test/tamper') {
    tamper = url.searchParams.get('on') === '1';
    res.end('ok');
    return;
  }
  const upstream = http.request({
    host: '127.0.0.1', port: inner.address().port, method: req.method, path: req.url,
    headers: { ...req.headers, 'x-forwarded-host': req.headers.host, 'x-forwarded-proto': 'http' },
  }, (answer) => {
    const chunks = [];
    answer.on('data', (c) => chunks.push(c));
    answer.on('end', () => {
      let body = Buffer.concat(chunks);
      const headers = { ...answer.headers };
      if (tamper && url.pathname === '/token' && answer.statusCode === 200) {
        const json = JSON.parse(body.toString());
        if (json.id_token) {
          // Another subject in the payload, the signature kept: it no longer verifies.
          const [head, payload, signature] = json.id_token.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
          claims.sub = 'someone-else';
          const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
          json.id_token = [head, forged, signature].join('.');
        }
        body = Buffer.from(JSON.stringify(json));
        delete headers['content-length'];
        delete headers['etag'];
      }
      res.writeHead(answer.statusCode, headers);
      res.end(body);
    });
  });
  req.pipe(upstream);
});

console.log(`listening ${front.address().port}`);
