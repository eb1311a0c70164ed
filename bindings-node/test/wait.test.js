'use strict'
// wait(): AbortSignal, timeouts, and the runtime model (DESIGN.md principle 2): Promises are
// settled from the core's runtime, so long waits neither hold libuv pool threads nor add threads.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const { getEventListeners } = require('node:events')
const { setTimeout: sleep } = require('node:timers/promises')

const { Client } = require('..')
const h = require('./helpers')

let sim
let signing

before(async () => {
  sim = await h.startSim()
  signing = new Client(h.config(sim)).zignsecSigning()
})

after(async () => {
  await sim.stop()
})

const pending = () => signing.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })

test('aborting the signal rejects with SB_ERR_ABORTED and stops polling', async () => {
  const started = await pending()
  const ac = new AbortController()
  const waiting = signing.wait({ sessionId: started.id }, { intervalMs: 100, signal: ac.signal })
  await sleep(350)
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1)
  ac.abort()
  const e = await h.rejection(waiting)
  assert.equal(e.code, 'SB_ERR_ABORTED')
  assert.equal(e.errno, 510)
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'listener removed once settled')
  await h.clearRecorded(sim)
  await sleep(400)
  assert.deepEqual(await h.recorded(sim), [], 'no poll after the abort')
  // The session itself goes on.
  assert.equal((await signing.status({ sessionId: started.id })).status, 'Pending')
})

test('an already aborted signal rejects at once without a request', async () => {
  const started = await pending()
  await h.clearRecorded(sim)
  const e = await h.rejection(signing.wait({ sessionId: started.id }, { signal: AbortSignal.abort() }))
  assert.equal(e.code, 'SB_ERR_ABORTED')
  assert.deepEqual(await h.recorded(sim), [])
})

test('AbortSignal.timeout works like any signal', async () => {
  const started = await pending()
  const e = await h.rejection(signing.wait({ sessionId: started.id }, { intervalMs: 100, signal: AbortSignal.timeout(250) }))
  assert.equal(e.code, 'SB_ERR_ABORTED')
})

test('a long-lived signal shared by many waits keeps no listener behind', async () => {
  const ac = new AbortController()
  for (let i = 0; i < 3; i++) {
    const started = await pending()
    await h.complete(sim, started.id)
    const done = await signing.wait({ sessionId: started.id }, { intervalMs: 100, signal: ac.signal })
    assert.equal(done.status, 'Finished')
  }
  const failing = await pending()
  await h.control(sim, 'POST', `/_sim/zignsec/signing/${failing.id}/fail`, {})
  await h.rejection(signing.wait({ sessionId: failing.id }, { intervalMs: 100, signal: ac.signal }))
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0)
})

test('timeoutMs bounds the wait with SB_ERR_TIMEOUT', async () => {
  const started = await pending()
  const t0 = Date.now()
  const e = await h.rejection(signing.wait({ sessionId: started.id }, { intervalMs: 100, timeoutMs: 400 }))
  assert.equal(e.code, 'SB_ERR_TIMEOUT')
  assert.ok(e.message.includes('wait again'), e.message)
  assert.ok(Date.now() - t0 >= 350)
})

test('200 concurrent waits do not block fs.promises, and the thread count stays flat', async () => {
  // Warm up: the core runtime, the connection pool and libuv's pool all exist from here on.
  await signing.create()
  await fs.promises.readFile(__filename)
  const threadsBefore = h.threadCount()

  const sessions = await Promise.all(Array.from({ length: 200 }, () => signing.create()))
  let settled = 0
  const waits = sessions.map((s) =>
    signing.wait({ sessionId: s.id }, { intervalMs: 1000 }).then(
      (v) => { settled++; return v },
      (e) => { settled++; return e }
    )
  )
  await sleep(200)

  // File system work issued meanwhile completes promptly, while every wait is still pending.
  const t0 = performance.now()
  for (let i = 0; i < 20; i++) {
    await Promise.all([fs.promises.readFile(__filename), fs.promises.stat(__dirname)])
  }
  const elapsed = performance.now() - t0
  assert.equal(settled, 0, 'the waits were all still pending')
  assert.ok(elapsed < 2000, `20 rounds of fs work took ${elapsed.toFixed(0)} ms`)
  const threadsDuring = h.threadCount()

  // The sessions finish later: every wait settles with the session's outcome.
  await Promise.all(sessions.map((s) => h.control(sim, 'POST', `/_sim/zignsec/signing/${s.id}/cancel`)))
  const results = await Promise.all(waits)
  assert.equal(settled, 200)
  for (const r of results) assert.equal(r.code, 'SB_ERR_CANCELLED')
  const threadsAfter = h.threadCount()

  if (process.env.SB_DEBUG) console.log({ threadsBefore, threadsDuring, threadsAfter, elapsed })
  const slack = 3
  assert.ok(threadsDuring <= threadsBefore + slack, `threads ${threadsBefore} -> ${threadsDuring} during the waits`)
  assert.ok(threadsAfter <= threadsBefore + slack, `threads ${threadsBefore} -> ${threadsAfter} after the waits`)
})
