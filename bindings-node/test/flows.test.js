'use strict'
// The signing flows end to end against the simulator, as a Node service would run them.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Client, ErrorCode } = require('..')
const { ZignsecSigning } = require('../zignsec-signing.js')
const h = require('./helpers')

let sim
let signing
let tmp

before(async () => {
  sim = await h.startSim()
  signing = new Client(h.config(sim)).zignsecSigning()
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'signbridge-node-'))
})

after(async () => {
  await sim.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

test('single document from a path: create, upload, start, hosted page, wait, verified downloads', async () => {
  assert.ok(signing instanceof ZignsecSigning)
  const original = h.samplePdf('Contract', 1)
  const file = path.join(tmp, 'contract.pdf')
  fs.writeFileSync(file, original)

  const session = await signing.create({
    redirectSuccess: 'https://app.example/ok',
    redirectFailure: 'https://app.example/fail',
    relayState: 'order-42',
    metadata: { customer: 7 }
  })
  assert.equal(session.status, 'Created')
  assert.equal(typeof session.id, 'string')

  const up = await signing.upload({ sessionId: session.id, path: file })
  assert.equal(up.name, 'contract.pdf')
  assert.equal(up.sessionId, session.id)
  assert.equal(typeof up.fileId, 'string')

  const started = await signing.start({
    sessionId: session.id,
    start: { files: [{ fileId: up.fileId, placement: { page: 1, x: 72, y: 100 } }] }
  })
  assert.equal(started.status, 'Pending')
  assert.match(started.redirectUrl, /^http:\/\/127\.0\.0\.1:\d+\/ui\//)
  assert.equal((await signing.status({ sessionId: session.id })).status, 'Pending')

  const answer = await h.submitPage(started.redirectUrl, h.AKSEL, 'qwer1234', 'sign')
  assert.equal(Math.floor(answer.status / 100), 3)
  const location = answer.headers.get('location')
  assert.ok(location.startsWith('https://app.example/ok'), location)
  assert.ok(location.includes('relay_state=order-42'), location)

  const done = await signing.wait({ sessionId: session.id }, { intervalMs: 100, timeoutMs: 20000 })
  assert.equal(done.status, 'Finished')
  assert.equal(done.relayState, 'order-42')
  assert.equal(done.inputFiles.length, 1)
  assert.equal(done.signedFiles.length, 1)
  assert.deepEqual(done.errors, [])
  assert.equal(done.signer.name, 'Aksel Herseth')
  assert.equal(done.signer.personalNumber, h.AKSEL)
  assert.equal(done.signedFiles[0].mimeType, 'application/pdf')

  const out = path.join(tmp, 'signed.pdf')
  const n = await signing.downloadTo({ file: done.signedFiles[0], path: out })
  const signed = fs.readFileSync(out)
  assert.equal(n, signed.length)
  assert.ok(signed.length > original.length)
  assert.ok(signed.subarray(0, original.length).equals(original), 'signed PDF keeps the original as prefix')
  assert.ok(signed.subarray(original.length).toString('latin1').includes('%%EOF'))
  // md5 is base64, as the gateway reports it; md5Hex is md5sum's form of the same digest.
  const digest = require('node:crypto').createHash('md5').update(signed)
  const md5 = digest.copy().digest('base64')
  assert.equal(done.signedFiles[0].md5, md5)
  assert.equal(done.signedFiles[0].md5Hex, Buffer.from(md5, 'base64').toString('hex'))
  assert.equal(done.signedFiles[0].md5Hex, digest.digest('hex'))

  const back = await signing.download({ file: done.inputFiles[0] })
  assert.ok(Buffer.isBuffer(back))
  assert.ok(back.equals(original))
  const byIds = await signing.downloadFile({ sessionId: session.id, fileId: done.signedFiles[0].id })
  assert.ok(Buffer.isBuffer(byIds))
  assert.ok(byIds.equals(signed))
})

test('two documents in one session (bytes and path), completed via control, saved', async () => {
  const appendix = path.join(tmp, 'appendix.pdf')
  fs.writeFileSync(appendix, h.samplePdf('Appendix', 2))
  const started = await signing.signDocuments({
    documents: [
      { name: 'contract.pdf', data: h.samplePdf('Contract', 1), placement: { page: 1, x: 50, y: 50 } },
      { path: appendix, placement: { page: 2, x: 300, y: 120 } }
    ]
  })
  assert.equal(started.files.length, 2)
  assert.notEqual(started.files[0].fileId, started.files[1].fileId)
  assert.deepEqual(started.files.map((f) => f.name), ['contract.pdf', 'appendix.pdf'])

  await h.complete(sim, started.id, '11920287974')
  const done = await signing.wait({ sessionId: started.id }, { intervalMs: 100 })
  assert.equal(done.signedFiles.length, 2)
  assert.equal(done.signer.name, 'Ole Bramserud')

  const dir = path.join(tmp, 'out-multi')
  const { paths } = await signing.saveSignedFiles({ sessionId: done.id, dir })
  assert.deepEqual(paths.map((p) => path.basename(p)), ['contract.pdf', 'appendix.pdf'])
  for (const p of paths) {
    assert.equal(typeof p, 'string')
    assert.equal(fs.readFileSync(p).subarray(0, 5).toString(), '%PDF-')
  }
})

test('a Uint8Array works as document bytes', async () => {
  const session = await signing.create()
  const pdf = h.samplePdf('Typed', 1)
  const up = await signing.upload({ sessionId: session.id, name: 'typed.pdf', pdf: new Uint8Array(pdf) })
  assert.equal(up.name, 'typed.pdf')
})

test('a large document arrives byte for byte', async () => {
  // About 2 MB: its bytes are copied on the JavaScript thread and encoded on the core's runtime.
  const pdf = h.samplePdf('Large', 10000)
  assert.ok(pdf.length > 1_500_000, String(pdf.length))
  const session = await signing.create()
  const up = await signing.upload({ sessionId: session.id, name: 'large.pdf', pdf })
  const md5 = require('crypto').createHash('md5').update(pdf)
  const digest = md5.digest()
  assert.ok([digest.toString('hex'), digest.toString('base64')].includes(up.md5), up.md5)
})

test('the signer cancels on the hosted page', async () => {
  const started = await signing.signDocuments({
    create: { redirectFailure: 'https://app.example/fail' },
    documents: [{ name: 'a.pdf', data: h.samplePdf('A') }]
  })
  const answer = await h.submitPage(started.redirectUrl, h.AKSEL, '', 'cancel')
  assert.equal(Math.floor(answer.status / 100), 3)
  const loc = answer.headers.get('location')
  assert.ok(loc.startsWith('https://app.example/fail') && loc.includes('errorCode=CANCELLED'), loc)

  const err = await h.rejection(signing.wait({ sessionId: started.id }, { intervalMs: 100 }))
  assert.ok(err instanceof Error)
  assert.equal(err.code, 'SB_ERR_CANCELLED')
  assert.equal(err.errno, ErrorCode.SB_ERR_CANCELLED)
  assert.equal(err.providerCode, 'CANCELLED_BY_USER')
  assert.equal(err.httpStatus, 410)
  assert.equal(typeof err.providerDescription, 'string')
  assert.equal(err.retryAfter, null)

  const st = await signing.status({ sessionId: started.id })
  assert.equal(st.status, 'Cancelled')
  assert.deepEqual(st.signedFiles, [])
  assert.equal(st.errors[0].code, 'CANCELLED_BY_USER')
  const e = await h.rejection(signing.saveSignedFiles({ sessionId: st.id, dir: path.join(tmp, 'nothing') }))
  assert.equal(e.code, 'SB_ERR_INVALID_STATE')
})

test('wrong password on the page, then the right one', async () => {
  const started = await signing.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })
  const bad = await h.submitPage(started.redirectUrl, h.AKSEL, 'wrong-password', 'sign')
  assert.equal(bad.status, 200)
  assert.equal((await signing.status({ sessionId: started.id })).status, 'Pending')
  const good = await h.submitPage(started.redirectUrl, h.AKSEL, 'qwer1234', 'sign')
  assert.ok(good.status === 200 || Math.floor(good.status / 100) === 3)
  assert.equal((await signing.wait({ sessionId: started.id }, { intervalMs: 100 })).status, 'Finished')
})

test('primary key revoked mid-run: no call fails, the secondary sticks', async () => {
  const own = await h.startSim()
  try {
    const s = new Client(h.config(own)).zignsecSigning()
    const started = await s.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })
    await h.control(own, 'POST', '/_sim/zignsec/keys/revoke', { key: h.PRIMARY_KEY })
    for (let i = 0; i < 3; i++) await s.status({ sessionId: started.id })
    await h.clearRecorded(own)
    await s.status({ sessionId: started.id })
    assert.equal((await h.recorded(own)).length, 1, 'the working key is used first from now on')
    await h.control(own, 'PUT', '/_sim/zignsec/keys', { keys: [h.SECONDARY_KEY, 'new-key-3'] })
    assert.equal((await s.status({ sessionId: started.id })).status, 'Pending')
  } finally {
    await own.stop()
  }
})

test('legacy Authorization header scheme from the config', async () => {
  const s = new Client(h.config(sim, [h.PRIMARY_KEY], { zignsec: { key_header: 'authorization' } })).zignsecSigning()
  await h.clearRecorded(sim)
  const session = await s.create()
  await s.status({ sessionId: session.id })
  const reqs = await h.recorded(sim)
  assert.equal(reqs.length, 2)
  for (const r of reqs) {
    assert.ok(r.headers.includes('authorization'))
    assert.ok(!r.headers.includes('zs-product-key'))
  }
})

test('expired and failed sessions reject with their codes', async () => {
  for (const [action, code] of [['expire', 'SB_ERR_SESSION_EXPIRED'], ['fail', 'SB_ERR_SIGNING_FAILED']]) {
    const started = await signing.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })
    await h.control(sim, 'POST', `/_sim/zignsec/signing/${started.id}/${action}`, {})
    const e = await h.rejection(signing.wait({ sessionId: started.id }, { intervalMs: 100 }))
    assert.equal(e.code, code)
    assert.equal(e.errno, ErrorCode[code])
  }
})

test('Client.fromEnv reads SIGNBRIDGE_* variables', async () => {
  process.env.SIGNBRIDGE_ZIGNSEC_URL = sim.url
  process.env.SIGNBRIDGE_ZIGNSEC_KEY = h.PRIMARY_KEY
  try {
    const s = Client.fromEnv().zignsecSigning()
    assert.equal((await s.create()).status, 'Created')
  } finally {
    delete process.env.SIGNBRIDGE_ZIGNSEC_URL
    delete process.env.SIGNBRIDGE_ZIGNSEC_KEY
  }
})

test('the ES module entry exports the same objects', async () => {
  const esm = await import('signbridge')
  const cjs = require('signbridge')
  for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name)
  assert.equal(esm.default, cjs)
  const s = new esm.Client(h.config(sim)).zignsecSigning()
  assert.equal((await s.create()).status, 'Created')
})

test('completeRedirect: the signer back at the redirect URL, like the eID helper (seeds 002/001)', async () => {
  const started = await signing.signDocuments({
    create: { relayState: 'r-1' },
    documents: [{ name: 'contract.pdf', data: h.samplePdf('Contract', 1) }]
  })
  await h.complete(sim, started.id, '11920287974')
  const back = `https://app.example/ok?relay_state=r-1&session_id=${started.id}`
  await assert.rejects(signing.completeRedirect({ sessionId: started.id, returnedUrl: back, expectedRelayState: 'someone-else' }),
    (e) => e.code === 'SB_ERR_INVALID_ARGUMENT')
  const done = await signing.completeRedirect({ sessionId: started.id, returnedUrl: back, expectedRelayState: 'r-1' })
  assert.equal(done.status, 'Finished')
  await assert.rejects(
    signing.completeRedirect({ sessionId: started.id, returnedUrl: '?error=access_denied&error_description=User+left&relay_state=r-1', expectedRelayState: 'r-1' }),
    (e) => e.code === 'SB_ERR_CANCELLED' && e.providerCode === 'access_denied' &&
      e.message.includes('the signer cancelled the signing'))
})
