use signbridge::providers::onespan::{CallbackEventName, CallbackVerifier};

async fn callbacks(client: &signbridge::Client, key: &str) -> signbridge::Result<()> {
    let events = [
        CallbackEventName::PackageComplete,
        CallbackEventName::PackageDecline,
    ];
    client
        .onespan()?
        .register_callback("https://app.example.com/onespan", key, &events)
        .await
}

fn on_delivery(verifier: &CallbackVerifier, authorization: Option<&str>, body: &[u8]) -> u16 {
    match verifier.verify(authorization, body) {
        Ok(event) => {
            println!("{} for {:?}", event.name, event.package_id);
            200
        }
        Err(e) if e.code() == signbridge::ErrorCode::WebhookInvalid => 401,
        Err(_) => 400,
    }
}
