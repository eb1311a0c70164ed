// @ts-check
// Securosys Primus HSM with approvals: a key that signs only when 2 of 3 approvers agree.
//
//   node securosys-approvals.js [TSB base URL]
//
// With a URL (e.g. http://127.0.0.1:8089 of a running `signbridge sim`) it uses that TSB; without
// one it starts `signbridge sim --port 0` itself (set SIGNBRIDGE_CLI to the command's path when it
// is not on PATH) and stops it at the end. The API keys below are the simulator's test keys; give
// a real TSB's keys (or `{ file: '/run/secrets/...' }`) in the same `apiKeys` object.
//
// Run by the test suite (test/securosys.test.js) and type-checked by `npm run typecheck`.
'use strict'

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { Client, ApproverKey, Policy, ErrorCode } = require('signbridge')

/** The TSB to use: the URL given, or a simulator started here. */
async function tsb () {
  const given = process.argv[2] ?? process.env.SIGNBRIDGE_SECUROSYS_URL
  if (given) return { url: given, stop: () => {} }
  const proc = spawn(process.env.SIGNBRIDGE_CLI ?? 'signbridge', ['sim', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const url = await new Promise((resolve, reject) => {
    proc.once('error', (e) => reject(new Error(`cannot start signbridge sim: ${e.message}; pass a TSB URL instead`)))
    proc.stdout.setEncoding('utf8').on('data', (text) => {
      const m = /listening on (http:\/\/\S+)/.exec(text)
      if (m) resolve(m[1])
    })
  })
  return { url, stop: () => proc.kill() }
}

async function main () {
  const server = await tsb()
  try {
    const hsm = new Client({
      securosys: {
        baseUrl: server.url,
        // Each call carries only the key of the role its endpoint needs.
        apiKeys: {
          keyManagement: ['sim-securosys-key-management-0001'],
          keyOperation: ['sim-securosys-key-operation-0001'],
          approver: ['sim-securosys-approver-0001']
        }
      }
    }).securosys()

    // Three approvers. Real ones keep their PKCS#8 key elsewhere: ApproverKey.fromPem(pem).
    const approvers = [0, 1, 2].map(() => ApproverKey.generateP256().key)
    const policy = Policy.quorum(
      2,
      approvers.map((a, i) => ({ name: `approver-${i + 1}`, publicKey: a.publicKeyB64 })),
      3600 // each request may be approved for an hour
    )
    const label = `contract-signer-${Date.now()}`
    const key = await hsm.createKey({ label, spec: 'p256', policy })
    console.log(`created ${key.label} (${key.algorithm}), 2 of 3 approvals needed`)

    // Sign the document's SHA-256 hash: the document itself never leaves this machine.
    const document = fs.readFileSync(path.join(__dirname, 'contract.pdf'))
    const digest = crypto.createHash('sha256').update(document).digest()
    const requestId = await hsm.sign({
      label,
      payload: digest,
      algorithm: 'SHA256_WITH_ECDSA',
      payloadKind: 'digest',
      options: { metadata: { document: 'contract.pdf', sha256: digest.toString('hex') } }
    })
    console.log(`sign request ${requestId} submitted; waiting for approvals`)
    const signed = hsm.waitRequest({ id: requestId, intervalMs: 250 }, { signal: AbortSignal.timeout(60_000) })

    // Two of the three approvers look at what they are asked to sign and approve it.
    for (const approver of [approvers[0], approvers[2]]) {
      const tasks = await hsm.listApprovalTasks({ approverKeyPem: approver })
      const task = tasks.find((t) => t.id === requestId)
      if (!task) throw new Error('the approver has no task for the request')
      const metadata = task.metaData ? JSON.parse(Buffer.from(task.metaData, 'base64').toString()) : null
      console.log(`approver approves ${JSON.stringify(metadata)}`)
      await hsm.approve({ approverKeyPem: approver, task })
    }

    let signature
    try {
      signature = await signed
    } catch (err) {
      const e = /** @type {import('signbridge').SignbridgeError} */ (err)
      if (e.errno === ErrorCode.SB_ERR_REJECTED) console.log('an approver rejected the request')
      throw err
    }
    console.log(`request ${requestId} executed after 2 of 3 approvals: ${signature.length}-byte signature`)

    const ok = await hsm.verify({ label, payload: digest, algorithm: 'SHA256_WITH_ECDSA', signature, payloadKind: 'digest' })
    console.log(`signature verified by the HSM: ${ok}`)
    const { pem } = await hsm.publicKey({ label })
    console.log(`signature verified by node:crypto: ${crypto.verify('sha256', document, pem, signature)}`)

    await hsm.deleteKey({ label })
  } finally {
    server.stop()
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
