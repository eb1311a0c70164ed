'use strict'
// An Express endpoint that receives ZignSec webhooks (eID and signing results) and authenticates
// each delivery with one call.
//
//   npm install express signbridge
//   WEBHOOK_SECRETS=whsec-sim-0001 PORT=3000 node express-webhook.js
//
// WEBHOOK_SECRETS is a comma-separated list (old and new during a rotation); the simulator's is
// `whsec-sim-0001`. Give `http://127.0.0.1:3000/webhooks/zignsec` as `webhook` when creating a
// session. Answers: 200 for a verified delivery, 401 for a bad signature (tampered body, wrong
// secret, no header), 400 for a stale timestamp or a replay. Any other status makes ZignSec
// deliver again later, signed anew.

const express = require('express')
const { WebhookVerifier, SIGNATURE_HEADER } = require('signbridge')

const secrets = (process.env.WEBHOOK_SECRETS || 'whsec-sim-0001').split(',').filter(Boolean)
// One verifier for the life of the process: it remembers accepted deliveries to refuse replays.
const verifier = new WebhookVerifier(secrets, { toleranceSeconds: 300 })

const app = express()

// express.raw keeps the body as the exact bytes received: the signature covers them.
app.post('/webhooks/zignsec', express.raw({ type: 'application/json' }), (req, res) => {
  let event
  try {
    event = verifier.verify(req.get(SIGNATURE_HEADER), req.body)
  } catch (err) {
    if (err.code === 'SB_ERR_WEBHOOK_INVALID') return res.status(401).send('bad signature')
    if (err.code === 'SB_ERR_WEBHOOK_REPLAY') return res.status(400).send('stale or replayed')
    throw err // anything else is a bug here: Express answers 500
  }
  // Authentic. Correlate with your own records by the relay state you gave at creation.
  console.log(JSON.stringify({
    event: event.event,
    sessionId: event.sessionId,
    relayState: event.relayState,
    status: event.status,
    name: event.identity?.fullName ?? null
  }))
  res.sendStatus(200)
})

const server = app.listen(Number(process.env.PORT || 3000), '127.0.0.1', () => {
  const { address, port } = server.address()
  console.log(`listening on http://${address}:${port}/webhooks/zignsec`)
})
