// Browser-based eID against the simulator (`signbridge sim --port 8089`), typed: the three ways to
// get a result (polling, the browser's return, a webhook). Type-checked by `npm run typecheck`.
import {
  Client,
  ErrorCode,
  SIGNATURE_HEADER,
  WebhookVerifier,
  call,
  parseRedirect,
  type Identity,
  type SignbridgeError,
  type WebhookEvent,
  type ZignsecEid,
  type ZignsecEidTypes
} from 'signbridge'

const SIM = process.env.SIGNBRIDGE_ZIGNSEC_URL ?? 'http://127.0.0.1:8089'

const eid: ZignsecEid = new Client({
  zignsec: { baseUrl: SIM, keys: ['5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'] }
}).zignsecEid()

const session: ZignsecEidTypes.CreateSigning = {
  redirectSuccess: 'https://app.example/ok',
  redirectFailure: 'https://app.example/fail',
  relayState: 'login-42',
  locale: 'En'
}

type Created = Awaited<ReturnType<ZignsecEid['create']>>
type Result = Awaited<ReturnType<ZignsecEid['result']>>

/** Play the user on the simulator's hosted page (a real user opens redirectUrl in a browser). */
async function identify (created: Created, personalNumber: string): Promise<string> {
  await fetch(created.redirectUrl)
  const r = await fetch(`${SIM}/ui/eid/${created.id}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ personal_number: personalNumber, action: 'identify' }).toString()
  })
  return r.headers.get('location') ?? ''
}

function show (r: Result): void {
  const who: Identity | null = r.identity
  console.log(r.status, r.relayState, who?.fullName, who?.personalNumber, who?.dateOfBirth, r.rawResult)
}

async function main (): Promise<void> {
  // 1. Polling (every 2 s unless told otherwise), abortable.
  const se = await eid.create({ product: 'bankid_se', session, bankidSe: { personalNumber: '199001011234' } })
  await identify(se, '199001011234')
  show(await eid.wait({ product: 'bankid_se', sessionId: se.id, intervalMs: 500 }, { signal: AbortSignal.timeout(60_000) }))

  // 2. The browser's return to your target URL.
  const dk = await eid.create({ product: 'mitid', session, mitid: { level: 'Substantial', requestedAttributes: ['DATE_OF_BIRTH'] } })
  const back = await identify(dk, '0101901234')
  const outcome = await parseRedirect(back)
  console.log(outcome.success, outcome.relayState, outcome.errorCode)
  console.log((await call('zignsec.parse_redirect', { returned_url: back })).session_id)
  try {
    show(await eid.completeRedirect({ product: 'mitid', sessionId: dk.id, returnedUrl: back, expectedRelayState: 'login-42' }))
  } catch (e) {
    const err = e as SignbridgeError
    if (err.errno === ErrorCode.SB_ERR_CANCELLED) console.log('the user cancelled')
    else throw e
  }

  // Any product by its paths; one read without waiting.
  const fr = await eid.create({ product: 'freja', freja: { country: 'SE', ssn: '198212121236', attributesToReturn: ['BASIC_USER_INFO'] } })
  const no = await eid.create({ product: 'bankid_no', session: { relayState: 'no-1' } })
  const core = { category: 'identity_verification', product: 'bankid_se' }
  const generic = await eid.create({ core })
  const v5 = { provider: 'mitid', operation: 'auth' }
  const v5s = await eid.create({ v5, session: { metadata: { action: 'LogOn' } } })
  const reads = [
    eid.result({ product: 'freja', sessionId: fr.id }),
    eid.result({ product: 'bankid_no', sessionId: no.id }),
    eid.result({ core, sessionId: generic.id }),
    eid.result({ v5, sessionId: v5s.id })
  ]
  for (const read of reads) console.log((await read.catch(() => null))?.status)

  // 3. Webhooks: verify the raw body with the header, in any HTTP server.
  const verifier = new WebhookVerifier(['whsec-sim-0001'], { toleranceSeconds: 300 })
  const header: string | undefined = undefined
  try {
    const event: WebhookEvent = verifier.verify(header, Buffer.from('{}'))
    console.log(event.event, event.relayState, event.status, event.identity?.fullName)
    verifier.verifyLegacy('00', '{}')
  } catch (e) {
    console.log(SIGNATURE_HEADER, (e as SignbridgeError).code)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
