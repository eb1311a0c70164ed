'use strict'
// Securosys Primus HSM (TSB REST API) through the Node addon's facade generated from the
// operation table (`client.securosys()`: one request object per call, camelCase keys), against
// the simulator (which holds real keys): every key type signs and verifies here and with openssl,
// approvals with a 2-of-3 quorum, rejection and cancellation, role-keyed least privilege, JWT,
// secrets kept out of errors, bad requests refused by the core naming the field.

const { test, before, after, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { execFileSync, spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const { Client, ApproverKey, Policy, ErrorCode, defaultSignatureAlgorithm } = require('..')
const h = require('./helpers')

let sim
let hsm
let tmp

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node-securosys-'))
  sim = await h.startSim()
  hsm = new Client(h.securosysConfig(sim)).securosys()
})

afterEach(async () => {
  await h.control(sim, 'PUT', '/_sim/securosys/auth', { require_jwt: false, accept_oauth: false })
})

after(async () => {
  await sim.stop()
  fs.rmSync(tmp, { recursive: true, force: true })
})

let unique = 0
const label = (what) => `node-${what}-${process.pid}-${++unique}`

/** Assert `err` is a signbridge error with this code. */
function assertCode (err, code) {
  assert.ok(err instanceof Error, `not an Error: ${err}`)
  assert.equal(err.code, code, `${err.code}: ${err.message}`)
  assert.equal(err.errno, ErrorCode[code])
}

/** Whether openssl verifies `signature` over `data` with the PEM public key of a `spec` key. */
function opensslVerifies (spec, pem, data, signature) {
  const dir = fs.mkdtempSync(path.join(tmp, 'openssl-'))
  const [pub, dat, sig] = ['pub.pem', 'data', 'sig'].map((n) => path.join(dir, n))
  fs.writeFileSync(pub, pem)
  fs.writeFileSync(dat, data)
  fs.writeFileSync(sig, signature)
  const args = spec === 'ed25519'
    ? ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', dat, '-sigfile', sig]
    : ['dgst', spec === 'p384' ? '-sha384' : '-sha256', '-verify', pub, '-signature', sig, dat]
  try {
    execFileSync('openssl', args, { stdio: 'pipe' })
    return true
  } catch (e) {
    if (e.code === 'ENOENT') throw new Error('openssl is needed by this test')
    return false
  }
}

const SPECS = ['rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384', 'ed25519']

test('every key type: create, sign, verify here and with openssl, tampered fails, delete', async () => {
  const version = await hsm.versionInfo()
  assert.match(version.version, /^\d+\.\d+/)
  assert.ok((await hsm.licenseInfo()).includes('REST_API'))
  const data = Buffer.from('the document to sign, in bytes')

  for (const spec of SPECS) {
    const name = label(spec)
    const created = await hsm.createKey({ label: name, spec })
    assert.equal(created.label, name)
    assert.ok((await hsm.listKeys()).includes(name))
    const info = await hsm.getKey({ label: name })
    assert.equal(info.attributes.sign, true, spec)
    assert.equal(info.attributes.extractable, false, spec)
    assert.equal(info.policy, null)
    const pub = await hsm.publicKey({ label: name })
    info.publicKeyPem = pub.pem
    assert.match(info.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/)
    assert.deepEqual(pub.der, Buffer.from(info.publicKey, 'base64'))
    // The exported key is one Node's crypto reads too, of the right type.
    const keyObject = crypto.createPublicKey(info.publicKeyPem)
    assert.equal(keyObject.asymmetricKeyType, spec.startsWith('rsa') ? 'rsa' : spec === 'ed25519' ? 'ed25519' : 'ec')

    const alg = defaultSignatureAlgorithm(spec)
    const signature = await hsm.synchronousSign({ label: name, payload: data, algorithm: alg })
    assert.ok(Buffer.isBuffer(signature) && signature.length > 0)
    assert.equal(await hsm.verify({ label: name, payload: data, algorithm: alg, signature }), true, spec)
    assert.equal(await hsm.verify({ label: name, payload: Buffer.from('the document to sign, in bytez'), algorithm: alg, signature }), false, spec)
    assert.equal(opensslVerifies(spec, info.publicKeyPem, data, signature), true, `openssl, ${spec}`)
    assert.equal(opensslVerifies(spec, info.publicKeyPem, Buffer.from('tampered'), signature), false, `openssl tampered, ${spec}`)

    // A digest computed here, said so explicitly.
    if (spec !== 'ed25519') {
      const digest = crypto.createHash(spec === 'p384' ? 'sha384' : 'sha256').update(data).digest()
      const sig = await hsm.synchronousSign({ label: name, payload: digest, algorithm: alg, payloadKind: 'digest' })
      assert.equal(opensslVerifies(spec, info.publicKeyPem, data, sig), true, `openssl digest, ${spec}`)
      assert.equal(await hsm.verify({ label: name, payload: digest, algorithm: alg, signature: sig, payloadKind: 'digest' }), true)
    }

    assert.equal(await hsm.deleteKey({ label: name }), undefined)
    assert.ok(!(await hsm.listKeys()).includes(name))
    const e = await h.rejection(hsm.synchronousSign({ label: name, payload: data, algorithm: alg }))
    assertCode(e, 'SB_ERR_NOT_FOUND')
    assert.equal(e.httpStatus, 404)
    assertCode(await h.rejection(hsm.getKey({ label: name })), 'SB_ERR_NOT_FOUND')
  }
})

test('files: sign and verify a file, a missing file is SB_ERR_IO', async () => {
  const name = label('file')
  await hsm.createKey({ label: name, spec: 'p256' })
  const file = path.join(tmp, 'contract.txt')
  fs.writeFileSync(file, 'a contract on disk')
  const algorithm = 'SHA256_WITH_ECDSA'
  const signature = await hsm.synchronousSign({ label: name, path: file, algorithm })
  assert.equal(await hsm.verify({ label: name, path: file, algorithm, signature }), true)
  assert.equal(await hsm.verify({ label: name, payload: fs.readFileSync(file), algorithm, signature }), true)
  const e = await h.rejection(hsm.synchronousSign({ label: name, path: path.join(tmp, 'missing.txt'), algorithm }))
  assertCode(e, 'SB_ERR_IO')
})

/** Three approvers, a key needing two of them, and a function that approves as one. */
async function quorumKey (spec = 'rsa2048') {
  const approvers = [0, 1, 2].map(() => ApproverKey.generateP256().key)
  const policy = Policy.quorum(2, approvers.map((a, i) => ({ name: `approver-${i}`, publicKey: a.publicKeyB64 })), 3600)
  const name = label('ska')
  const info = await hsm.createKey({ label: name, spec, policy })
  assert.equal(info.policy.ruleUse.tokens[0].groups[0].quorum, 2)
  return { name, approvers }
}

/** The approver's pending sign tasks for request `id`. */
async function tasksFor (approver, id) {
  return (await hsm.listApprovalTasks({ approverKeyPem: approver, kind: 'sign', pageSize: 50 })).filter((t) => t.id === id)
}

test('async sign with a 2-of-3 quorum: executes after the second approval', async () => {
  const { name, approvers } = await quorumKey()
  const document = Buffer.from('pay 100 CHF to Alice')
  const digest = crypto.createHash('sha256').update(document).digest()
  const alg = defaultSignatureAlgorithm('rsa2048')

  // A key with a policy cannot sign synchronously.
  assertCode(await h.rejection(hsm.synchronousSign({ label: name, payload: digest, algorithm: alg, payloadKind: 'digest' })), 'SB_ERR_PROVIDER')

  // Metadata keys are the caller's data: sent as given, not renamed.
  const id = await hsm.sign({ label: name, payload: digest, algorithm: alg, payloadKind: 'digest', options: { metadata: { invoice: 'INV-7', invoice_no: 7 } } })
  assert.equal(typeof id, 'string')

  const [first] = await tasksFor(approvers[0], id)
  assert.ok(first, 'the first approver has a task')
  assert.deepEqual(JSON.parse(Buffer.from(first.metaData, 'base64')), { invoice: 'INV-7', invoice_no: 7 })
  assert.equal(await hsm.approve({ approverKeyPem: approvers[0], task: first }), undefined)
  let status = await hsm.requestStatus({ id })
  assert.equal(status.status, 'PENDING', 'one approval is not enough')
  assert.equal(status.result, null)
  assert.deepEqual(status.approvedBy, [approvers[0].publicKeyB64])
  assert.equal(status.notYetApprovedBy.length, 2)
  assert.deepEqual(await tasksFor(approvers[0], id), [], 'approved tasks are gone')

  const [second] = await tasksFor(approvers[1], id)
  await hsm.approve({ approverKeyPem: approvers[1], task: second })
  const signature = await hsm.waitRequest({ id, intervalMs: 100 }, { signal: AbortSignal.timeout(30000) })
  assert.ok(Buffer.isBuffer(signature))
  status = await hsm.requestStatus({ id })
  assert.equal(status.status, 'EXECUTED')
  assert.deepEqual(Buffer.from(status.result, 'base64'), signature)
  assert.equal(await hsm.verify({ label: name, payload: document, algorithm: alg, signature }), true)
  const pem = (await hsm.publicKey({ label: name })).pem
  assert.equal(opensslVerifies('rsa2048', pem, document, signature), true)
})

test('async sign: rejected once rejections leave no quorum; cancelled; aborted wait', async () => {
  const { name, approvers } = await quorumKey('p256')
  const data = Buffer.from('transfer 1 BTC')
  const alg = 'SHA256_WITH_ECDSA'

  const sign = () => hsm.sign({ label: name, payload: data, algorithm: alg })
  const id = await sign()
  const [t0] = await tasksFor(approvers[0], id)
  assert.equal(await hsm.reject({ approverKeyPem: approvers[0], task: t0 }), undefined)
  assert.equal((await hsm.requestStatus({ id })).status, 'PENDING', 'two approvers can still reach the quorum')
  const [t1] = await tasksFor(approvers[1], id)
  await hsm.reject({ approverKeyPem: approvers[1], task: t1 })
  let sawRejected
  const seen = new Promise((resolve) => { sawRejected = resolve })
  const e = await h.rejection(hsm.waitRequest({ id, intervalMs: 100, timeoutMs: 30000 }, {
    onProgress: (state) => { if (state.status === 'REJECTED') sawRejected(state) }
  }))
  assertCode(e, 'SB_ERR_REJECTED')
  const progress = await seen
  assert.equal(progress.id, id)
  assert.equal(progress.rejectedBy.length, 2, 'onProgress sees the states polled')
  assert.equal(e.providerCode, 'REJECTED')
  assert.match(e.message, new RegExp(id))
  assert.equal((await hsm.requestStatus({ id })).rejectedBy.length, 2)
  // The third approver can no longer approve what was rejected.
  assert.deepEqual(await tasksFor(approvers[2], id), [])

  const cancelled = await sign()
  assert.equal(await hsm.cancelRequest({ id: cancelled }), undefined)
  assertCode(await h.rejection(hsm.waitRequest({ id: cancelled, intervalMs: 100 })), 'SB_ERR_CANCELLED')

  // Aborting the wait stops waiting; the request goes on at the TSB and still executes.
  const pending = await sign()
  const controller = new AbortController()
  const waiting = hsm.waitRequest({ id: pending, intervalMs: 100 }, { signal: controller.signal })
  controller.abort()
  assertCode(await h.rejection(waiting), 'SB_ERR_ABORTED')
  for (const a of approvers.slice(1)) await hsm.approve({ approverKeyPem: a, task: (await tasksFor(a, pending))[0] })
  const signature = await hsm.waitRequest({ id: pending, intervalMs: 100, timeoutMs: 30000 })
  assert.equal(await hsm.verify({ label: name, payload: data, algorithm: alg, signature }), true)

  // Deleting the key cancels its pending requests.
  const orphan = await sign()
  await hsm.deleteKey({ label: name })
  assertCode(await h.rejection(hsm.waitRequest({ id: orphan, intervalMs: 100, timeoutMs: 30000 })), 'SB_ERR_CANCELLED')
})

test('certificates: self-signed (end entity and CA) and CSRs for every key type, checked with openssl', async () => {
  for (const spec of ['rsa2048', 'p256', 'p384', 'ed25519']) {
    const name = label(`cert-${spec}`)
    await hsm.createKey({ label: name, spec })
    const spki = (await hsm.publicKey({ label: name })).der
    const alg = defaultSignatureAlgorithm(spec)

    const cert = await hsm.selfSignedCertificate({
      label: name,
      certificate: {
        commonName: `Signer ${spec}`,
        signatureAlgorithm: alg,
        validityDays: 30,
        extendedKeyUsage: ['CODE_SIGNING']
      }
    })
    const der = cert.der
    assert.match(cert.pem, /^-----BEGIN CERTIFICATE-----\n/)
    const x509 = new crypto.X509Certificate(der)
    assert.equal(x509.subject, `CN=Signer ${spec}`)
    assert.equal(x509.ca, false)
    assert.deepEqual(x509.publicKey.export({ type: 'spki', format: 'der' }), spki, 'the certificate is for the HSM key')
    assert.ok(x509.verify(x509.publicKey), 'self-signed with the HSM key')
    assert.deepEqual(x509.keyUsage, ['1.3.6.1.5.5.7.3.3'])
    const days = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / 86400000
    assert.ok(Math.abs(days - 30) <= 1, `${days} days`)

    const caFile = path.join(tmp, `${name}-ca.pem`)
    const ca = await hsm.selfSignedCertificate({ label: name, certificate: { commonName: 'Example CA', signatureAlgorithm: alg, certificateAuthority: true } })
    fs.writeFileSync(caFile, ca.pem)
    assert.equal(new crypto.X509Certificate(ca.pem).ca, true)
    execFileSync('openssl', ['verify', '-CAfile', caFile, caFile], { stdio: 'pipe' })

    const csr = await hsm.certificateSigningRequest({
      label: name,
      csr: {
        subject: { commonName: 'Doc Signer', country: 'CH', organizationName: 'Example AG', email: 'signer@example.com' },
        signatureAlgorithm: alg
      }
    })
    assert.match(csr.pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/)
    const csrFile = path.join(tmp, `${name}.csr`)
    fs.writeFileSync(csrFile, csr.pem)
    const text = execFileSync('openssl', ['req', '-in', csrFile, '-noout', '-verify', '-subject'], { stdio: 'pipe' }).toString()
    assert.match(text, /CN\s*=\s*Doc Signer/)
    assert.match(text, /O\s*=\s*Example AG/)
    const pub = execFileSync('openssl', ['req', '-in', csrFile, '-noout', '-pubkey'], { stdio: 'pipe' }).toString()
    assert.deepEqual(crypto.createPublicKey(pub).export({ type: 'spki', format: 'der' }), spki)
  }
})

test('certificates with approvals: a 1-of-1 key makes its certificate and CSR once approved', async () => {
  const approver = ApproverKey.generateP256().key
  const name = label('cert-ska')
  await hsm.createKey({ label: name, spec: 'p256', policy: Policy.quorum(1, [{ name: 'a', publicKey: approver.publicKeyB64 }]) })
  const certificate = { commonName: 'Approved signer', signatureAlgorithm: 'SHA256_WITH_ECDSA' }
  assertCode(await h.rejection(hsm.selfSignedCertificate({ label: name, certificate })), 'SB_ERR_PROVIDER')

  const certId = await hsm.requestSelfSignedCertificate({ label: name, certificate, options: { metadata: { why: 'test' } } })
  const csrId = await hsm.requestCertificateSigningRequest({ label: name, csr: { subject: { commonName: 'Approved signer' }, signatureAlgorithm: 'SHA256_WITH_ECDSA' } })
  for (const id of [certId, csrId]) {
    const [task] = await tasksFor(approver, id)
    assert.ok(task, `a task for ${id}`)
    await hsm.approve({ approverKeyPem: approver, task })
  }
  const cert = await hsm.waitCertificate({ id: certId, intervalMs: 100, timeoutMs: 30000 })
  const x509 = new crypto.X509Certificate(cert.pem)
  assert.equal(x509.subject, 'CN=Approved signer')
  assert.deepEqual(x509.publicKey.export({ type: 'spki', format: 'der' }), (await hsm.publicKey({ label: name })).der)
  const csr = await hsm.waitCertificateSigningRequest({ id: csrId, intervalMs: 100, timeoutMs: 30000 })
  const csrFile = path.join(tmp, 'approved.csr')
  fs.writeFileSync(csrFile, csr.der)
  execFileSync('openssl', ['req', '-inform', 'DER', '-in', csrFile, '-noout', '-verify'], { stdio: 'pipe' })
})

test('certificate requests are checked locally: SB_ERR_INVALID_ARGUMENT naming the field', async () => {
  await h.clearSecurosysLog(sim)
  const cert = (certificate) => hsm.selfSignedCertificate({ label: 'k', certificate })
  const csr = (request) => hsm.certificateSigningRequest({ label: 'k', csr: request })
  for (const [p, re] of [
    [() => cert({ commonName: '', signatureAlgorithm: 'SHA256_WITH_ECDSA' }), /common_?name/i],
    [() => cert({ commonName: 'x', signatureAlgorithm: 'NONE_WITH_ECDSA' }), /cannot sign a certificate/],
    [() => cert({ commonName: 'x', signatureAlgorithm: 'EDDSA', validityDays: 0 }), /validity_days = 0/],
    [() => csr({ subject: { commonName: 'x', country: 'Switzerland' }, signatureAlgorithm: 'EDDSA' }), /two-letter/],
    [() => hsm.waitCertificate({ id: '../x' }), /request id/],
    // Wrong types and unknown fields, named as written.
    [() => cert({ commonName: 'x' }), /request\.certificate: missing field `signatureAlgorithm`/],
    [() => cert({ commonName: 'x', signatureAlgorithm: 'EDDSA', certificateAuthority: 'yes' }), /request\.certificate\.certificateAuthority: invalid type/],
    [() => cert({ commonName: 'x', signatureAlgorithm: 'EDDSA', keyUsage: 'DIGITAL_SIGNATURE' }), /request\.certificate\.keyUsage: invalid type/],
    [() => cert({ commonName: 'x', common_name: 'x', signatureAlgorithm: 'EDDSA' }), /request\.certificate\.commonName is given twice/],
    [() => csr({ subject: 'CN=x', signatureAlgorithm: 'EDDSA' }), /request\.csr\.subject: invalid type/],
    [() => csr({ subject: { cn: 'x' }, signatureAlgorithm: 'EDDSA' }), /request\.csr\.subject\.cn: unknown field `cn`/],
    [() => hsm.requestSelfSignedCertificate({ label: 'k', certificate: { commonName: 'x', signatureAlgorithm: 'EDDSA' }, options: { payloadKind: 'raw' } }), /request\.options\.payloadKind: unknown field/]
  ]) {
    const e = await h.rejection(p())
    assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
    assert.match(e.message, re)
  }
  assert.deepEqual(await h.securosysLog(sim), [])
})

test('approver keys load from PEM and DER (P-256, P-384, Ed25519, RSA) and approve', async () => {
  const made = [
    crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    crypto.generateKeyPairSync('ed25519'),
    crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  ]
  const approvers = [
    ApproverKey.fromPem(made[0].privateKey.export({ type: 'pkcs8', format: 'pem' })),
    ApproverKey.fromPkcs8Der(made[1].privateKey.export({ type: 'pkcs8', format: 'der' })),
    ApproverKey.fromPem(made[2].privateKey.export({ type: 'pkcs8', format: 'pem' }))
  ]
  assert.deepEqual(approvers.map((a) => a.digestAlgorithm), ['SHA-384', 'EdDSA', 'SHA-256'])
  approvers.forEach((a, i) => {
    assert.deepEqual(a.publicKeyDer, made[i].publicKey.export({ type: 'spki', format: 'der' }))
    assert.equal(a.publicKeyB64, a.publicKeyDer.toString('base64'))
  })
  const generated = ApproverKey.generateP256()
  const reloaded = ApproverKey.fromPkcs8Der(generated.pkcs8)
  assert.equal(reloaded.publicKeyB64, generated.key.publicKeyB64)

  // All three must approve (3 of 3).
  const name = label('ska3')
  await hsm.createKey({
    label: name,
    spec: 'ed25519',
    policy: Policy.quorum(3, approvers.map((a, i) => ({ name: `a${i}`, publicKey: a.publicKeyB64 })))
  })
  const data = Buffer.from('three signatures needed')
  const id = await hsm.sign({ label: name, payload: data, algorithm: 'EDDSA' })
  for (const a of approvers) {
    const tasks = await tasksFor(a, id)
    assert.equal(tasks.length, 1)
    await hsm.approve({ approverKeyPem: a, task: tasks[0] })
  }
  const signature = await hsm.waitRequest({ id, intervalMs: 100, timeoutMs: 30000 })
  assert.equal(signature.length, 64)
  assert.equal(opensslVerifies('ed25519', (await hsm.publicKey({ label: name })).pem, data, signature), true)

  // An approver's key may be given as its PEM too.
  const pemKey = ApproverKey.fromPem(made[0].privateKey.export({ type: 'pkcs8', format: 'pem' }))
  assert.deepEqual(await hsm.listApprovalTasks({ approverKeyPem: made[0].privateKey.export({ type: 'pkcs8', format: 'pem' }) }),
    await hsm.listApprovalTasks({ approverKeyPem: pemKey }))

  // Keys that are not PKCS#8 private keys are refused with a message saying what to do.
  const sec1 = made[0].privateKey.export({ type: 'sec1', format: 'pem' })
  const thrown = (fn) => { try { fn() } catch (e) { return e } throw new Error('expected a throw') }
  let e = thrown(() => ApproverKey.fromPem(sec1))
  assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
  assert.match(e.message, /PKCS#8/)
  assert.ok(!(e instanceof TypeError))
  e = thrown(() => ApproverKey.fromPkcs8Der(Buffer.from('not a key')))
  assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
})

test('a call with only another role\'s key: SB_ERR_AUTH_CONFIG_MISSING naming the role, nothing sent', async () => {
  const onlyService = new Client(h.securosysConfig(sim, { service: [h.SECUROSYS.service] })).securosys()
  await onlyService.versionInfo()
  await h.clearSecurosysLog(sim)
  const approver = ApproverKey.generateP256().key
  const cases = [
    [() => onlyService.createKey({ label: 'k', spec: 'p256' }), 'key_management', 'keyManagementToken'],
    [() => onlyService.listKeys(), 'key_management', 'keyManagementToken'],
    [() => onlyService.synchronousSign({ label: 'k', payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA' }), 'key_operation', 'keyOperationToken'],
    [() => onlyService.waitRequest({ id: '0b7e4d9f-0a11-4c8e-9a61-2b7e4d9f0a11' }), 'key_operation', 'keyOperationToken'],
    [() => onlyService.listApprovalTasks({ approverKeyPem: approver }), 'approver', 'approverToken']
  ]
  for (const [promise, role, token] of cases) {
    const e = await h.rejection(promise())
    assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
    assert.equal(e.errno, 201)
    // Named as the configuration object spells it (`securosys.apiKeys.keyOperation`).
    const field = role.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
    assert.ok(e.message.includes(`securosys.apiKeys.${field}`), e.message)
    assert.ok(e.message.includes(token), e.message)
    assert.equal(e.httpStatus, null)
  }
  const sent = await h.securosysLog(sim)
  assert.deepEqual(sent, [], `no request may reach the TSB: ${JSON.stringify(sent)}`)

  // With every role configured, each call carries exactly the key of its endpoint's role.
  const name = label('roles')
  await hsm.createKey({ label: name, spec: 'p256' })
  const sig = await hsm.synchronousSign({ label: name, payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA' })
  await hsm.verify({ label: name, payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA', signature: sig })
  await hsm.listApprovalTasks({ approverKeyPem: approver })
  await hsm.versionInfo()
  const log = await h.securosysLog(sim)
  assert.deepEqual(new Set(log.map((r) => r.required_role)),
    new Set(['keyManagementToken', 'keyOperationToken', 'approverToken', 'serviceToken']))
  for (const entry of log) {
    assert.deepEqual(entry.api_key_roles, [entry.required_role], JSON.stringify(entry))
  }
})

test('an invalid API key is SB_ERR_AUTH; a second key of the role is rolled over to', async () => {
  const wrong = 'not-a-valid-securosys-key-4711'
  const e = await h.rejection(new Client(h.securosysConfig(sim, { service: [wrong] })).securosys().versionInfo())
  assertCode(e, 'SB_ERR_AUTH')
  assert.equal(e.providerCode, '631')
  assert.match(e.message, /service/)
  for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e), e.providerDescription ?? '']) {
    assert.ok(!text.includes(wrong), text)
  }
  const rolled = new Client(h.securosysConfig(sim, { service: [wrong, h.SECUROSYS.service] })).securosys()
  assert.ok((await rolled.versionInfo()).version)
})

test('JWT: required by the TSB, sent from the config (value or file); a wrong one is SB_ERR_AUTH without the token', async () => {
  await h.control(sim, 'PUT', '/_sim/securosys/auth', { require_jwt: true })
  assertCode(await h.rejection(hsm.listKeys()), 'SB_ERR_AUTH')

  await h.clearSecurosysLog(sim)
  const withJwt = new Client(h.securosysConfig(sim, undefined, { jwt: h.SECUROSYS.jwt })).securosys()
  const name = label('jwt')
  await withJwt.createKey({ label: name, spec: 'p256' })
  assert.ok((await withJwt.listKeys()).includes(name))
  const log = await h.securosysLog(sim)
  assert.ok(log.length >= 2 && log.every((r) => r.bearer && r.status < 300), JSON.stringify(log))

  const file = path.join(tmp, 'tsb-jwt')
  fs.writeFileSync(file, `${h.SECUROSYS.jwt}\n`)
  const fromFile = new Client(h.securosysConfig(sim, undefined, { jwt: { file } })).securosys()
  assert.ok((await fromFile.listKeys()).includes(name))

  const wrong = 'eyJhbGciOiJub25lIn0.wrong-jwt-for-the-tsb.sig'
  const client = new Client(h.securosysConfig(sim, undefined, { jwt: wrong }))
  const bad = client.securosys()
  const e = await h.rejection(bad.listKeys())
  assertCode(e, 'SB_ERR_AUTH')
  assert.equal(e.providerCode, '617')
  assert.equal(e.httpStatus, 401)
  for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e), e.providerDescription ?? '',
    util.inspect(client), util.inspect(bad), String(bad), JSON.stringify(bad)]) {
    assert.ok(!text.includes(wrong) && !text.includes(h.SECUROSYS.keyManagement), text)
  }

  // A JWT file that is missing is a configuration error naming the field.
  let thrown
  try {
    new Client(h.securosysConfig(sim, undefined, { jwt: { file: path.join(tmp, 'nope') } })) // eslint-disable-line no-new
  } catch (x) {
    thrown = x
  }
  assertCode(thrown, 'SB_ERR_INVALID_CONFIG')
  assert.match(thrown.message, /securosys\.jwt/)
})

test('OAuth2: the JWT fetched with client credentials, one token for many calls, a wrong secret is SB_ERR_AUTH', async () => {
  await h.control(sim, 'PUT', '/_sim/securosys/auth', { require_jwt: true, accept_oauth: true })
  await h.control(sim, 'DELETE', '/_sim/oauth')
  const oauth2 = (secret) => ({
    oauth2: { client_id: 'signbridge-sim-client', client_secret: secret, token_url: `${sim.url}/auth/realms/zignsec/protocol/openid-connect/token` }
  })
  const client = new Client(h.securosysConfig(sim, undefined, oauth2('sim-client-secret-0001'))).securosys()
  await h.clearSecurosysLog(sim)
  const name = label('oauth')
  await client.createKey({ label: name, spec: 'p256' })
  const sig = await client.synchronousSign({ label: name, payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA' })
  assert.equal(await client.verify({ label: name, payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA', signature: sig }), true)
  assert.equal((await h.control(sim, 'GET', '/_sim/oauth')).tokens_issued, 1)
  const log = await h.securosysLog(sim)
  assert.ok(log.length >= 3 && log.every((r) => r.bearer && r.status < 300 && r.api_key_roles.length === 1), JSON.stringify(log))

  const wrong = 'not-the-client-secret-4711'
  const e = await h.rejection(new Client(h.securosysConfig(sim, undefined, oauth2(wrong))).securosys().listKeys())
  assertCode(e, 'SB_ERR_AUTH')
  assert.match(e.message, /oauth2\.clientSecret/)
  for (const text of [e.message, String(e.stack), JSON.stringify(e), util.inspect(e)]) assert.ok(!text.includes(wrong), text)

  let thrown
  try {
    new Client(h.securosysConfig(sim, undefined, { jwt: h.SECUROSYS.jwt, ...oauth2('x') })) // eslint-disable-line no-new
  } catch (x) {
    thrown = x
  }
  assertCode(thrown, 'SB_ERR_INVALID_CONFIG')
  assert.match(thrown.message, /securosys\.oauth2/)
})

test('approver keys never show their private key', () => {
  const { key, pkcs8 } = ApproverKey.generateP256()
  const secret = pkcs8.toString('base64')
  const pem = crypto.createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' })
  const loaded = ApproverKey.fromPem(pem)
  for (const k of [key, loaded]) {
    for (const text of [util.inspect(k, { showHidden: true, depth: 5 }), String(k), JSON.stringify(k)]) {
      assert.ok(!text.includes(secret) && !text.includes(pem.split('\n')[1]), text)
    }
    assert.equal(String(k), `ApproverKey(${k.publicKeyB64})`)
    assert.deepEqual(JSON.parse(JSON.stringify(k)), { publicKeyB64: k.publicKeyB64 })
  }
})

test('bad requests reject with SB_ERR_INVALID_ARGUMENT naming the field, before any request', async () => {
  await h.clearSecurosysLog(sim)
  const approver = ApproverKey.generateP256().key
  const sign = (request) => hsm.synchronousSign({ label: 'k', payload: Buffer.from('x'), algorithm: 'SHA256_WITH_ECDSA', ...request })
  for (const [p, re] of [
    // Bad values of the right type.
    [() => hsm.createKey({ label: 'k', spec: 'rsa1024' }), /request\.spec: unknown variant/],
    [() => hsm.createKey({ label: 'k' }), /exactly one of `spec`/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', algorithm: 'EC' }), /exactly one of `spec`/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', keySize: 256 }), /request\.keySize and request\.curveOid go with request\.algorithm/],
    [() => hsm.createKey({ label: '', spec: 'p256' }), /label/],
    [() => hsm.createKey({ label: 'k', algorithm: 'RSA' }), /keySize` is required|key_size is required/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', attributes: { sign: true } }), /attributes\.sign, attributes\.decrypt/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', policy: Policy.quorum(3, [{ name: 'a', publicKey: approver.publicKeyB64 }]) }), /quorum 3/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', policy: Policy.quorum(1, [{ name: 'a', publicKey: approver.publicKeyB64 }], 90) }), /multiple of 60/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', policy: { ruleUse: 'yes' } }), /request\.policy\.ruleUse: invalid type/],
    [() => sign({ payload: Buffer.alloc(0) }), /payload to sign is empty/],
    [() => sign({ payloadKind: 'hash' }), /request\.payloadKind: unknown variant/],
    [() => sign({ payload: Buffer.alloc(20), algorithm: 'SHA256_WITH_RSA', payloadKind: 'digest' }), /must be 32 bytes, got 20/],
    [() => sign({ payload: Buffer.alloc(32), algorithm: 'EDDSA', payloadKind: 'digest' }), /EDDSA/],
    [() => hsm.verify({ label: 'k', payload: Buffer.from('x'), algorithm: 'EDDSA', signature: Buffer.alloc(0) }), /signature to verify is empty/],
    [() => hsm.sign({ label: 'k', payload: Buffer.from('x'), algorithm: 'EDDSA', payloadKind: 'digest', options: { metadata: { a: 1 } } }), /EDDSA/],
    [() => hsm.requestStatus({ id: '../../etc' }), /request id/],
    [() => hsm.waitRequest({ id: 'abc', intervalMs: 0 }), /request\.intervalMs must be between/],
    [() => hsm.listApprovalTasks({ approverKeyPem: approver, kind: 'everything' }), /request\.kind: unknown variant/],
    [() => hsm.listApprovalTasks({ approverKeyPem: approver, pageSize: 0 }), /page_?size/i],
    [() => hsm.reject({ approverKeyPem: approver, task: { id: '', approvalToBeSigned: 'eA==' } }), /task id/],
    [() => hsm.approve({ approverKeyPem: approver, task: { id: 'x', approvalToBeSigned: '%%%' } }), /approvalToBeSigned/],
    // Wrong types, missing and unknown fields: the core's validation, the path as written.
    [() => hsm.createKey('k'), /securosys\.createKey: request must be an object, got a string/],
    [() => hsm.createKey({ label: 7, spec: 'p256' }), /request\.label: invalid type/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', lable: 'x' }), /request\.lable: unknown field `lable`/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', attributes: { sing: true } }), /request\.attributes: unknown field `sing`/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', attributes: { sign: 'yes' } }), /request\.attributes: sign: invalid type/],
    [() => hsm.createKey({ label: 'k', spec: 'p256', policy: [] }), /request\.policy: invalid type/],
    [() => hsm.createKey({ label: 'k', algorithm: 'RSA', keySize: 2048.5 }), /request\.keySize: invalid type/],
    [() => hsm.createKey({ label: 'k', keySize: 2048, key_size: 2048, algorithm: 'RSA' }), /request\.keySize is given twice/],
    [() => hsm.getKey(), /request: missing field `label`/],
    [() => sign({ payload: 'text' }), /request\.payload must be a Buffer or Uint8Array, got a string/],
    [() => hsm.synchronousSign({ label: 'k', payload: Buffer.from('x') }), /request: missing field `algorithm`/],
    [() => sign({ kind: 'raw' }), /request\.kind: unknown field `kind`/],
    [() => sign({ payloadKind: 1 }), /request\.payloadKind: invalid type/],
    [() => hsm.verify({ label: 'k', payload: Buffer.from('x'), algorithm: 'EDDSA', signature: 'sig' }), /request\.signature must be a Buffer or Uint8Array/],
    [() => hsm.synchronousSign({ label: 'k', path: 7, algorithm: 'EDDSA' }), /request\.path: invalid type/],
    [() => hsm.sign({ label: 'k', payload: Buffer.from('x'), algorithm: 'EDDSA', options: { metadata: 'm' } }), /metadata/],
    [() => hsm.waitRequest({ id: 42 }), /request\.id: invalid type/],
    [() => hsm.listApprovalTasks({ approverKeyPem: { publicKeyB64: 'x' } }), /request\.approverKeyPem: invalid type/],
    [() => hsm.listApprovalTasks({ approverKeyPem: Object.create(ApproverKey.prototype) }), /request\.approverKeyPem is not an ApproverKey made by/],
    [() => hsm.listApprovalTasks({ approverKeyPem: null }), /request\.approverKeyPem: invalid type: null/],
    [() => hsm.listApprovalTasks({ approverKeyPem: 'not a key' }), /approver key is not PEM/],
    [() => hsm.listApprovalTasks({ approverKeyPem: approver, pageSize: 2.5 }), /request\.pageSize: invalid type/],
    [() => hsm.approve({ approverKeyPem: approver, task: 'task-id' }), /request\.task: invalid type/],
    [() => hsm.approve({ approverKeyPem: approver, task: { id: 'x' } }), /request\.task: missing field `approvalToBeSigned`/]
  ]) {
    const e = await p().then(() => assert.fail(`${p}: no rejection`), (x) => x)
    assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
    assert.ok(!(e instanceof TypeError), e.message)
    assert.match(e.message, re, `${p}: ${e.message}`)
  }
  assert.deepEqual(await h.securosysLog(sim), [], 'nothing was sent')
  let e
  try {
    defaultSignatureAlgorithm('dsa')
  } catch (x) {
    e = x
  }
  assertCode(e, 'SB_ERR_INVALID_ARGUMENT')
  assert.deepEqual(['rsa2048', 'p256', 'p384', 'ed25519'].map(defaultSignatureAlgorithm),
    ['SHA256_WITH_RSA', 'SHA256_WITH_ECDSA', 'SHA384_WITH_ECDSA', 'EDDSA'])
})

test('wrong argument types of the hand-written parts and of wait options throw TypeError naming the argument', () => {
  const cases = [
    [() => hsm.waitRequest({ id: 'id' }, { signal: 'stop' }), /options\.signal must be an AbortSignal/],
    [() => Policy.quorum('2', []), /quorum must be a number, got a string/],
    [() => Policy.quorum(1.5, []), /quorum must be a whole number/],
    [() => Policy.quorum(1, [{ name: 'a' }]), /approvers\[0\]\.publicKey must be a string, got undefined/],
    [() => Policy.quorum(1, 'a'), /approvers must be an array/],
    [() => ApproverKey.fromPem(Buffer.from('pem')), /pem must be a string, got a typed array/],
    [() => ApproverKey.fromPkcs8Der('der'), /der must be a Buffer or Uint8Array, got a string/],
    [() => defaultSignatureAlgorithm(1), /spec must be a string, got a number/]
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
    assertCode(thrown, 'SB_ERR_INVALID_ARGUMENT')
  }
})

test('a client without a securosys section: securosys() throws SB_ERR_AUTH_CONFIG_MISSING', () => {
  let e
  try {
    new Client(h.config(sim)).securosys()
  } catch (x) {
    e = x
  }
  assertCode(e, 'SB_ERR_AUTH_CONFIG_MISSING')
  assert.match(e.message, /securosys/)
  assert.equal(hsm.baseUrl, `${sim.url}/`)
})

test('the Securosys example runs against the simulator', async () => {
  const example = path.join(__dirname, '..', 'examples', 'securosys-approvals.js')
  const proc = spawn(process.execPath, [example, sim.url], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  proc.stdout.on('data', (d) => { out += d })
  proc.stderr.on('data', (d) => { err += d })
  const code = await new Promise((resolve) => proc.once('exit', resolve))
  assert.equal(code, 0, `exit ${code}\n${out}\n${err}`)
  assert.match(out, /request .* executed after 2 of 3 approvals/)
  assert.match(out, /signature verified by the HSM: true/)
  assert.match(out, /signature verified by node:crypto: true/)
})

test("the Node guide's Securosys snippet runs as written against the simulator, twice", async () => {
  const node = fs.readFileSync(path.join(h.ROOT, 'docs', 'getting-started', 'node.md'), 'utf8')
  const m = /```js\n(\/\/ hsm\.mjs\n[\s\S]*?)```/.exec(node)
  assert.ok(m, 'docs/getting-started/node.md has the hsm.mjs example')
  const dir = fs.mkdtempSync(path.join(tmp, 'readme-'))
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(path.join(__dirname, '..'), path.join(dir, 'node_modules', 'signbridge'), 'dir')
  fs.copyFileSync(path.join(__dirname, '..', 'examples', 'contract.pdf'), path.join(dir, 'contract.pdf'))
  assert.ok(m[1].includes("'http://127.0.0.1:8089'"))
  fs.writeFileSync(path.join(dir, 'hsm.mjs'), m[1].replaceAll("'http://127.0.0.1:8089'", JSON.stringify(sim.url)))
  // A second run against the same HSM works too: the key label is unique per run.
  for (let run = 0; run < 2; run++) {
    const proc = spawn(process.execPath, ['hsm.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    proc.stdout.on('data', (d) => { out += d })
    proc.stderr.on('data', (d) => { out += d })
    const code = await new Promise((resolve) => proc.once('exit', resolve))
    assert.equal(code, 0, `run ${run + 1}: ${out}`)
    assert.equal(out.trim(), 'true')
  }
})
