'use strict'
// Webhooks end to end: the simulator delivers signed results to a local receiver and the
// WebhookVerifier authenticates them (relay state intact, tampered body / wrong secret / stale /
// replayed refused, redelivery after the receiver's 500 accepted); then the Express example
// (examples/express-webhook.js) runs against the simulator as a user would run it.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const readline = require('node:readline')
const { spawn } = require('node:child_process')
const { setTimeout: sleep } = require('node:timers/promises')

const { Client, WebhookVerifier, SIGNATURE_HEADER } = require('..')
const h = require('./helpers')

const SECRET = 'whsec-sim-0001'

let sim
let eid

before(async () => {
  sim = await h.startSim()
  eid = new Client(h.config(sim)).zignsecEid()
})

after(async () => {
  await sim.stop()
})

/** Assert `fn` throws an `Error` (not a TypeError) with `code`. */
function throwsCode (fn, code) {
  let e
  try {
    fn()
  } catch (x) {
    e = x
  }
  assert.ok(e, `expected ${code}, nothing was thrown`)
  assert.equal(e.code, code, e.message)
  assert.ok(e instanceof Error && !(e instanceof TypeError))
  return e
}

const signV5 = (secret, t, body) =>
  `t=${t},v1=${crypto.createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')}`
const now = () => Math.floor(Date.now() / 1000)

test('SIGNATURE_HEADER and the verifier on crafted deliveries: stale, replayed, rotated, string bodies', () => {
  assert.equal(SIGNATURE_HEADER, 'X-ZignSec-Hmac-SHA256')
  const body = Buffer.from(JSON.stringify({
    event: 'session_finished',
    id: 's1',
    integration_id: 'Zignsec.v5.bankid_se',
    relay_state: 'order-7',
    result: { errors: [], status: 'Finished', eventSpecificData: { identity: { fullName: 'Astrid Lindqvist', personalNumber: '199001011234' } } },
    workflow_session_id: null
  }))
  const v = new WebhookVerifier(['old-secret', SECRET])
  const e = v.verify(signV5(SECRET, now(), body), body)
  assert.deepEqual(
    { ...e, raw: undefined, identity: undefined },
    { event: 'session_finished', sessionId: 's1', integrationId: 'Zignsec.v5.bankid_se', relayState: 'order-7', status: 'Finished', errors: [], workflowSessionId: null, raw: undefined, identity: undefined }
  )
  assert.equal(e.identity.fullName, 'Astrid Lindqvist')
  assert.equal(e.identity.dateOfBirth, null)
  assert.equal(e.raw.integration_id, 'Zignsec.v5.bankid_se')
  // Signed with the old secret of a rotation: accepted too; a string body is the same bytes.
  assert.equal(v.verify(signV5('old-secret', now(), body), body.toString()).relayState, 'order-7')
  assert.equal(v.verify(signV5(SECRET, now() - 1, body), new Uint8Array(body)).event, 'session_finished')

  // Stale (10 minutes old, default tolerance 5 minutes) and from the future.
  throwsCode(() => v.verify(signV5(SECRET, now() - 600, body), body), 'SB_ERR_WEBHOOK_REPLAY')
  throwsCode(() => v.verify(signV5(SECRET, now() + 600, body), body), 'SB_ERR_WEBHOOK_REPLAY')
  // ...accepted by a verifier with a longer tolerance.
  const lenient = new WebhookVerifier([SECRET], { toleranceSeconds: 3600 })
  const old = signV5(SECRET, now() - 600, body)
  assert.equal(lenient.verify(old, body).sessionId, 's1')
  // Replayed: the same delivery twice.
  const err = throwsCode(() => lenient.verify(old, body), 'SB_ERR_WEBHOOK_REPLAY')
  assert.equal(err.errno, 204)

  // Tampered, wrong secret, missing or malformed header.
  const fresh = signV5(SECRET, now(), body)
  const tampered = Buffer.from(body.toString().replace('order-7', 'order-8'))
  assert.equal(throwsCode(() => v.verify(fresh, tampered), 'SB_ERR_WEBHOOK_INVALID').errno, 203)
  throwsCode(() => v.verify(signV5('wrong', now(), body), body), 'SB_ERR_WEBHOOK_INVALID')
  for (const header of [undefined, null, '', 'garbage', `t=${now()}`, 'v1=00']) {
    throwsCode(() => v.verify(header, body), 'SB_ERR_WEBHOOK_INVALID')
  }

  // Legacy scheme: hex(HMAC(secret, body)), no timestamp.
  const legacy = crypto.createHmac('sha256', SECRET).update(body).digest('hex')
  assert.equal(v.verifyLegacy(legacy, body).relayState, 'order-7')
  throwsCode(() => v.verifyLegacy(legacy, tampered), 'SB_ERR_WEBHOOK_INVALID')
  throwsCode(() => v.verifyLegacy('zz', body), 'SB_ERR_WEBHOOK_INVALID')
  throwsCode(() => v.verify(legacy, body), 'SB_ERR_WEBHOOK_INVALID')
})

test('constructor and argument errors', () => {
  throwsCode(() => new WebhookVerifier([]), 'SB_ERR_AUTH_CONFIG_MISSING')
  throwsCode(() => new WebhookVerifier(['']), 'SB_ERR_AUTH_CONFIG_MISSING')
  // A tolerance above one day would let old deliveries be replayed: refused, with the limit.
  assert.ok(new WebhookVerifier([SECRET], { toleranceSeconds: 86400 }))
  for (const absurd of [86401, 1e12, 1e300]) {
    const e = throwsCode(() => new WebhookVerifier([SECRET], { toleranceSeconds: absurd }), 'SB_ERR_INVALID_ARGUMENT')
    assert.match(e.message, /86400/)
  }
  const v = new WebhookVerifier([SECRET])
  const cases = [
    [() => new WebhookVerifier(), /secrets must be an array, got undefined/],
    [() => new WebhookVerifier(SECRET), /secrets must be an array, got a string/],
    [() => new WebhookVerifier([SECRET, 7]), /secrets\[1\] must be a string, got a number/],
    [() => new WebhookVerifier([SECRET], { tolerance: 5 }), /unknown field "tolerance".*toleranceSeconds/],
    [() => new WebhookVerifier([SECRET], { toleranceSeconds: '300' }), /toleranceSeconds must be a number/],
    [() => new WebhookVerifier([SECRET], { toleranceSeconds: -1 }), /toleranceSeconds must be a finite number >= 0/],
    [() => v.verify(42, '{}'), /signatureHeader must be a string, got a number/],
    [() => v.verify('t=1,v1=00', { event: 'x' }), /rawBody must be .*Buffer, Uint8Array or string, got an object.*express\.raw/],
    [() => v.verify('t=1,v1=00'), /rawBody must be .* got undefined/],
    [() => v.verifyLegacy('00', 5), /rawBody must be .* got a number/]
  ]
  for (const [call, re] of cases) {
    let thrown
    try {
      call()
    } catch (e) {
      thrown = e
    }
    assert.ok(thrown instanceof TypeError, `${call}: ${thrown}`)
    assert.match(thrown.message, re)
    assert.equal(thrown.code, 'SB_ERR_INVALID_ARGUMENT')
  }
})

test('simulator deliveries (BankID SE): relay state intact, redelivery after a 500, replay/tamper/wrong secret refused', async () => {
  // The simulated clock runs 20x: retries come fast, and its timestamps run ahead of real time.
  await h.control(sim, 'PUT', '/_sim/clock', { speed: 20 })
  const verifier = new WebhookVerifier(['an-old-secret', SECRET], { toleranceSeconds: 3600 })
  const hook = await h.receiver([200, 500])
  try {
    const se = await eid.create({ product: 'bankid_se', session: { relayState: 'hook-se', webhook: hook.url } })
    await h.eidPage(se.redirectUrl, '199001011234')

    const created = await hook.next()
    assert.equal(created.status, 200)
    const c = verifier.verify(created.header, created.body)
    assert.equal(c.event, 'session_created')
    assert.equal(c.sessionId, se.id)
    assert.equal(c.relayState, 'hook-se')

    const refused = await hook.next()
    assert.equal(refused.status, 500, 'the receiver refused the first finished delivery')
    assert.equal(verifier.verify(refused.header, refused.body).event, 'session_finished')
    const again = await hook.next()
    assert.equal(again.status, 200)
    assert.ok(again.body.equals(refused.body), 'the redelivery carries the same bytes')
    assert.notEqual(again.header, refused.header, 'signed anew')
    const done = verifier.verify(again.header, again.body)
    assert.equal(done.event, 'session_finished')
    assert.equal(done.relayState, 'hook-se')
    assert.equal(done.status, 'Finished')
    assert.equal(done.integrationId, 'Zignsec.v5.bankid_se')
    assert.equal(done.identity.personalNumber, '199001011234')
    assert.equal(done.identity.fullName, 'Astrid Lindqvist')

    throwsCode(() => verifier.verify(again.header, again.body), 'SB_ERR_WEBHOOK_REPLAY')
    const tampered = Buffer.from(again.body)
    tampered[tampered.indexOf('F')] = 'G'.charCodeAt(0)
    throwsCode(() => verifier.verify(again.header, tampered), 'SB_ERR_WEBHOOK_INVALID')
    throwsCode(() => new WebhookVerifier(['wrong']).verify(again.header, again.body), 'SB_ERR_WEBHOOK_INVALID')

    // The simulator logs an attempt once it has read the answer: poll the log briefly.
    let log = []
    for (let i = 0; i < 100 && log.length < 3; i++) {
      if (i) await sleep(20)
      log = (await h.control(sim, 'GET', '/_sim/webhooks')).filter((d) => d.session_id === se.id)
    }
    assert.deepEqual(log.map((d) => [d.event, d.attempt, d.status]), [
      ['session_created', 1, 200],
      ['session_finished', 1, 500],
      ['session_finished', 2, 200]
    ])
  } finally {
    await hook.close()
  }

})

test('a second product (MitID, cancelled) and the legacy scheme through the simulator', async () => {
  const verifier = new WebhookVerifier([SECRET], { toleranceSeconds: 3600 })
  const hook = await h.receiver()
  try {
    const dk = await eid.create({ product: 'mitid', session: { relayState: 'hook-dk', webhook: hook.url } })
    await h.eidPage(dk.redirectUrl, '0101901234', 'cancel')
    const created = await hook.next()
    assert.equal(verifier.verify(created.header, created.body).event, 'session_created')
    const fin = await hook.next()
    const e = verifier.verify(fin.header, fin.body)
    assert.equal(e.sessionId, dk.id)
    assert.equal(e.relayState, 'hook-dk')
    assert.equal(e.status, 'Cancelled')
    assert.equal(e.errors[0].code, 'CANCELLED_BY_USER')
    assert.equal(e.identity, null)

    await h.control(sim, 'PUT', '/_sim/config', { webhook_scheme: 'legacy' })
    const fr = await eid.create({ product: 'freja', session: { relayState: 'hook-fr', webhook: hook.url }, freja: { country: 'SE', ssn: '198212121236' } })
    await h.control(sim, 'POST', `/_sim/zignsec/sessions/${fr.id}/complete`, {})
    await hook.next() // created
    const legacy = await hook.next()
    throwsCode(() => verifier.verify(legacy.header, legacy.body), 'SB_ERR_WEBHOOK_INVALID')
    const l = verifier.verifyLegacy(legacy.header, legacy.body)
    assert.equal(l.relayState, 'hook-fr')
    assert.equal(l.identity.fullName, 'Karin Berg')
    // A session polled after its webhook agrees with it.
    assert.equal((await eid.result({ product: 'freja', sessionId: fr.id })).identity.fullName, 'Karin Berg')
  } finally {
    await h.control(sim, 'PUT', '/_sim/config', { webhook_scheme: null })
    await hook.close()
  }
})

/** Run examples/express-webhook.js; resolves with { url, lines, stop }. */
function startExample (env) {
  const proc = spawn(process.execPath, [path.join(__dirname, '..', 'examples', 'express-webhook.js')], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines = []
  const rl = readline.createInterface({ input: proc.stdout })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill(); reject(new Error('the Express example did not start')) }, 20000)
    proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the Express example exited with ${code}`)) })
    rl.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line)
      if (m) {
        clearTimeout(timer)
        proc.removeAllListeners('exit')
        resolve({
          url: m[1],
          lines,
          stop: () => new Promise((done) => {
            if (proc.exitCode !== null) return done()
            proc.once('exit', () => done())
            proc.kill('SIGTERM')
          })
        })
      } else {
        lines.push(line)
      }
    })
  })
}

test('the Express example accepts real deliveries and refuses tampered, unsigned, stale and replayed ones', async () => {
  const own = await h.startSim() // real-time clock: the example keeps the default 5-minute tolerance
  const app = await startExample({ WEBHOOK_SECRETS: `an-old-secret,${SECRET}` })
  const capture = await h.receiver()
  try {
    const ownEid = new Client(h.config(own)).zignsecEid()
    const s = await ownEid.create({ product: 'bankid_se', session: { relayState: 'express-1', webhook: app.url } })
    await h.eidPage(s.redirectUrl, '199001011234')
    let log = []
    for (let i = 0; i < 200 && log.length < 2; i++) {
      await sleep(50)
      log = (await h.control(own, 'GET', '/_sim/webhooks')).filter((d) => d.session_id === s.id)
    }
    assert.deepEqual(log.map((d) => [d.event, d.status]), [['session_created', 200], ['session_finished', 200]])
    for (let i = 0; i < 100 && app.lines.length < 2; i++) await sleep(20)
    const seen = app.lines.map((l) => JSON.parse(l))
    assert.deepEqual(seen.map((e) => [e.event, e.sessionId, e.relayState]), [
      ['session_created', s.id, 'express-1'],
      ['session_finished', s.id, 'express-1']
    ])
    assert.equal(seen[1].status, 'Finished')
    assert.equal(seen[1].name, 'Astrid Lindqvist')

    // A real delivery captured elsewhere, then presented to the example.
    const b = await ownEid.create({ product: 'bankid_no', session: { relayState: 'express-2', webhook: capture.url } })
    await h.control(own, 'POST', `/_sim/zignsec/sessions/${b.id}/complete`, {})
    await capture.next()
    const real = await capture.next()
    const post = (header, body) =>
      fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(header ? { [SIGNATURE_HEADER]: header } : {}) },
        body
      }).then((r) => r.status)
    const tampered = Buffer.from(real.body.toString().replace('express-2', 'express-3'))
    assert.equal(await post(real.header, tampered), 401, 'tampered body')
    assert.equal(await post(null, real.body), 401, 'no signature header')
    assert.equal(await post(signV5('wrong-secret', now(), real.body), real.body), 401, 'wrong secret')
    assert.equal(await post(signV5(SECRET, now() - 3600, real.body), real.body), 400, 'stale')
    assert.equal(await post(real.header, real.body), 200, 'authentic')
    assert.equal(await post(real.header, real.body), 400, 'replayed')
    assert.equal(await post(signV5('an-old-secret', now(), real.body), real.body), 200, 'rotated secret')
  } finally {
    await capture.close()
    await app.stop()
    await own.stop()
  }
})

// Many instances: verifiers sharing a Redis replay store. The test starts its own
// redis-server on a free loopback port (installed by `make deps`); never skipped.
test('replayStoreUrl: verifiers sharing a Redis store refuse a delivery another one accepted', async () => {
  const net = require('node:net')
  const port = await new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) })
  })
  const server = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const failed = new Promise((resolve) => server.on('error', resolve))
  try {
    for (let i = 0; ; i++) {
      const up = await Promise.race([
        new Promise((resolve) => { const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true) }); c.on('error', () => resolve(false)) }),
        failed.then((e) => { throw new Error(`redis-server could not be started (${e.message}): install the Debian package redis-server (make deps)`) })
      ])
      if (up) break
      assert.ok(i < 500, 'redis-server did not listen')
      await sleep(20)
    }
    const url = `redis://127.0.0.1:${port}/`
    const a = new WebhookVerifier([SECRET], { replayStoreUrl: url })
    const b = new WebhookVerifier([SECRET], { replayStoreUrl: url })
    const body = Buffer.from('{"id":"7a0c","status":"Finished"}')
    const t = Math.floor(Date.now() / 1000)
    const header = `t=${t},v1=${crypto.createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex')}`
    a.verify(header, body)
    throwsCode(() => b.verify(header, body), 'SB_ERR_WEBHOOK_REPLAY')
    // Separate memories (the default) would each accept it once.
    new WebhookVerifier([SECRET]).verify(header, body)
  } finally {
    server.kill()
  }
  throwsCode(() => new WebhookVerifier([SECRET], { replayStoreUrl: 'http://u:pw@host/' }), 'SB_ERR_INVALID_CONFIG')
  assert.ok(new WebhookVerifier([SECRET], { replayStoreUrl: 'memory:' }))
})

test('a missing signature header is SB_ERR_WEBHOOK_INVALID saying it is missing', () => {
  const { WebhookVerifier: Verifier } = require('..')
  const v = new Verifier(['whsec-sim-0001'])
  for (const header of [undefined, null, '', '  ']) {
    assert.throws(() => v.verify(header, '{}'), (e) => e.code === 'SB_ERR_WEBHOOK_INVALID' && /header is missing/.test(e.message))
    assert.throws(() => v.verifyLegacy(header, '{}'), (e) => e.code === 'SB_ERR_WEBHOOK_INVALID' && /header is missing/.test(e.message))
  }
  assert.throws(() => v.verify('v1=00', '{}'), (e) => /malformed/.test(e.message))
})
