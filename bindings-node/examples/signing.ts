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
  type OnespanPage,
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
  const onespanSigning = client.signingWith('onespan')
  console.log(signing.provider, onespanSigning.provider)
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
    const done: CompletedSession = await signing.wait({ session: started.id }, options)
    const { pdf }: { pdf: Buffer } = await signing.download({ session: done.id, documentId: done.files[0].documentId })
    const { paths }: { paths: string[] } = await signing.saveAll({ session: done.id, dir: 'signed' })
    console.log(pdf.length, paths)
  } catch (e) {
    const err = e as SignbridgeError
    if (err.errno === ErrorCode.SB_ERR_REJECTED) console.log('declined:', err.providerDescription)
    else throw e
  }

  // OneSpan only: a transaction of its own, listing, downloads, callbacks.
  const onespan = client.onespan()
  const packageId: string = await onespan.createPackage({
    name: 'Boat sale',
    emailMessage: 'Please sign',
    signers: [{ roleId: 'buyer', email: 'kari@example.com', firstName: 'Kari', lastName: 'Nordmann' }],
    documents: [{ path: path.join(__dirname, 'contract.pdf'), fields: [{ roleId: 'buyer', page: 0, top: 600, left: 60 }] }],
    send: true
  })
  console.log(await onespan.signingUrl({ packageId, roleId: 'buyer' }))
  for await (const pkg of onespan.packages({ status: 'COMPLETED', pageSize: 20 })) {
    const p: OnespanPackage = pkg
    const zip = await onespan.download({ packageId: p.id, kind: 'zip' })
    const evidence = await onespan.download({ packageId: p.id, kind: 'evidence_summary', dir: 'evidence' })
    const bytes = zip.content // a Buffer in memory; absent when saved into a directory
    console.log(p.name, zip.fileName, bytes?.length, evidence.path)
  }
  const page: OnespanPage = await onespan.list({ search: 'Boat', pageSize: 10 })
  console.log(page.total, page.nextFrom)
  const verifier = new OnespanCallbackVerifier(['old-key', 'new-key'])
  const event: OnespanCallbackEvent = verifier.verify('Basic new-key', '{"name":"PACKAGE_COMPLETE","packageId":"x"}')
  console.log(event.name, event.packageId)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
