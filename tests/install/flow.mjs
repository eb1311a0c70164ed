// The installed npm packages sign a PDF against the simulator, loaded with import
// (tests/install/run.sh runs this from an empty project).
import assert from 'node:assert'
import { Client, ErrorCode } from 'signbridge'

const sim = process.env.SIGNBRIDGE_ZIGNSEC_URL
assert.strictEqual(typeof ErrorCode, 'object')
const signing = new Client({ zignsec: { base_url: sim, keys: [process.env.SIGNBRIDGE_ZIGNSEC_KEY] } })
  .zignsecSigning()
const started = await signing.signDocuments({ documents: [{ path: process.argv[2] }] })
const r = await fetch(`${sim}/_sim/zignsec/signing/${started.id}/complete`, { method: 'POST' })
assert.strictEqual(r.status, 200)
const done = await signing.wait({ sessionId: started.id }, { intervalMs: 200, timeoutMs: 120000 })
const bytes = await signing.download({ file: done.signedFiles[0] })
assert.strictEqual(bytes.subarray(0, 5).toString(), '%PDF-')
console.log(`node (import): ${done.status}, ${done.signedFiles.length} signed file(s), ${bytes.length} bytes`)
