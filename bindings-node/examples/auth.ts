// ZignSec authentication beyond the subscription key, typed: OAuth2 client credentials (a bearer
// token sent with the key) and two-way TLS with a client certificate. Against the simulator:
//   signbridge sim --port 8089 --tls-dir certs/
// which prints its OAuth2 test client and the two-way TLS URL (https://localhost:PORT) and writes
// the test CA and client certificate into certs/. Type-checked by `npm run typecheck`.
import * as path from 'node:path'
import { Client, ErrorCode, type Config, type SecretSource, type SignbridgeError } from 'signbridge'

const SIM = process.env.SIGNBRIDGE_ZIGNSEC_URL ?? 'http://127.0.0.1:8089'
const TLS = process.env.SIGNBRIDGE_ZIGNSEC_TLS_URL ?? 'https://localhost:8443'
const CERTS = process.env.SIGNBRIDGE_CERTS ?? 'certs'
const key: SecretSource = process.env.SIGNBRIDGE_ZIGNSEC_KEY ?? '5f1c7a2e-0d3b-4c8e-9a61-2b7e4d9f0a11'

// OAuth2: the secret as a value here; `{ file: '/run/secrets/...' }` works for every secret.
const oauth: Config = {
  zignsec: {
    baseUrl: SIM,
    keys: [key],
    oauth2: {
      clientId: 'signbridge-sim-client',
      clientSecret: process.env.ZIGNSEC_CLIENT_SECRET ?? { file: '/run/secrets/zignsec-client-secret' },
      clientAuth: 'basic'
    }
  }
}

// Two-way TLS: certificate and key from files, the gateway's CA trusted in addition to the roots.
const mtls: Config = {
  zignsec: {
    baseUrl: TLS,
    keys: [{ file: path.join(CERTS, 'zignsec-key') }, key],
    clientCert: {
      cert: { file: path.join(CERTS, 'client.pem') },
      key: { file: path.join(CERTS, 'client-key.pem') }
    }
  },
  transport: { caFile: path.join(CERTS, 'ca.pem'), maxAttempts: 1 }
}

async function main (): Promise<void> {
  for (const [name, config] of [['oauth2', oauth], ['two-way TLS', mtls]] as const) {
    try {
      const session = await new Client(config).zignsecSigning().create({ relayState: name })
      console.log(`${name}: created ${session.id}`)
    } catch (e) {
      const err = e as SignbridgeError
      if (err.errno === ErrorCode.SB_ERR_AUTH) {
        console.log(`${name}: refused (${err.providerCode ?? err.code}): ${err.message}`)
      } else if (err.errno === ErrorCode.SB_ERR_TLS) {
        console.log(`${name}: TLS handshake failed: ${err.message}`)
      } else {
        throw e
      }
    }
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
