'use strict'
// Browser-based eID sessions end to end against the simulator, through `client.zignsecEid()` (the
// facade generated from the zignsec.eid_* operations): polling, the browser's return to the
// target URL (success, cancel, decline, OAuth-style access_denied, foreign relay state), and bad
// requests.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { Client, ErrorCode, call, callCamelCase, parseRedirect } = require('..')
const { ZignsecEid } = require('../zignsec-eid.js')
const h = require('./helpers')

let sim
let eid

before(async () => {
  sim = await h.startSim()
  eid = new Client(h.config(sim)).zignsecEid()
})

after(async () => {
  await sim.stop()
})

const session = (relayState, extra = {}) => ({
  redirectSuccess: 'https://app.example/ok',
  redirectFailure: 'https://app.example/fail',
  relayState,
  ...extra
})
const fast = { intervalMs: 100, timeoutMs: 20000 }

/** The gateway paths the sessions created since the last clear were sent to. */
async function createdAt () {
  return (await h.recorded(sim)).filter((r) => r.method === 'POST' && !r.path.startsWith('/_sim/')).map((r) => r.path)
}

test('products by name and by path create sessions at the core\'s product paths', async () => {
  await h.clearRecorded(sim)
  for (const product of ['bankid_se', 'mitid', 'mitid_cpr_match', 'bankid_no']) {
    await eid.create({ product, session: session('p') })
  }
  await eid.create({ product: 'freja', freja: { country: 'SE', ssn: '198212121236' } })
  await eid.create({ core: { category: 'identity_verification', product: 'bankid_se' } })
  await eid.create({ v5: { provider: 'mitid', operation: 'auth' } })
  assert.deepEqual(await createdAt(), [
    '/core/api/sessions/identity_verification/bankid_se',
    '/core/api/sessions/identity_verification/mitid',
    '/core/api/sessions/match_cpr/mitid',
    '/api/v5/sessions/bankidno/auth',
    '/core/api/sessions/identity_verification/freja_id_ssn',
    '/core/api/sessions/identity_verification/bankid_se',
    '/api/v5/sessions/mitid/auth'
  ])
  // A v5 session is read under its provider's prefix.
  const v5 = await eid.create({ v5: { provider: 'mitid', operation: 'auth' } })
  await h.clearRecorded(sim)
  await eid.result({ v5: { provider: 'mitid', operation: 'auth' }, sessionId: v5.id })
  assert.deepEqual((await h.recorded(sim)).filter((r) => !r.path.startsWith('/_sim/')).map((r) => r.path), [`/api/v5/sessions/mitid/${v5.id}`])
  for (const bad of [{ core: { category: 'identity_verification', product: '../x' } }, { v5: { provider: 'a/b', operation: 'auth' } }]) {
    const e = await h.rejection(eid.create(bad))
    assert.ok(e instanceof Error && !(e instanceof TypeError), String(e))
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
  }
})

test('polling: BankID SE on the hosted page and MitID via control, to a typed identity', async () => {
  assert.ok(eid instanceof ZignsecEid)
  assert.equal(eid.baseUrl, sim.url.replace(/\/?$/, '/'))
  const se = await eid.create({ product: 'bankid_se', session: session('se-1'), bankidSe: { personalNumber: '199001011234' } })
  assert.equal(typeof se.id, 'string')
  assert.match(se.redirectUrl, /\/ui\/eid\//)
  assert.equal(se.status, 'Created')
  const before = await eid.result({ product: 'bankid_se', sessionId: se.id })
  assert.equal(before.identity, null)
  assert.equal(before.relayState, 'se-1')

  const back = await h.eidPage(se.redirectUrl, '199001011234')
  assert.ok(back.startsWith('https://app.example/ok'), back)
  const r = await eid.wait({ product: 'bankid_se', sessionId: se.id, ...fast })
  assert.equal(r.id, se.id)
  assert.equal(r.status, 'Finished')
  assert.equal(r.relayState, 'se-1')
  assert.deepEqual(r.errors, [])
  assert.deepEqual(r.identity, {
    fullName: 'Astrid Lindqvist',
    firstName: 'Astrid',
    lastName: 'Lindqvist',
    personalNumber: '199001011234',
    dateOfBirth: '1990-01-01',
    countryCode: 'SE',
    gender: 'female',
    age: null
  })
  assert.equal(r.rawResult.identity.fullName, 'Astrid Lindqvist', 'raw result kept')

  const dk = await eid.create({ product: 'mitid', session: session('dk-1'), mitid: { level: 'Substantial', language: 'En', requestedAttributes: ['DATE_OF_BIRTH'] } })
  await h.control(sim, 'POST', `/_sim/zignsec/sessions/${dk.id}/complete`, {})
  const m = await eid.wait({ product: 'mitid', sessionId: dk.id, ...fast })
  assert.equal(m.identity.fullName, 'Mette Hansen')
  assert.equal(m.identity.countryCode, 'DK')
  assert.equal(m.relayState, 'dk-1')
})

test('any product by its paths: v5 MitID through create() and wait()', async () => {
  const product = { v5: { provider: 'mitid', operation: 'auth' } }
  const s = await eid.create({ ...product, session: session('v5-1', { metadata: { action: 'LogOn' } }) })
  await h.eidPage(s.redirectUrl, '1505851237')
  const r = await eid.wait({ ...product, sessionId: s.id }, fast)
  assert.equal(r.identity.fullName, 'Lars Jensen')
  assert.equal(r.relayState, 'v5-1')
  // An unknown product is the gateway's 404.
  const e = await h.rejection(eid.create({ core: { category: 'identity_verification', product: 'nope' } }))
  assert.equal(e.code, 'SB_ERR_NOT_FOUND')
})

test('redirect return: success with the relay state, and a foreign relay state refused', async () => {
  const s = await eid.create({ product: 'freja', session: session('fr-1'), freja: { country: 'SE', ssn: '198212121236', attributesToReturn: ['BASIC_USER_INFO'] } })
  const back = await h.eidPage(s.redirectUrl, '198212121236')
  assert.deepEqual(await parseRedirect(back), {
    success: true,
    relayState: 'fr-1',
    sessionId: s.id,
    errorCode: null,
    errorText: null
  })
  assert.deepEqual(await call('zignsec.parseRedirect', { returned_url: back }), {
    success: true, relay_state: 'fr-1', session_id: s.id, error_code: null, error_text: null
  })
  assert.deepEqual(await callCamelCase('zignsec.parse_redirect', { returnedUrl: back }), await parseRedirect(back))
  const freja = (sessionId, returnedUrl, expectedRelayState) =>
    eid.completeRedirect({ product: 'freja', sessionId, returnedUrl, expectedRelayState })
  const r = await freja(s.id, back, 'fr-1')
  assert.equal(r.status, 'Finished')
  assert.equal(r.identity.fullName, 'Karin Berg')
  assert.equal(r.relayState, 'fr-1')
  // Without an expected relay state, still fine.
  assert.equal((await freja(s.id, back)).identity.personalNumber, '198212121236')

  const e = await h.rejection(freja(s.id, back, 'someone-else'))
  assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
  assert.ok(!(e instanceof TypeError))
  const other = await h.rejection(freja('another-session', back, 'fr-1'))
  assert.equal(other.code, 'SB_ERR_INVALID_ARGUMENT')
  // Login CSRF: a crafted URL to this (someone else's) finished session, without a relay state
  // or with the one the application expects, is refused: the session was created with another.
  const crafted = `https://app.example/ok?session_id=${s.id}`
  for (const url of [crafted, `${crafted}&relay_state=victim`]) {
    const csrf = await h.rejection(freja(s.id, url, 'victim'))
    assert.equal(csrf.code, 'SB_ERR_INVALID_ARGUMENT')
    assert.match(csrf.message, /relay_state/)
  }
})

test('redirect return: cancel, DECLINED and access_denied map to codes', async () => {
  const complete = (product, sessionId, returnedUrl, expectedRelayState) =>
    eid.completeRedirect({ product, sessionId, returnedUrl, expectedRelayState })
  // Cancel on BankID SE: errorCode=CANCELLED.
  let s = await eid.create({ product: 'bankid_se', session: session('se-2') })
  let back = await h.eidPage(s.redirectUrl, '199001011234', 'cancel')
  assert.ok(back.startsWith('https://app.example/fail'), back)
  const outcome = await parseRedirect(back)
  assert.equal(outcome.success, false)
  assert.equal(outcome.errorCode, 'CANCELLED')
  assert.equal(outcome.relayState, 'se-2')
  let e = await h.rejection(complete('bankid_se', s.id, back, 'se-2'))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.errno, ErrorCode.SB_ERR_CANCELLED)
  assert.equal(e.providerCode, 'CANCELLED')
  assert.equal(typeof e.providerDescription, 'string')
  e = await h.rejection(eid.wait({ product: 'bankid_se', sessionId: s.id, ...fast }))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.providerCode, 'CANCELLED_BY_USER')

  // MitID CPR match with another person: DECLINED, rejected both ways.
  s = await eid.create({ product: 'mitid', session: session('dk-2'), mitid: { cprNumber: '0101901234' } })
  back = await h.eidPage(s.redirectUrl, '1505851237')
  assert.ok(back.includes('errorCode=DECLINED'), back)
  e = await h.rejection(complete('mitid_cpr_match', s.id, back, 'dk-2'))
  assert.equal(e.code, 'SB_ERR_REJECTED')
  e = await h.rejection(eid.wait({ product: 'mitid_cpr_match', sessionId: s.id, ...fast }))
  assert.equal(e.code, 'SB_ERR_REJECTED')
  assert.equal(e.providerCode, 'DECLINED')

  // BankID NO: OAuth-style error=access_denied.
  s = await eid.create({ product: 'bankid_no', session: session('no-1') })
  back = await h.eidPage(s.redirectUrl, h.AKSEL, 'cancel')
  assert.ok(back.includes('error=access_denied'), back)
  assert.equal((await parseRedirect(back)).errorCode, 'access_denied')
  e = await h.rejection(complete('bankid_no', s.id, back, 'no-1'))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.providerCode, 'access_denied')

  // A bare query works too; an unparseable URL is an invalid argument.
  assert.equal((await parseRedirect('?errorCode=DECLINED')).errorCode, 'DECLINED')
  const bad = await h.rejection(parseRedirect('http://[::1'))
  assert.ok(bad instanceof Error && !(bad instanceof TypeError))
  assert.equal(bad.code, 'SB_ERR_INVALID_ARGUMENT')
})

test('wait: AbortSignal aborts, timeoutMs bounds, expiry rejects', async () => {
  const s = await eid.create({ product: 'bankid_se', session: session('wait-1') })
  const ac = new AbortController()
  const waiting = eid.wait({ product: 'bankid_se', sessionId: s.id }, { intervalMs: 100, signal: ac.signal })
  setTimeout(() => ac.abort(), 250)
  assert.equal((await h.rejection(waiting)).code, 'SB_ERR_ABORTED')
  const t = await h.rejection(eid.wait({ product: 'bankid_se', sessionId: s.id, intervalMs: 100, timeoutMs: 300 }))
  assert.equal(t.code, 'SB_ERR_TIMEOUT')
  const progress = []
  const polled = eid.wait({ product: 'bankid_se', sessionId: s.id }, { intervalMs: 100, timeoutMs: 300, onProgress: (p) => progress.push(p.status) })
  assert.equal((await h.rejection(polled)).code, 'SB_ERR_TIMEOUT')
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(progress.includes('Created'), progress.join())
  await h.control(sim, 'POST', `/_sim/zignsec/sessions/${s.id}/expire`, {})
  const x = await h.rejection(eid.wait({ product: 'bankid_se', sessionId: s.id, ...fast }))
  assert.equal(x.code, 'SB_ERR_SESSION_EXPIRED')
})

test('values the core refuses reject with SB_ERR_INVALID_ARGUMENT before any request', async () => {
  await h.clearRecorded(sim)
  for (const p of [
    () => eid.create({ product: 'bankid_se', bankidSe: { personalNumber: '123' } }),
    () => eid.create({ product: 'mitid', mitid: { cprNumber: '12' } }),
    () => eid.create({ product: 'freja', freja: { country: 'XX', ssn: '1' } }),
    () => eid.create({ product: 'freja', freja: { country: 'SE', ssn: '123' } }),
    () => eid.result({ product: 'bankid_se', sessionId: '../admin' }),
    () => eid.create({ product: 'bankid_se', session: { redirectSuccess: 'not a url' } })
  ]) {
    const e = await h.rejection(p())
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT', e.message)
    assert.ok(!(e instanceof TypeError))
  }
  assert.deepEqual(await h.recorded(sim), [])
})

test('bad requests reject with SB_ERR_INVALID_ARGUMENT naming the field, before any request', async () => {
  await h.clearRecorded(sim)
  const p = { product: 'bankid_se' }
  const cases = [
    [() => eid.create('bankidSe'), /request must be an object, got a string/],
    [() => eid.create({ product: 'bankidSe' }), /request\.product/],
    [() => eid.create({ core: { category: 'x' } }), /request\.core: missing field `product`/],
    [() => eid.create({ ...p, extra: 1 }), /unknown field `extra`|"extra"/],
    [() => eid.create({ product: 'bankid_se', core: { category: 'identity_verification', product: 'bankid_se' } }), /exactly one of request\.product/],
    [() => eid.create({}), /exactly one of request\.product/],
    [() => eid.create({ ...p, session: 'x' }), /request\.session/],
    [() => eid.create({ ...p, session: { relay_state: 'x', relayState: 'y' } }), /relayState/],
    [() => eid.create({ ...p, bankidSe: { personalNumber: 199001011234 } }), /request\.bankidSe\.personalNumber/],
    [() => eid.create({ ...p, mitid: {} }), /request\.mitid holds options of the product "mitid" only/],
    [() => eid.create({ product: 'mitid', mitid: { requestedAttributes: 'DATE_OF_BIRTH' } }), /request\.mitid\.requestedAttributes/],
    [() => eid.create({ product: 'mitid', mitid: { requestedAttributes: [1] } }), /request\.mitid\.requestedAttributes\[0\]/],
    [() => eid.create({ product: 'freja' }), /request\.freja is required/],
    [() => eid.create({ product: 'freja', freja: { country: 'SE' } }), /request\.freja\.ssn|`ssn`/],
    [() => eid.create(5), /request must be an object, got a number/],
    [() => eid.result({ ...p, sessionId: 42 }), /request\.sessionId/],
    [() => eid.result({ ...p }), /sessionId/],
    [() => eid.result({ sessionId: 's' }), /exactly one of request\.product/],
    [() => eid.wait({ ...p, sessionId: 's' }, { signal: 'abort' }), /options\.signal must be an AbortSignal/],
    [() => eid.wait({ ...p, sessionId: 's', interval: 5 }), /unknown field `interval`|"interval"/],
    [() => eid.completeRedirect({ ...p, sessionId: 's', returnedUrl: new URL('https://a/') }), /request\.returnedUrl/],
    [() => eid.completeRedirect({ ...p, sessionId: 's', returnedUrl: 'https://a/', expectedRelayState: 7 }), /request\.expectedRelayState/],
    [() => parseRedirect(), /missing field `returnedUrl`/],
    [() => call('zignsec.parse_redirect', { returned_url: 5 }), /returned_url/]
  ]
  const failed = []
  for (const [run, re] of cases) {
    let e
    try {
      e = await h.rejection(run())
    } catch (thrown) {
      e = thrown
    }
    assert.ok(e instanceof Error, `no error for ${run}`)
    if (!re.test(e.message)) failed.push(`${run}: ${e.message}`)
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT', `${run}: ${e.message}`)
    assert.equal(e.errno, 100)
  }
  assert.deepEqual(failed, [])
  assert.deepEqual(await h.recorded(sim), [])
})

test('a client without a zignsec section has no eID sessions', () => {
  let e
  try { new Client(h.onespanConfig(sim)).zignsecEid() } catch (x) { e = x }
  assert.equal(e.code, 'SB_ERR_AUTH_CONFIG_MISSING')
})
