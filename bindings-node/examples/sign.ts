// A whole signing flow against the simulator (`signbridge sim --port 8089`), typed.
// Type-checked by `npm run typecheck` (tsc --noEmit); run it with any TypeScript runner.
import * as path from 'node:path'
import {
  Client,
  ErrorCode,
  errorCodes,
  isSignbridgeError,
  type Config,
  type SigningStatus,
  type StartedSession,
  type UploadedFile,
  type WaitOptions
} from 'signbridge'

const SIM = process.env.SIGNBRIDGE_ZIGNSEC_URL ?? 'http://127.0.0.1:8089'

const config: Config = {
  zignsec: {
    baseUrl: SIM,
    keys: ['5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11', '8c2d4e6f-1a3b-4c5d-8e7f-90a1b2c3d4e5'],
    keyHeader: 'product-key'
  },
  transport: { requestTimeoutMs: 30_000, maxAttempts: 3 }
}

async function main (): Promise<void> {
  const signing = new Client(config).zignsecSigning()
  const pdf = path.join(__dirname, 'contract.pdf')

  // Step by step: create, upload, start.
  const session = await signing.create({ relayState: 'order-42', locale: 'En' })
  const uploaded: UploadedFile = await signing.upload({ sessionId: session.id, path: pdf })
  const started = await signing.start({
    sessionId: session.id,
    start: { files: [{ fileId: uploaded.fileId, placement: { page: 1, x: 60, y: 80 } }] }
  })
  console.log(`send the signer to ${started.redirectUrl}`)

  // Or all at once, from bytes and paths.
  const more: StartedSession = await signing.signDocuments({
    documents: [
      { path: pdf },
      { name: 'appendix.pdf', data: Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(pdf))) }
    ]
  })

  // Play the signer on the simulator (a real signer opens redirectUrl).
  for (const id of [session.id, more.id]) {
    await fetch(`${SIM}/_sim/zignsec/signing/${id}/complete`, { method: 'POST' })
  }

  const options: WaitOptions = { intervalMs: 500, timeoutMs: 60_000, signal: AbortSignal.timeout(120_000) }
  try {
    const done: SigningStatus = await signing.wait({ sessionId: session.id }, options)
    const bytes: Buffer = await signing.download({ file: done.signedFiles[0] })
    const written: number = await signing.downloadTo({ file: done.signedFiles[0], path: 'signed-contract.pdf' })
    const same: Buffer = await signing.downloadFile({ sessionId: done.id, fileId: done.signedFiles[0].id })
    console.log(done.status, done.signer?.name, done.signedFiles[0].md5Hex, bytes.length, written, same.length)
    await signing.wait({ sessionId: more.id }, options)
    const { paths }: { paths: string[] } = await signing.saveSignedFiles({ sessionId: more.id, dir: 'signed' })
    console.log(paths)
  } catch (e) {
    if (isSignbridgeError(e) && e.errno === ErrorCode.SB_ERR_CANCELLED) {
      console.log(`the signer cancelled (${e.code}, provider code ${e.providerCode ?? '-'})`)
    } else {
      throw e
    }
  }
  const status = await signing.status({ sessionId: session.id })
  console.log(status.status, errorCodes().length, ErrorCode[ErrorCode.SB_ERR_AUTH])
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
