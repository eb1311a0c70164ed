// Any operation of the core's table through `client.call`, typed from the table's JSON Schemas
// (operations.d.ts): the request is checked and the result has its fields (`make test` runs tsc
// on it). Compile with tsc and run the output against the simulator (`signbridge sim`, then
// SIGNBRIDGE_* from its printout). Fields are the table's snake_case; bytes are base64 text.
import { Client, call, type Operations } from 'signbridge'
import { readFileSync } from 'node:fs'

async function main(): Promise<void> {
  const client = Client.fromEnv()
  // A Securosys key, by the table's operation names (either spelling).
  const label = `ops-example-${process.pid}-${Date.now()}`
  const key = await client.call('securosys.createKey', { label, algorithm: 'EC', curve_oid: '1.2.840.10045.3.1.7' })
  console.log(`created ${key.label} (${key.algorithm ?? 'unknown algorithm'})`)
  const request: Operations['securosys.synchronous_sign']['request'] = {
    label,
    payload_base64: Buffer.from('hello').toString('base64'),
    algorithm: 'SHA256_WITH_ECDSA'
  }
  const signed = await client.call('securosys.synchronous_sign', request)
  console.log(`signature: ${signed.signature_base64.length} base64 characters`)

  // Client-less: verify a signed PDF's signatures (no provider needed).
  const pdf = process.argv[2]
  if (pdf) {
    const report = await call('pdf.verify', { pdf_base64: readFileSync(pdf).toString('base64') })
    console.log(`signatures: ${report.signatures.length}`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
