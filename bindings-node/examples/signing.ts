// The provider-neutral signing session and OneSpan's own calls, typed. Against the simulator
// (`signbridge sim --port 8089`); type-checked by `npm run typecheck` (tsc --noEmit).
import * as path from 'node:path'
import {
  Client,
  ErrorCode,
  OnespanCallbackVerifier,
  type CompletedSession,
  type Config,
  type NewSession,
  type OnespanCallbackEvent,
  type OnespanPackage,
  type SessionState,
  type SignbridgeError,
  type SigningProvider,
  type StartedSigningSession,
  type WaitOptions
} from 'signbridge'

const SIM = process.env.SIGNBRIDGE_URL ?? 'http://127.0.0.1:8089'
const provider: SigningProvider = process.env.PROVIDER === 'zignsec' ? 'zignsec' : 'onespan'

const config: Config = {
  zignsec: { baseUrl: SIM, keys: ['5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'] },
  onespan: { baseUrl: SIM, clientApp: { clientId: 'sim-onespan-client-app', secret: { file: '/run/secrets/onespan-app' } } },
  signing: { provider }
}

async function main (): Promise<void> {
  const client = new Client(config)
  const signing = client.signing()
  const session: NewSession = {
    title: 'Sale of a boat',
    documents: [{ path: path.join(__dirname, 'contract.pdf'), fields: [{ signer: 'seller', page: 1, left: 60, top: 650 }] }],
    signers: [
      { id: 'seller', firstName: 'Ola', lastName: 'Hansen', email: 'ola@example.com' },
      { id: 'buyer', firstName: 'Kari', lastName: 'Nordmann', email: 'kari@example.com' }
    ],
    onespan: { emailMessage: 'Please sign' }
  }
  const started: StartedSigningSession = await signing.start(session)
  const options: WaitOptions<SessionState> = {
    intervalMs: 1000,
    signal: AbortSignal.timeout(600_000),
    onProgress: (state) => console.log(state.signers.filter((s) => s.signed).length, 'signed')
  }
  try {
    const done: CompletedSession = await signing.wait(started.id, options)
    const paths: string[] = await signing.saveAll(done, 'signed')
    console.log(paths)
  } catch (e) {
    const err = e as SignbridgeError
    if (err.errno === ErrorCode.SB_ERR_REJECTED) console.log('declined:', err.providerDescription)
    else throw e
  }

  // OneSpan only: listing, downloads, callbacks.
  const onespan = client.onespan()
  for await (const pkg of onespan.list({ status: 'COMPLETED', pageSize: 20 })) {
    const p: OnespanPackage = pkg
    const zip = await onespan.download(p.id, 'zip')
    const evidence = await onespan.downloadInto(p.id, 'evidenceSummary', 'evidence')
    console.log(p.name, zip.fileName, zip.data.length, evidence)
  }
  const verifier = new OnespanCallbackVerifier(['old-key', 'new-key'])
  const event: OnespanCallbackEvent = verifier.verify('Basic new-key', '{"name":"PACKAGE_COMPLETE","packageId":"x"}')
  console.log(event.name, event.packageId)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
