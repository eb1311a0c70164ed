'use strict'
// ZignSec authentication beyond the subscription key, through the config object of `new Client`,
// against a simulator started with --tls-dir: OAuth2 client credentials (a bearer token with the
// product key) and two-way TLS (client certificate + ca_file).

const { test, before, after, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Client, ErrorCode } = require('..')
const h = require('./helpers')

const CLIENT_ID = 'signbridge-sim-client'
const CLIENT_SECRET = 'sim-client-secret-0001'

let sim
let tmp

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node-auth-'))
  sim = await h.startSim({ tlsDir: path.join(tmp, 'pki') })
})

afterEach(async () => {
  await h.control(sim, 'PUT', '/_sim/zignsec/auth', { require_bearer: false })
})

after(async () => {
  await sim.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

const requireBearer = () => h.control(sim, 'PUT', '/_sim/zignsec/auth', { require_bearer: true })
const tokensIssued = async () => (await h.control(sim, 'GET', '/_sim/oauth')).tokens_issued
const pki = (name) => {
  const p = path.join(sim.tlsDir, name)
  assert.ok(fs.existsSync(p), `${p} missing`)
  return p
}

/** A client of the plain listener with an OAuth2 client (`secret`: value or { file }). */
function oauthClient (secret, extra = {}) {
  return new Client({
    zignsec: {
      base_url: sim.url,
      keys: [h.PRIMARY_KEY, h.SECONDARY_KEY],
      oauth2: { client_id: CLIENT_ID, client_secret: secret, ...extra }
    },
    transport: { backoff_base_ms: 10, backoff_max_ms: 50 }
  })
}

/** A client of the two-way TLS listener; `clientCert` and `caFile` may be undefined. */
function mtlsClient (clientCert, caFile, zignsec = {}) {
  return new Client({
    zignsec: {
      base_url: sim.tlsUrl,
      keys: [h.PRIMARY_KEY],
      ...(clientCert ? { client_cert: clientCert } : {}),
      ...zignsec
    },
    transport: { max_attempts: 1, ...(caFile ? { ca_file: caFile } : {}) }
  })
}

const certFiles = (cert, key) => ({ cert: { file: pki(cert) }, key: { file: pki(key) } })

// ---- OAuth2 ----

test('OAuth2: a bearer token with the product key, one token for many calls', async () => {
  await requireBearer()
  const refused = await h.rejection(new Client(h.config(sim)).zignsecSigning().create())
  assert.equal(refused.code, 'SB_ERR_AUTH', refused.message)

  await h.control(sim, 'DELETE', '/_sim/oauth')
  await h.clearRecorded(sim)
  assert.equal(await tokensIssued(), 0)
  const signing = oauthClient(CLIENT_SECRET, { client_auth: 'basic' }).zignsecSigning()
  const session = await signing.create({ relayState: 'node-oauth2' })
  for (let i = 0; i < 5; i++) {
    assert.equal((await signing.status({ sessionId: session.id })).id, session.id)
  }
  assert.equal(await tokensIssued(), 1, 'the token is cached and reused')
  // Both headers went out on every API call.
  const api = (await h.recorded(sim)).filter((r) => r.path.startsWith('/api/'))
  assert.ok(api.length >= 6, `${api.length} API calls`)
  for (const r of api) {
    assert.ok(r.headers.includes('authorization') && r.headers.includes('zs-product-key'), JSON.stringify(r))
  }
})

test('OAuth2: a wrong client secret is SB_ERR_AUTH with provider code invalid_client', async () => {
  await requireBearer()
  const secret = 'definitely-wrong-client-secret-42'
  const e = await h.rejection(oauthClient(secret).zignsecSigning().create())
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'SB_ERR_AUTH', e.message)
  assert.equal(e.errno, ErrorCode.SB_ERR_AUTH)
  assert.equal(e.providerCode, 'invalid_client')
  assert.equal(e.httpStatus, 401)
  assert.equal(e.retryable, false)
  assert.match(e.message, /oauth2\.clientSecret/)
  for (const text of [e.message, String(e.stack), JSON.stringify(e), e.providerDescription ?? '']) {
    assert.ok(!text.includes(secret), text)
  }
})

test('OAuth2: the client secret from a file (client_secret_post)', async () => {
  await requireBearer()
  const file = path.join(tmp, 'client-secret')
  fs.writeFileSync(file, `${CLIENT_SECRET}\n`)
  const session = await oauthClient({ file }, { client_auth: 'post' }).zignsecSigning().create()
  assert.equal(session.status, 'Created')

  // A missing file is a configuration error naming the field.
  let e
  try {
    await oauthClient({ file: path.join(tmp, 'nope') }).zignsecSigning().create()
  } catch (err) {
    e = err
  }
  assert.ok(e, 'a missing secret file must fail')
  assert.equal(e.code, 'SB_ERR_INVALID_CONFIG', e.message)
  assert.match(e.message, /oauth2\.clientSecret/)
})

test('a subscription key from a file', async () => {
  const file = path.join(tmp, 'zs-key')
  fs.writeFileSync(file, `  ${h.PRIMARY_KEY}\n`)
  const signing = new Client({ zignsec: { base_url: sim.url, keys: [{ file }] } }).zignsecSigning()
  assert.equal((await signing.create()).status, 'Created')
})

// ---- two-way TLS ----

test('two-way TLS with the client certificate and ca_file', async () => {
  const ca = pki('ca.pem')
  const signing = mtlsClient(certFiles('client.pem', 'client-key.pem'), ca).zignsecSigning()
  const session = await signing.create()
  assert.equal((await signing.status({ sessionId: session.id })).status, 'Created')

  // The combined PEM (certificate then key) alone, and PEM text given as values.
  await mtlsClient({ cert: { file: pki('client-combined.pem') } }, ca).zignsecSigning().status({ sessionId: session.id })
  const pem = {
    cert: fs.readFileSync(pki('client.pem'), 'utf8'),
    key: fs.readFileSync(pki('client-key.pem'), 'utf8')
  }
  await mtlsClient(pem, ca).zignsecSigning().status({ sessionId: session.id })
})

test('OAuth2 and two-way TLS together', async () => {
  await requireBearer()
  await h.control(sim, 'DELETE', '/_sim/oauth')
  const signing = mtlsClient(certFiles('client.pem', 'client-key.pem'), pki('ca.pem'), {
    oauth2: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET }
  }).zignsecSigning()
  const session = await signing.create()
  await signing.status({ sessionId: session.id })
  assert.equal(await tokensIssued(), 1)
})

async function tlsError (client) {
  const e = await h.rejection(client.zignsecSigning().create())
  assert.equal(e.code, 'SB_ERR_TLS', `${e.code}: ${e.message}`)
  assert.equal(e.errno, ErrorCode.SB_ERR_TLS)
  assert.equal(e.httpStatus, null)
  return e
}

test('two-way TLS without a client certificate is SB_ERR_TLS', async () => {
  const e = await tlsError(mtlsClient(undefined, pki('ca.pem')))
  assert.match(e.message, /CertificateRequired/)
})

test('two-way TLS with a client certificate from another CA is SB_ERR_TLS', async () => {
  await tlsError(mtlsClient(certFiles('other-client.pem', 'other-client-key.pem'), pki('ca.pem')))
})

test('two-way TLS with the server CA not trusted is SB_ERR_TLS', async () => {
  await tlsError(mtlsClient(certFiles('client.pem', 'client-key.pem'), undefined))
})

test('a certificate given as the key is SB_ERR_INVALID_CONFIG at construction', () => {
  assert.throws(
    () => mtlsClient({ cert: { file: pki('client.pem') }, key: { file: pki('ca.pem') } }, pki('ca.pem')),
    (e) => e.code === 'SB_ERR_INVALID_CONFIG'
  )
})
