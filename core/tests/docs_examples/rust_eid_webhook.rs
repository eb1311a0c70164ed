use signbridge::providers::zignsec::{BankIdSeOptions, EidProduct, EidRequest};
use signbridge::webhook::WebhookVerifier;

async fn identify(client: &signbridge::Client, returned_url: &str) -> signbridge::Result<()> {
    let eid = client.zignsec()?.eid();
    let request = EidRequest {
        relay_state: Some("order-42".into()),
        ..Default::default()
    };
    let session = eid.bankid_se(&request, &BankIdSeOptions::default()).await?;
    println!("send the user to {}", session.redirect_url);
    // ...later, with the URL the browser came back to (redirect_success / redirect_failure):
    let result = eid
        .complete_redirect(
            &EidProduct::bankid_se(),
            &session.id,
            returned_url,
            Some("order-42"),
        )
        .await?;
    println!("{:?}", result.identity);
    Ok(())
}

// In a webhook handler: the X-ZignSec-Hmac-SHA256 header and the raw body bytes.
fn on_delivery(verifier: &WebhookVerifier, header: &str, body: &[u8]) -> u16 {
    match verifier.verify(header, body) {
        Ok(event) => {
            println!("{} {:?} {:?}", event.event, event.relay_state, event.status);
            200
        }
        Err(e) if e.code() == signbridge::ErrorCode::WebhookReplay => 400,
        Err(_) => 401,
    }
}
