// Browser-based eID against the simulator (`signbridge sim --port 8089`), typed: the three ways to
// get a result (polling, the browser's return, a webhook). Type-checked by `npm run typecheck`.
import {
  Client,
  EidProduct,
  ErrorCode,
  SIGNATURE_HEADER,
  WebhookVerifier,
  parseRedirect,
  type EidApi,
  type EidRequest,
  type EidResult,
  type EidSession,
  type Identity,
  type RedirectOutcome,
  type SignbridgeError,
  type WebhookEvent
} from 'signbridge'

const SIM = process.env.SIGNBRIDGE_ZIGNSEC_URL ?? 'http://127.0.0.1:8089'

const eid: EidApi = new Client({
  zignsec: { baseUrl: SIM, keys: ['5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'] }
}).zignsecEid()

const request: EidRequest = {
  redirectSuccess: 'https://app.example/ok',
  redirectFailure: 'https://app.example/fail',
  relayState: 'login-42',
  locale: 'En'
}

/** Play the user on the simulator's hosted page (a real user opens redirectUrl in a browser). */
async function identify (session: EidSession, personalNumber: string): Promise<string> {
  await fetch(session.redirectUrl)
  const r = await fetch(`${SIM}/ui/eid/${session.id}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ personal_number: personalNumber, action: 'identify' }).toString()
  })
  return r.headers.get('location') ?? ''
}

function show (r: EidResult): void {
  const who: Identity | null = r.identity
  console.log(r.status, r.relayState, who?.fullName, who?.personalNumber, who?.dateOfBirth, r.rawResult)
}

async function main (): Promise<void> {
  // 1. Polling (every 2 s unless told otherwise), abortable.
  const se = await eid.bankidSe(request, { personalNumber: '199001011234' })
  await identify(se, '199001011234')
  show(await eid.wait(EidProduct.bankidSe(), se.id, { intervalMs: 500, signal: AbortSignal.timeout(60_000) }))

  // 2. The browser's return to your target URL.
  const dk = await eid.mitid(request, { level: 'Substantial', requestedAttributes: ['DATE_OF_BIRTH'] })
  const back = await identify(dk, '0101901234')
  const outcome: RedirectOutcome = parseRedirect(back)
  console.log(outcome.success, outcome.relayState, outcome.errorCode)
  try {
    show(await eid.completeRedirect(EidProduct.mitid(), dk.id, back, 'login-42'))
  } catch (e) {
    const err = e as SignbridgeError
    if (err.errno === ErrorCode.SB_ERR_CANCELLED) console.log('the user cancelled')
    else throw e
  }

  // Any product by its paths; one read without waiting.
  const fr = await eid.freja(null, { country: 'SE', ssn: '198212121236', attributesToReturn: ['BASIC_USER_INFO'] })
  const no = await eid.bankidNo({ relayState: 'no-1' })
  const generic = await eid.create(EidProduct.core('identity_verification', 'bankid_se'), {})
  const v5 = await eid.create(EidProduct.v5('mitid', 'auth'), { metadata: { action: 'LogOn' } })
  for (const [product, s] of [[EidProduct.freja(), fr], [EidProduct.bankidNo(), no], [EidProduct.mitidCprMatch(), generic], [EidProduct.v5('mitid', 'auth'), v5]] as const) {
    console.log(product.createPath, (await eid.result(product, s.id).catch(() => null))?.status)
  }

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
