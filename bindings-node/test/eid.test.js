'use strict'
// Browser-based eID sessions end to end against the simulator: polling, the browser's return to
// the target URL (success, cancel, decline, OAuth-style access_denied, foreign relay state), and
// bad arguments.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')

const { Client, EidApi, EidProduct, ErrorCode, parseRedirect } = require('..')
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

const request = (relayState, extra = {}) => ({
  redirectSuccess: 'https://app.example/ok',
  redirectFailure: 'https://app.example/fail',
  relayState,
  ...extra
})
const fast = { intervalMs: 100, timeoutMs: 20000 }

test('EidProduct gives the core products as plain objects', () => {
  assert.deepEqual(EidProduct.bankidSe(), {
    createPath: 'core/api/sessions/identity_verification/bankid_se',
    resultPrefix: 'core/api/sessions/'
  })
  assert.equal(EidProduct.mitid().createPath, 'core/api/sessions/identity_verification/mitid')
  assert.equal(EidProduct.mitidCprMatch().createPath, 'core/api/sessions/match_cpr/mitid')
  assert.equal(EidProduct.freja().createPath, 'core/api/sessions/identity_verification/freja_id_ssn')
  assert.deepEqual(EidProduct.bankidNo(), {
    createPath: 'api/v5/sessions/bankidno/auth',
    resultPrefix: 'api/v5/sessions/bankidno/'
  })
  assert.deepEqual(EidProduct.core('identity_verification', 'bankid_se'), EidProduct.bankidSe())
  assert.deepEqual(EidProduct.v5('mitid', 'auth'), {
    createPath: 'api/v5/sessions/mitid/auth',
    resultPrefix: 'api/v5/sessions/mitid/'
  })
  for (const bad of [() => EidProduct.core('identity_verification', '../x'), () => EidProduct.v5('a/b', 'auth')]) {
    let e
    try { bad() } catch (x) { e = x }
    assert.ok(e instanceof Error && !(e instanceof TypeError), String(e))
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
  }
})

test('polling: BankID SE on the hosted page and MitID via control, to a typed identity', async () => {
  assert.ok(eid instanceof EidApi)
  const se = await eid.bankidSe(request('se-1'), { personalNumber: '199001011234' })
  assert.equal(typeof se.id, 'string')
  assert.match(se.redirectUrl, /\/ui\/eid\//)
  assert.equal(se.status, 'Created')
  const before = await eid.result(EidProduct.bankidSe(), se.id)
  assert.equal(before.identity, null)
  assert.equal(before.relayState, 'se-1')

  const back = await h.eidPage(se.redirectUrl, '199001011234')
  assert.ok(back.startsWith('https://app.example/ok'), back)
  const r = await eid.wait(EidProduct.bankidSe(), se.id, fast)
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

  const dk = await eid.mitid(request('dk-1'), { level: 'Substantial', language: 'En', requestedAttributes: ['DATE_OF_BIRTH'] })
  await h.control(sim, 'POST', `/_sim/zignsec/sessions/${dk.id}/complete`, {})
  const m = await eid.wait(EidProduct.mitid(), dk.id, fast)
  assert.equal(m.identity.fullName, 'Mette Hansen')
  assert.equal(m.identity.countryCode, 'DK')
  assert.equal(m.relayState, 'dk-1')
})

test('any product by its paths: v5 MitID through create() and wait()', async () => {
  const product = EidProduct.v5('mitid', 'auth')
  const s = await eid.create(product, request('v5-1', { metadata: { action: 'LogOn' } }))
  await h.eidPage(s.redirectUrl, '1505851237')
  const r = await eid.wait(product, s.id, fast)
  assert.equal(r.identity.fullName, 'Lars Jensen')
  assert.equal(r.relayState, 'v5-1')
  // An unknown product is the gateway's 404.
  const e = await h.rejection(eid.create(EidProduct.core('identity_verification', 'nope'), {}))
  assert.equal(e.code, 'SB_ERR_NOT_FOUND')
})

test('redirect return: success with the relay state, and a foreign relay state refused', async () => {
  const s = await eid.freja(request('fr-1'), { country: 'SE', ssn: '198212121236', attributesToReturn: ['BASIC_USER_INFO'] })
  const back = await h.eidPage(s.redirectUrl, '198212121236')
  assert.deepEqual(parseRedirect(back), {
    success: true,
    relayState: 'fr-1',
    sessionId: s.id,
    errorCode: null,
    errorText: null
  })
  const r = await eid.completeRedirect(EidProduct.freja(), s.id, back, 'fr-1')
  assert.equal(r.status, 'Finished')
  assert.equal(r.identity.fullName, 'Karin Berg')
  assert.equal(r.relayState, 'fr-1')
  // Without an expected relay state, still fine.
  assert.equal((await eid.completeRedirect(EidProduct.freja(), s.id, back)).identity.personalNumber, '198212121236')

  const e = await h.rejection(eid.completeRedirect(EidProduct.freja(), s.id, back, 'someone-else'))
  assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
  assert.ok(!(e instanceof TypeError))
  const other = await h.rejection(eid.completeRedirect(EidProduct.freja(), 'another-session', back, 'fr-1'))
  assert.equal(other.code, 'SB_ERR_INVALID_ARGUMENT')
  // Login CSRF: a crafted URL to this (someone else's) finished session, without a relay state
  // or with the one the application expects, is refused: the session was created with another.
  const crafted = `https://app.example/ok?session_id=${s.id}`
  for (const url of [crafted, `${crafted}&relay_state=victim`]) {
    const csrf = await h.rejection(eid.completeRedirect(EidProduct.freja(), s.id, url, 'victim'))
    assert.equal(csrf.code, 'SB_ERR_INVALID_ARGUMENT')
    assert.match(csrf.message, /relay_state/)
  }
})

test('redirect return: cancel, DECLINED and access_denied map to codes', async () => {
  // Cancel on BankID SE: errorCode=CANCELLED.
  let s = await eid.bankidSe(request('se-2'))
  let back = await h.eidPage(s.redirectUrl, '199001011234', 'cancel')
  assert.ok(back.startsWith('https://app.example/fail'), back)
  const outcome = parseRedirect(back)
  assert.equal(outcome.success, false)
  assert.equal(outcome.errorCode, 'CANCELLED')
  assert.equal(outcome.relayState, 'se-2')
  let e = await h.rejection(eid.completeRedirect(EidProduct.bankidSe(), s.id, back, 'se-2'))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.errno, ErrorCode.SB_ERR_CANCELLED)
  assert.equal(e.providerCode, 'CANCELLED')
  assert.equal(typeof e.providerDescription, 'string')
  e = await h.rejection(eid.wait(EidProduct.bankidSe(), s.id, fast))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.providerCode, 'CANCELLED_BY_USER')

  // MitID CPR match with another person: DECLINED, rejected both ways.
  s = await eid.mitid(request('dk-2'), { cprNumber: '0101901234' })
  back = await h.eidPage(s.redirectUrl, '1505851237')
  assert.ok(back.includes('errorCode=DECLINED'), back)
  e = await h.rejection(eid.completeRedirect(EidProduct.mitidCprMatch(), s.id, back, 'dk-2'))
  assert.equal(e.code, 'SB_ERR_REJECTED')
  e = await h.rejection(eid.wait(EidProduct.mitidCprMatch(), s.id, fast))
  assert.equal(e.code, 'SB_ERR_REJECTED')
  assert.equal(e.providerCode, 'DECLINED')

  // BankID NO: OAuth-style error=access_denied.
  s = await eid.bankidNo(request('no-1'))
  back = await h.eidPage(s.redirectUrl, h.AKSEL, 'cancel')
  assert.ok(back.includes('error=access_denied'), back)
  assert.equal(parseRedirect(back).errorCode, 'access_denied')
  e = await h.rejection(eid.completeRedirect(EidProduct.bankidNo(), s.id, back, 'no-1'))
  assert.equal(e.code, 'SB_ERR_CANCELLED')
  assert.equal(e.providerCode, 'access_denied')

  // A bare query works too; an unparseable URL is an invalid argument.
  assert.equal(parseRedirect('?errorCode=DECLINED').errorCode, 'DECLINED')
  let bad
  try { parseRedirect('http://[::1') } catch (x) { bad = x }
  assert.ok(bad instanceof Error && !(bad instanceof TypeError))
  assert.equal(bad.code, 'SB_ERR_INVALID_ARGUMENT')
})

test('wait: AbortSignal aborts, timeoutMs bounds, expiry rejects', async () => {
  const s = await eid.bankidSe(request('wait-1'))
  const ac = new AbortController()
  const waiting = eid.wait(EidProduct.bankidSe(), s.id, { intervalMs: 100, signal: ac.signal })
  setTimeout(() => ac.abort(), 250)
  assert.equal((await h.rejection(waiting)).code, 'SB_ERR_ABORTED')
  const t = await h.rejection(eid.wait(EidProduct.bankidSe(), s.id, { intervalMs: 100, timeoutMs: 300 }))
  assert.equal(t.code, 'SB_ERR_TIMEOUT')
  await h.control(sim, 'POST', `/_sim/zignsec/sessions/${s.id}/expire`, {})
  const x = await h.rejection(eid.wait(EidProduct.bankidSe(), s.id, fast))
  assert.equal(x.code, 'SB_ERR_SESSION_EXPIRED')
})

test('values the core refuses reject with SB_ERR_INVALID_ARGUMENT before any request', async () => {
  await h.clearRecorded(sim)
  for (const p of [
    eid.bankidSe(null, { personalNumber: '123' }),
    eid.mitid(null, { cprNumber: '12' }),
    eid.freja(null, { country: 'XX', ssn: '1' }),
    eid.freja(null, { country: 'SE', ssn: '123' }),
    eid.result(EidProduct.bankidSe(), '../admin'),
    eid.create(EidProduct.bankidSe(), { redirectSuccess: 'not a url' })
  ]) {
    const e = await h.rejection(p)
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT', e.message)
    assert.ok(!(e instanceof TypeError))
  }
  assert.deepEqual(await h.recorded(sim), [])
})

test('wrong argument types throw TypeError naming the argument', () => {
  const p = EidProduct.bankidSe()
  const cases = [
    [() => eid.create('bankidSe', {}), /product must be an EidProduct.*got a string/],
    [() => eid.create({ createPath: 'x' }, {}), /product\.resultPrefix must be a string, got undefined/],
    [() => eid.create({ ...p, extra: 1 }, {}), /product has an unknown field "extra"/],
    [() => eid.create(p, 'x'), /request must be an object, got a string/],
    [() => eid.create(p, { relay_state: 'x' }), /unknown field "relay_state"/],
    [() => eid.bankidSe({}, { personalNumber: 199001011234 }), /options\.personalNumber must be a string, got a number/],
    [() => eid.bankidSe({}, { personal_number: 'x' }), /unknown field "personal_number"/],
    [() => eid.mitid({}, { requestedAttributes: 'DATE_OF_BIRTH' }), /options\.requestedAttributes must be an array/],
    [() => eid.mitid({}, { requestedAttributes: [1] }), /options\.requestedAttributes\[0\] must be a string/],
    [() => eid.freja({}), /options must be an object, got undefined/],
    [() => eid.freja({}, { country: 'SE' }), /options\.ssn must be a string, got undefined/],
    [() => eid.bankidNo(5), /request must be an object, got a number/],
    [() => eid.result(p, 42), /sessionId must be a string, got a number/],
    [() => eid.result(null, 's'), /product must be an EidProduct.*got null/],
    [() => eid.wait(p, 's', { signal: 'abort' }), /options\.signal must be an AbortSignal/],
    [() => eid.wait(p, 's', { interval: 5 }), /unknown field "interval"/],
    [() => eid.completeRedirect(p, 's', new URL('https://a/')), /returnedUrl must be a string, got an object/],
    [() => eid.completeRedirect(p, 's', 'https://a/', 7), /expectedRelayState must be a string, got a number/],
    [() => parseRedirect(), /returnedUrl must be a string, got undefined/],
    [() => EidProduct.core('identity_verification'), /product must be a string, got undefined/],
    [() => EidProduct.v5(1, 'auth'), /provider must be a string, got a number/]
  ]
  for (const [call, re] of cases) {
    let thrown
    try {
      call()
    } catch (e) {
      thrown = e
    }
    assert.ok(thrown, `no throw for ${call}`)
    assert.ok(thrown instanceof TypeError, `${call}: ${thrown}`)
    assert.match(thrown.message, re)
    assert.equal(thrown.code, 'SB_ERR_INVALID_ARGUMENT')
    assert.equal(thrown.errno, 100)
  }
})
