'use strict'
// The error table, each error class the simulator can produce, and bad arguments.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')

const { Client, ErrorCode, errorCodes, isSignbridgeError } = require('..')
const h = require('./helpers')

let sim
let signing

before(async () => {
  sim = await h.startSim()
  signing = new Client(h.config(sim)).zignsecSigning()
})

after(async () => {
  await h.control(sim, 'DELETE', '/_sim/faults')
  await sim.stop()
})

/** Assert `err` is a signbridge error with this code and the full set of fields. */
function assertSb (err, code) {
  assert.ok(err instanceof Error, `not an Error: ${err}`)
  assert.equal(err.code, code, `${err.code}: ${err.message}`)
  assert.equal(err.errno, ErrorCode[code])
  assert.equal(typeof err.message, 'string')
  assert.ok(err.message.length > 0)
  for (const k of ['httpStatus', 'providerCode', 'providerDescription', 'retryAfter']) {
    assert.ok(k in err, `missing ${k}`)
  }
  assert.equal(typeof err.retryable, 'boolean')
}

test('ErrorCode equals the core table, both ways, frozen', () => {
  const table = errorCodes()
  assert.ok(table.length >= 20)
  const names = new Set()
  for (const row of table) {
    assert.equal(ErrorCode[row.name], row.code)
    assert.equal(ErrorCode[row.code], row.name)
    assert.match(row.name, /^SB_/)
    assert.equal(typeof row.message, 'string')
    names.add(row.name)
  }
  assert.equal(Object.keys(ErrorCode).length, table.length * 2)
  assert.ok(Object.isFrozen(ErrorCode))
  // Spot checks against the documented numbers.
  assert.equal(ErrorCode.SB_OK, 0)
  assert.equal(ErrorCode.SB_ERR_INVALID_ARGUMENT, 100)
  assert.equal(ErrorCode.SB_ERR_AUTH, 200)
  assert.equal(ErrorCode.SB_ERR_RATE_LIMITED, 402)
  assert.equal(ErrorCode.SB_ERR_ABORTED, 510)
  assert.equal(ErrorCode.SB_ERR_PANIC, 901)
  assert.equal(table.find((r) => r.name === 'SB_ERR_RATE_LIMITED').retryable, true)
  assert.equal(table.find((r) => r.name === 'SB_ERR_AUTH').retryable, false)
})

test('the TypeScript enum in index.d.ts equals the core table', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  const body = /export declare enum ErrorCode \{([\s\S]*?)\n\}/.exec(dts)
  assert.ok(body, 'index.d.ts declares a (non-const) enum ErrorCode')
  const members = [...body[1].matchAll(/^\s+(SB_\w+) = (\d+),?$/gm)].map((m) => [m[1], Number(m[2])])
  assert.deepEqual(members, errorCodes().map((r) => [r.name, r.code]))
})

test('bad configs throw synchronously with their codes, without echoing secrets', () => {
  const thrown = (fn) => {
    try {
      fn()
    } catch (x) {
      return x
    }
    throw new Error('expected a throw')
  }
  let e = thrown(() => new Client({ zignsec: { base_url: sim.url, kyes: ['s3cr3t'] } }))
  assertSb(e, 'SB_ERR_INVALID_CONFIG')
  assert.ok(e.message.includes('kyes'), e.message)
  assert.ok(!e.message.includes('s3cr3t'))

  e = thrown(() => new Client({ zignsec: { keys: 's3cr3t-not-a-list' } }))
  assertSb(e, 'SB_ERR_INVALID_CONFIG')
  assert.ok(!e.message.includes('s3cr3t'), e.message)

  e = thrown(() => new Client({}))
  assertSb(e, 'SB_ERR_AUTH_CONFIG_MISSING')

  e = thrown(() => new Client({ zignsec: { base_url: 'http://gateway.example.com', keys: ['k'] } }))
  assertSb(e, 'SB_ERR_INVALID_CONFIG')
})

test('wrong argument types throw TypeError naming the argument', () => {
  const cases = [
    [() => new Client(), /config must be an object/],
    [() => new Client('zignsec'), /config must be an object.*got a string/],
    [() => new Client([]), /got an array/],
    [() => signing.wait({ sessionId: 's' }, { intervalMs: '100' }), /options\.intervalMs must be a number, got a string/],
    [() => signing.wait({ sessionId: 's' }, { intervalMs: -1 }), /options\.intervalMs must be a finite number >= 0/],
    [() => signing.wait({ sessionId: 's' }, { timeout: 5 }), /unknown field "timeout"/],
    [() => signing.wait({ sessionId: 's' }, { signal: {} }), /options\.signal must be an AbortSignal/],
    [() => signing.wait({ sessionId: 's' }, { signal: 'abort' }), /options\.signal must be an AbortSignal, got a string/]
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

test('requests of the wrong shape reject with SB_ERR_INVALID_ARGUMENT naming the field', async () => {
  const cases = [
    [() => signing.status({ sessionId: 42 }), /request\.sessionId: invalid type: integer .*, expected a string/],
    [() => signing.status(), /missing field `sessionId`/],
    [() => signing.create('x'), /request must be an object, got a string/],
    [() => signing.create({ relayStat: 'x' }), /unknown field `relayStat`.*`relayState`/],
    [() => signing.create({ relayState: 7 }), /request\.relayState: invalid type: integer .*, expected a string/],
    [() => signing.create({ metadata: 'x' }), /metadata must be a JSON object/],
    [() => signing.upload({ sessionId: 's', name: 'a.pdf', pdf: 'not bytes' }), /pdf must be a Buffer or Uint8Array, got a string/],
    [() => signing.upload({ sessionId: 's', name: 7, pdf: Buffer.from('x') }), /request\.name: invalid type: integer .*, expected a string/],
    [() => signing.upload({ sessionId: 's', path: 7 }), /request\.path: .*expected a string/],
    [() => signing.start({ sessionId: 's', start: { files: 'f' } }), /request\.start\.files: .*expected a sequence/],
    [() => signing.start({ sessionId: 's', start: {} }), /request\.start: missing field `files`/],
    [() => signing.start({ sessionId: 's', start: { files: [{ fileId: 1 }] } }), /request\.start\.files\[0\]\.fileId: .*expected a string/],
    [() => signing.start({ sessionId: 's', start: { files: [{ fileId: 'f', placement: { page: 1, x: 'left', y: 0 } }] } }), /files\[0\]\.placement\.x: .*expected f64/],
    [() => signing.start({ sessionId: 's', start: { files: [{ fileId: 'f', placement: { page: 1.5, x: 0, y: 0 } }] } }), /files\[0\]\.placement\.page: .*expected u32/],
    [() => signing.signDocuments({ documents: 'a.pdf' }), /request\.documents: .*expected a sequence/],
    [() => signing.signDocuments({ documents: [{ name: 'a.pdf' }] }), /request\.documents\[0\] needs exactly one of path and data/],
    [() => signing.signDocuments({ documents: [{ data: Buffer.from('x'), path: 'a.pdf' }] }), /exactly one of/],
    [() => signing.download({ file: 'file' }), /request\.file: .*expected struct FileRef/],
    [() => signing.download({ file: { name: 'x' } }), /request\.file: missing field `id`/],
    [() => signing.downloadTo({ file: { id: 'f', name: 'x' }, path: 5 }), /request\.path: .*expected a string/],
    [() => signing.saveSignedFiles({ sessionId: 's', dir: null }), /request\.dir: .*expected a string/]
  ]
  for (const [call, re] of cases) {
    const e = await h.rejection(call())
    assert.ok(!(e instanceof TypeError), `${call}: ${e}`)
    assert.match(e.message, re, `${call}`)
    assert.equal(e.code, 'SB_ERR_INVALID_ARGUMENT')
    assert.equal(e.errno, 100)
  }
})

test('bad values of the right type reject with SB_ERR_INVALID_ARGUMENT (not TypeError)', async () => {
  for (const p of [
    () => signing.status({ sessionId: '../../admin' }),
    () => signing.status({ sessionId: '' }),
    () => signing.start({ sessionId: 'abc', start: { files: [] } }),
    () => signing.start({ sessionId: 'abc', start: { files: [{ fileId: 'f', placement: { page: 0, x: 1, y: 1 } }] } }),
    () => signing.create({ redirectSuccess: 'not a url' }),
    () => signing.wait({ sessionId: 'abc' }, { intervalMs: 1 }),
    () => signing.signDocuments({ documents: [] })
  ]) {
    // One call at a time: a Promise made before its handler is attached may reject unhandled.
    const e = await h.rejection(p())
    assertSb(e, 'SB_ERR_INVALID_ARGUMENT')
    assert.ok(!(e instanceof TypeError))
  }
})

test('bad documents and local files', async () => {
  const session = await signing.create()
  await h.clearRecorded(sim)
  for (const [name, data] of [['notes.txt', Buffer.from('just text\n')], ['empty.pdf', Buffer.alloc(0)], ['cut.pdf', h.samplePdf('x').subarray(0, 40)]]) {
    const e = await h.rejection(signing.upload({ sessionId: session.id, name, pdf: data }))
    assertSb(e, 'SB_ERR_INVALID_DOCUMENT')
    assert.ok(e.message.includes(name), e.message)
  }
  const missing = path.join(os.tmpdir(), 'signbridge-no-such-file.pdf')
  assertSb(await h.rejection(signing.upload({ sessionId: session.id, path: missing })), 'SB_ERR_IO')
  assertSb(await h.rejection(signing.signDocuments({ documents: [{ path: missing }] })), 'SB_ERR_IO')
  assert.deepEqual(await h.recorded(sim), [], 'no request was sent for a bad document')
})

test('provider answers map to their codes', async () => {
  // Unknown session.
  let e = await h.rejection(signing.status({ sessionId: '00000000-0000-4000-8000-000000000000' }))
  assertSb(e, 'SB_ERR_NOT_FOUND')
  assert.equal(e.httpStatus, 404)
  assert.equal(e.providerCode, 'NOT_FOUND')

  // 400 from the provider.
  await h.fault(sim, { kind: 'status', status: 400, count: 1, method: 'POST' })
  e = await h.rejection(signing.create())
  assertSb(e, 'SB_ERR_PROVIDER')
  assert.equal(e.httpStatus, 400)

  // 503 on a create is not retried.
  await h.fault(sim, { kind: 'status', status: 503, count: 1, method: 'POST' })
  e = await h.rejection(signing.create())
  assertSb(e, 'SB_ERR_PROVIDER_UNAVAILABLE')
  assert.equal(e.retryable, true)

  // Upload after start: invalid state.
  const started = await signing.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })
  e = await h.rejection(signing.upload({ sessionId: started.id, name: 'b.pdf', pdf: h.samplePdf('B') }))
  assertSb(e, 'SB_ERR_INVALID_STATE')
  assert.equal(e.httpStatus, 409)

  // Rate limit longer than the client waits by itself.
  await h.fault(sim, { kind: 'rate_limit', retry_after: 3600, count: 1, method: 'GET' })
  e = await h.rejection(signing.status({ sessionId: started.id }))
  assertSb(e, 'SB_ERR_RATE_LIMITED')
  assert.equal(e.retryAfter, 3600)
  assert.equal(e.httpStatus, 429)
  assert.equal(e.retryable, true)

  // Malformed answer: to a read it is a protocol error; to a create the provider already acted.
  await h.fault(sim, { kind: 'malformed', count: 1, method: 'GET' })
  assertSb(await h.rejection(signing.status({ sessionId: started.id })), 'SB_ERR_PROTOCOL')
  await h.fault(sim, { kind: 'malformed', count: 1, method: 'POST' })
  assertSb(await h.rejection(signing.create()), 'SB_ERR_OUTCOME_UNKNOWN')
})

test('credentials rejected: SB_ERR_AUTH, no secret in the error', async () => {
  const secretA = 'wrong-key-aaaaaaaaaaaaaaaa'
  const secretB = 'wrong-key-bbbbbbbbbbbbbbbb'
  const s = new Client(h.config(sim, [secretA, secretB])).zignsecSigning()
  const e = await h.rejection(s.create())
  assertSb(e, 'SB_ERR_AUTH')
  assert.equal(e.httpStatus, 403)
  const text = `${e.message} ${e.stack} ${JSON.stringify(e)}`
  assert.ok(!text.includes(secretA) && !text.includes(secretB))
})

test('corrupted download: SB_ERR_INTEGRITY and nothing left on disk', async () => {
  const started = await signing.signDocuments({ documents: [{ name: 'a.pdf', data: h.samplePdf('A') }] })
  await h.complete(sim, started.id)
  const done = await signing.wait({ sessionId: started.id }, { intervalMs: 100 })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signbridge-integrity-'))
  try {
    await h.fault(sim, { kind: 'corrupt', count: 1, path_prefix: '/folders/' })
    const target = path.join(dir, 'signed.pdf')
    assertSb(await h.rejection(signing.downloadTo({ file: done.signedFiles[0], path: target })), 'SB_ERR_INTEGRITY')
    assert.deepEqual(fs.readdirSync(dir), [])
    assert.ok((await signing.downloadTo({ file: done.signedFiles[0], path: target })) > 0)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('unreachable gateway: SB_ERR_NETWORK; slow gateway: SB_ERR_TIMEOUT, or SB_ERR_OUTCOME_UNKNOWN for a create', async () => {
  const port = await new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = srv.address().port
      srv.close(() => resolve(p))
    })
  })
  const dead = new Client({ zignsec: { base_url: `http://127.0.0.1:${port}`, keys: ['k'] }, transport: { max_attempts: 1 } })
  const e = await h.rejection(dead.zignsecSigning().create())
  assertSb(e, 'SB_ERR_NETWORK')
  assert.equal(e.retryable, true)

  const slow = new Client(h.config(sim, [h.PRIMARY_KEY], { transport: { request_timeout_ms: 300, max_attempts: 1 } }))
  const session = await slow.zignsecSigning().create()
  await h.fault(sim, { kind: 'delay', delay_ms: 2000, count: 1, method: 'GET' })
  assertSb(await h.rejection(slow.zignsecSigning().status({ sessionId: session.id })), 'SB_ERR_TIMEOUT')
  // A create that timed out may have happened: it is not resent and says so.
  await h.fault(sim, { kind: 'delay', delay_ms: 2000, count: 1, method: 'POST' })
  const unknown = await h.rejection(slow.zignsecSigning().create())
  assertSb(unknown, 'SB_ERR_OUTCOME_UNKNOWN')
  assert.equal(unknown.retryable, false)
})

test('transport: minTransferBytesPerS and maxRequestsPerOrigin reach the core; 0 is SB_ERR_INVALID_CONFIG', async () => {
  // One request slot: concurrent calls queue for it and all complete.
  const narrow = new Client(h.config(sim, [h.PRIMARY_KEY], {
    transport: { minTransferBytesPerS: 50000, maxRequestsPerOrigin: 1 }
  }))
  const created = await Promise.all([1, 2, 3].map(() => narrow.zignsecSigning().create()))
  assert.equal(new Set(created.map((s) => s.id)).size, 3)
  // The message names the field the way it was written: camelCase.
  for (const key of ['minTransferBytesPerS', 'maxRequestsPerOrigin']) {
    let err
    try {
      // eslint-disable-next-line no-new
      new Client(h.config(sim, [h.PRIMARY_KEY], { transport: { [key]: 0 } }))
    } catch (e) {
      err = e
    }
    assertSb(err, 'SB_ERR_INVALID_CONFIG')
    assert.match(err.message, new RegExp(`transport\\.${key}`))
  }
})

test("an asynchronous error keeps the caller's frames", async () => {
  // A named function of this file must appear in the stack, as for a synchronous throw.
  async function lookUpTheSession () {
    return await signing.status({ sessionId: '00000000-0000-4000-8000-000000000000' })
  }
  const err = await lookUpTheSession().then(() => null, (e) => e)
  assertSb(err, 'SB_ERR_NOT_FOUND')
  assert.ok(err.stack.startsWith(`Error: ${err.message}\n`), err.stack)
  assert.match(err.stack, /at lookUpTheSession \(.*errors\.test\.js:\d+:\d+\)/, err.stack)
  // Module-level functions too (`call`), and a sync TypeError keeps its own frames.
  const viaCall = await (async function callTheTable () {
    return await new Client(h.config(sim)).call('zignsec.signing_status', { session_id: '00000000-0000-4000-8000-000000000000' })
  })().then(() => null, (e) => e)
  assert.ok(isSignbridgeError(viaCall), String(viaCall))
  assert.match(viaCall.stack, /at callTheTable /, viaCall.stack)
})

test('isSignbridgeError is a type guard for signbridge errors only', async () => {
  const err = await signing.status({ sessionId: '00000000-0000-4000-8000-000000000000' }).then(() => null, (e) => e)
  assert.equal(isSignbridgeError(err), true)
  let typeErr
  try { signing.wait({ sessionId: 's' }, { signal: 'abort' }) } catch (e) { typeErr = e }
  assert.ok(typeErr instanceof TypeError)
  assert.equal(isSignbridgeError(typeErr), true)
  for (const other of [new Error('x'), Object.assign(new Error('x'), { code: 'ENOENT', errno: -2 }),
    Object.assign(new Error('x'), { code: 'SB_ERR_AUTH', errno: 201 }),
    { code: 'SB_ERR_AUTH', errno: 200, message: 'not an Error' }, null, undefined, 'SB_ERR_AUTH']) {
    assert.equal(isSignbridgeError(other), false, String(other))
  }
  const esm = await import('../index.mjs')
  assert.equal(esm.isSignbridgeError, isSignbridgeError)
})
