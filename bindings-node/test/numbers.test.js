'use strict'
// Every numeric option gets NaN, ±Infinity, 1e300, -1 and 2^53+1 and answers
// SB_ERR_INVALID_ARGUMENT — never a panic that aborts the process (intervalMs: 1e300 used to:
// Duration::from_secs_f64 panicked in the addon). The range check lives in the core
// (signbridge::numbers), shared with Python and C.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { Client, WebhookVerifier } = require('..')
const h = require('./helpers')

const HOSTILE = [NaN, Infinity, -Infinity, 1e300, -1, 2 ** 53 + 1]

let sim
let client

before(async () => {
  sim = await h.startSim()
  client = new Client(h.config(sim))
})

after(async () => {
  await sim.stop()
})

/** The error code of `call()`, thrown or rejected; fails when it succeeds. */
async function codeOf (call) {
  try {
    await call()
  } catch (e) {
    return e.code
  }
  assert.fail('expected an error')
}

test('hostile numbers to every numeric option are SB_ERR_INVALID_ARGUMENT', async () => {
  const signing = client.zignsecSigning()
  const session = await signing.create()
  const id = '00000000-0000-0000-0000-000000000000'
  for (const v of HOSTILE) {
    for (const key of ['intervalMs', 'timeoutMs']) {
      assert.equal(await codeOf(() => signing.wait({ sessionId: session.id }, { [key]: v })), 'SB_ERR_INVALID_ARGUMENT', `signing.wait ${key}: ${v}`)
      assert.equal(await codeOf(() => client.zignsecEid().wait({ product: 'bankid_se', sessionId: id }, { [key]: v })), 'SB_ERR_INVALID_ARGUMENT', `eid.wait ${key}: ${v}`)
      assert.equal(await codeOf(() => client.zignsecEid().wait({ product: 'bankid_se', sessionId: id, [key]: v })), 'SB_ERR_INVALID_ARGUMENT', `eid.wait request.${key}: ${v}`)
    }
    assert.equal(await codeOf(() => new WebhookVerifier(['s'], { toleranceSeconds: v })), 'SB_ERR_INVALID_ARGUMENT', `toleranceSeconds: ${v}`)
  }
  // The largest accepted values still work (one year, the core's bound).
  const year = 365 * 24 * 3600 * 1000
  const ac = new AbortController()
  const waiting = signing.wait({ sessionId: session.id }, { intervalMs: year, timeoutMs: year, signal: ac.signal })
  ac.abort()
  assert.equal(await codeOf(() => waiting), 'SB_ERR_ABORTED')
})

// A request of strings, booleans, nulls and small numbers crosses as JSON text (index.js); any
// other is read by the addon. Both must read a request alike: same result, same error.
test('a request reads the same whether it crosses as JSON text or is read by the addon', async () => {
  const signing = client.zignsecSigning()
  const { id } = await signing.create()
  // An object whose prototype is not Object.prototype is always read by the addon.
  const byAddon = (fields) => Object.assign(Object.create({ inherited: undefined }), fields)
  const outcome = async (request) => {
    try {
      return { ok: await client.callCamelCase('zignsec.signing_status', request) }
    } catch (e) {
      return { code: e.code, message: e.message }
    }
  }
  const requests = [
    { sessionId: id },
    { sessionId: id, extra: 1 },
    { sessionId: 7 },
    { sessionId: -7 },
    { sessionId: 1.5 },
    { sessionId: 2 ** 40 },
    { sessionId: -0 },
    { sessionId: true },
    { sessionId: null },
    { sessionId: undefined },
    { sessionId: 'a\ud800b' },
    { session_id: id },
    { sessionId: id, session_id: id },
    { 'bad\ud800key': 1 }
  ]
  for (const request of requests) {
    const text = await outcome(request)
    const addon = await outcome(byAddon(request))
    assert.deepEqual(text, addon, JSON.stringify(request))
  }
  assert.ok((await outcome({ sessionId: id })).ok, 'a good request succeeds')
  // Bytes given as a scalar are refused the same way on both paths.
  const upload = (request) => signing.upload(request).then(() => 'ok', (e) => `${e.code}: ${e.message}`)
  const bad = { sessionId: id, name: 'a.pdf', pdf: 'not bytes' }
  assert.equal(await upload(bad), await upload(byAddon(bad)))
  assert.match(await upload(bad), /SB_ERR_INVALID_ARGUMENT: zignsec\.upload: request\.pdf must be a Buffer or Uint8Array, got a string/)
})
