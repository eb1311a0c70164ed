use signbridge::providers::securosys::{
    ApproverKey, CreateKey, KeySpec, PayloadKind, Policy, SignOptions, TaskKind,
};
use signbridge::WaitOptions;
use std::time::Duration;

async fn two_of_three(
    client: &signbridge::Client,
    approvers: &[ApproverKey; 3],
) -> signbridge::Result<Vec<u8>> {
    let hsm = client.securosys()?;
    let members: Vec<(String, String)> = approvers
        .iter()
        .enumerate()
        .map(|(i, a)| (format!("approver-{i}"), a.public_key_b64()))
        .collect();
    // Any 2 of the 3, within an hour of each request.
    let policy = Policy::quorum(2, &members, 3600);
    hsm.create_key(&CreateKey::new("payments", KeySpec::Rsa2048).with_policy(policy))
        .await?;

    let alg = KeySpec::Rsa2048.default_signature_algorithm();
    let id = hsm
        .sign(
            "payments",
            b"pay 100 CHF",
            PayloadKind::Raw,
            &alg,
            &SignOptions::default(),
        )
        .await?;

    // Normally on each approver's side, with the approver API key.
    for approver in &approvers[..2] {
        for task in hsm
            .list_approval_tasks(approver, TaskKind::Sign, 25)
            .await?
        {
            hsm.approve(approver, &task).await?; // or hsm.reject(approver, &task.id)
        }
    }

    let opts = WaitOptions {
        interval: Duration::from_secs(2),
        timeout: Some(Duration::from_secs(600)),
        ..WaitOptions::default()
    };
    // The signature; or SB_ERR_REJECTED (quorum out of reach), SB_ERR_SESSION_EXPIRED (the
    // policy's timeout passed), SB_ERR_CANCELLED (cancel_request, or the key was deleted).
    hsm.wait_request(&id, &opts).await
}
