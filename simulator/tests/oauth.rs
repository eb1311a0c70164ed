//! OAuth2 / OIDC (contract §2.2): discovery, the client-credentials token endpoint, the JWKS,
//! bearer-token checks on the ZignSec API, expiry on the simulated clock, faults and the counter.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use signbridge_sim::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY, JWKS_PATH, OIDC_DISCOVERY_PATH,
    TOKEN_PATH,
};

use common::Ctx;

async fn discovery(ctx: &Ctx) -> Value {
    let resp = ctx
        .http
        .get(ctx.url(OIDC_DISCOVERY_PATH))
        .send()
        .await
        .expect("discovery");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

/// Requests a token with client_secret_post.
async fn token_post(ctx: &Ctx, form: &[(&str, &str)]) -> reqwest::Response {
    ctx.http
        .post(ctx.url(TOKEN_PATH))
        .form(form)
        .send()
        .await
        .expect("token")
}

async fn token(ctx: &Ctx) -> String {
    let resp = token_post(
        ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    v["access_token"].as_str().expect("access_token").to_owned()
}

async fn oauth_error(resp: reqwest::Response, status: u16, error: &str) -> Value {
    assert_eq!(resp.status(), status);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["error"], error, "{v}");
    assert!(
        v["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{v}"
    );
    v
}

fn decode(seg: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(seg).expect("b64")).expect("json")
}

/// Calls the signing API with the given auth headers; returns status and first error.
async fn call(ctx: &Ctx, bearer: Option<&str>, key: Option<&str>) -> (u16, Value) {
    let mut req = ctx.http.post(ctx.url("/api/v5/sessions/signing"));
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    if let Some(k) = key {
        req = req.header("Zs-Product-Key", k);
    }
    let resp = req.json(&json!({})).send().await.expect("call");
    let status = resp.status().as_u16();
    let v: Value = resp.json().await.expect("json");
    (status, v["errors"][0].clone())
}

async fn control(ctx: &Ctx, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
    ctx.http
        .request(method, ctx.url(path))
        .json(&body)
        .send()
        .await
        .expect("control")
}

#[tokio::test]
async fn discovery_points_at_this_listener() {
    let ctx = common::start().await;
    let d = discovery(&ctx).await;
    let issuer = format!("{}/auth/realms/zignsec", ctx.sim.base_url());
    assert_eq!(d["issuer"], issuer);
    assert_eq!(
        d["token_endpoint"],
        format!("{issuer}/protocol/openid-connect/token")
    );
    assert_eq!(d["token_endpoint"], ctx.url(TOKEN_PATH));
    assert_eq!(d["jwks_uri"], ctx.url(JWKS_PATH));
    assert_eq!(d["grant_types_supported"], json!(["client_credentials"]));
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
}

#[tokio::test]
async fn token_with_post_and_basic_client_auth() {
    let ctx = common::start().await;
    let d = discovery(&ctx).await;
    let endpoint = d["token_endpoint"].as_str().expect("endpoint");

    let resp = ctx
        .http
        .post(endpoint)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("post auth");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 1200);
    assert_eq!(v["refresh_expires_in"], 0);
    assert_eq!(v["not-before-policy"], 0);
    assert_eq!(v["scope"], "");
    let tok = v["access_token"].as_str().expect("token");
    let parts: Vec<&str> = tok.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header = decode(parts[0]);
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["typ"], "JWT");
    let claims = decode(parts[1]);
    assert_eq!(claims["iss"], d["issuer"]);
    assert_eq!(claims["sub"], DEFAULT_CLIENT_ID);
    assert_eq!(claims["aud"], "zignsec-gateway");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(claims["exp"].as_i64().expect("exp"), iat + 1200);
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    // HTTP Basic client auth (client_secret_basic), with a scope echoed back.
    let resp = ctx
        .http
        .post(endpoint)
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "signing")])
        .send()
        .await
        .expect("basic auth");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["scope"], "signing");
    let claims = decode(
        v["access_token"]
            .as_str()
            .expect("token")
            .split('.')
            .nth(1)
            .expect("payload"),
    );
    assert_eq!(claims["sub"], DEFAULT_CLIENT_ID);
    assert_ne!(claims["jti"], decode(parts[1])["jti"]);
}

#[tokio::test]
async fn bad_client_credentials_and_requests_get_oauth_errors() {
    let ctx = common::start().await;
    let url = ctx.url(TOKEN_PATH);

    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    oauth_error(resp, 401, "invalid_client").await;

    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ],
    )
    .await;
    oauth_error(resp, 401, "invalid_client").await;

    let resp = ctx
        .http
        .post(&url)
        .basic_auth(DEFAULT_CLIENT_ID, Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("basic");
    assert!(resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Basic")));
    oauth_error(resp, 401, "invalid_client").await;

    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "password"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ],
    )
    .await;
    oauth_error(resp, 400, "unsupported_grant_type").await;

    let resp = token_post(
        &ctx,
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ],
    )
    .await;
    oauth_error(resp, 400, "invalid_request").await;

    let resp = token_post(&ctx, &[("grant_type", "client_credentials")]).await;
    oauth_error(resp, 400, "invalid_request").await;

    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
        ],
    )
    .await;
    oauth_error(resp, 400, "invalid_request").await;

    let resp = ctx
        .http
        .post(&url)
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("json body");
    oauth_error(resp, 400, "invalid_request").await;

    // Nothing was issued by any of these.
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/oauth"))
        .send()
        .await
        .expect("counter")
        .json()
        .await
        .expect("json");
    assert_eq!(v["tokens_issued"], 0);
}

#[tokio::test]
async fn token_verifies_against_the_jwks() {
    let ctx = common::start().await;
    let tok = token(&ctx).await;
    let jwks: Value = ctx
        .http
        .get(ctx.url(JWKS_PATH))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let keys = jwks["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let jwk = &keys[0];
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(jwk["alg"], "ES256");
    let (h, rest) = tok.split_once('.').expect("header");
    let (p, s) = rest.split_once('.').expect("payload");
    assert_eq!(decode(h)["kid"], jwk["kid"]);

    let x = URL_SAFE_NO_PAD
        .decode(jwk["x"].as_str().expect("x"))
        .expect("x");
    let y = URL_SAFE_NO_PAD
        .decode(jwk["y"].as_str().expect("y"))
        .expect("y");
    assert_eq!((x.len(), y.len()), (32, 32));
    let mut point = vec![4u8];
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let public =
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point);
    let sig = URL_SAFE_NO_PAD.decode(s).expect("sig");
    public
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .expect("signature verifies with the JWKS key");
    let mut tampered = sig.clone();
    tampered[0] ^= 1;
    assert!(public
        .verify(format!("{h}.{p}").as_bytes(), &tampered)
        .is_err());
}

#[tokio::test]
async fn bearer_needs_a_product_key_and_expires_on_the_sim_clock() {
    let ctx = common::start().await;
    let tok = token(&ctx).await;

    let (status, _) = call(&ctx, Some(&tok), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);

    // Bearer alone is not enough: the product key is required too (seed 000).
    let (status, err) = call(&ctx, Some(&tok), None).await;
    assert_eq!(status, 401);
    assert_eq!(err["code"], "UNAUTHORIZED");
    // A valid token with a wrong product key is a key problem: 403.
    let (status, err) = call(&ctx, Some(&tok), Some("not-a-key")).await;
    assert_eq!(status, 403);
    assert_eq!(err["code"], "FORBIDDEN");

    // A forged signature, and a token of another simulator (other key, other issuer).
    let mut forged: Vec<char> = tok.chars().collect();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let (status, err) = call(&ctx, Some(&forged), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 401);
    assert_eq!(err["statusCode"], 401);
    assert_eq!(err["description"], "invalid token signature");
    let other = common::start().await;
    let foreign = token(&other).await;
    let (status, err) = call(&ctx, Some(&foreign), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 401);
    assert_eq!(err["description"], "invalid token signature");

    // Short tokens, then jump the simulated clock past exp.
    let resp = control(
        &ctx,
        reqwest::Method::PUT,
        "/_sim/oauth",
        json!({"token_lifetime_s": 2}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let short = ctx
        .http
        .post(ctx.url(TOKEN_PATH))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token");
    let v: Value = short.json().await.expect("json");
    assert_eq!(v["expires_in"], 2);
    let short = v["access_token"].as_str().expect("token").to_owned();
    let (status, _) = call(&ctx, Some(&short), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);
    let resp = control(
        &ctx,
        reqwest::Method::POST,
        "/_sim/clock/advance",
        json!({"seconds": 3}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let resp = ctx
        .http
        .post(ctx.url("/api/v5/sessions/signing"))
        .bearer_auth(&short)
        .header("Zs-Product-Key", DEFAULT_PRIMARY_KEY)
        .json(&json!({}))
        .send()
        .await
        .expect("expired call");
    assert_eq!(resp.status(), 401);
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    let v: Value = resp.json().await.expect("json");
    assert_eq!(
        v,
        json!({"errors": [{"code": "UNAUTHORIZED", "description": "token expired", "statusCode": 401}]})
    );
    // The 1200 s token is still fine 3 s later.
    let (status, _) = call(&ctx, Some(&tok), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);
    // Key-only requests are unaffected while the bearer is optional.
    let (status, _) = call(&ctx, None, Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);
    // A non-JWT bearer value keeps the old answer: it is not a key, so 403.
    let (status, err) = call(&ctx, Some(DEFAULT_PRIMARY_KEY), None).await;
    assert_eq!((status, err["code"].clone()), (403, json!("FORBIDDEN")));
}

#[tokio::test]
async fn require_bearer_makes_the_token_mandatory() {
    let ctx = common::start().await;
    let tok = token(&ctx).await;
    let resp = control(
        &ctx,
        reqwest::Method::PUT,
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let v: Value = ctx
        .http
        .get(ctx.url("/_sim/zignsec/auth"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(v["require_bearer"], true);

    let (status, err) = call(&ctx, None, Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 401);
    assert_eq!(err["code"], "UNAUTHORIZED");
    // The legacy raw key in Authorization is no bearer either.
    let resp = ctx
        .http
        .get(ctx.url("/core/api/sessions/00000000-0000-0000-0000-000000000000"))
        .header("Authorization", DEFAULT_PRIMARY_KEY)
        .send()
        .await
        .expect("legacy");
    assert_eq!(resp.status(), 401);
    let (status, _) = call(&ctx, Some(&tok), Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);

    let resp = control(
        &ctx,
        reqwest::Method::PUT,
        "/_sim/zignsec/auth",
        json!({"require_bearer": false}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let (status, _) = call(&ctx, None, Some(DEFAULT_PRIMARY_KEY)).await;
    assert_eq!(status, 201);

    let resp = control(&ctx, reqwest::Method::PUT, "/_sim/zignsec/auth", json!({})).await;
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn token_endpoint_outage_via_faults() {
    let ctx = common::start().await;
    let resp = control(
        &ctx,
        reqwest::Method::POST,
        "/_sim/faults",
        json!({"kind": "status", "status": 500, "path_prefix": "/auth/", "count": 2}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    for _ in 0..2 {
        let resp = token_post(
            &ctx,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", DEFAULT_CLIENT_ID),
                ("client_secret", DEFAULT_CLIENT_SECRET),
            ],
        )
        .await;
        assert_eq!(resp.status(), 500);
    }
    // The fault is used up; the endpoint works again and the API is untouched meanwhile.
    let _ = token(&ctx).await;
    let resp = control(
        &ctx,
        reqwest::Method::POST,
        "/_sim/faults",
        json!({"kind": "status", "status": 503, "path_prefix": "/auth/realms/zignsec/.well-known/"}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let resp = ctx
        .http
        .get(ctx.url(OIDC_DISCOVERY_PATH))
        .send()
        .await
        .expect("discovery");
    assert_eq!(resp.status(), 503);
    let _ = discovery(&ctx).await;
}

#[tokio::test]
async fn counter_clients_and_lifetime_control() {
    let ctx = common::start().await;
    let get = || async {
        ctx.http
            .get(ctx.url("/_sim/oauth"))
            .send()
            .await
            .expect("get")
            .json::<Value>()
            .await
            .expect("json")
    };
    let v = get().await;
    assert_eq!(v["tokens_issued"], 0);
    assert_eq!(v["token_lifetime_s"], 1200);
    assert_eq!(v["clients"], json!([DEFAULT_CLIENT_ID]));

    let tokens = futures_util::future::join_all((0..5).map(|_| token(&ctx))).await;
    assert_eq!(tokens.len(), 5);
    assert_eq!(get().await["tokens_issued"], 5);
    // Token requests are in the request log (without header values).
    let log: Value = ctx
        .http
        .get(ctx.url("/_sim/requests"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let posts = log
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["path"] == TOKEN_PATH)
        .count();
    assert_eq!(posts, 5);

    let resp = control(&ctx, reqwest::Method::DELETE, "/_sim/oauth", json!({})).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(get().await["tokens_issued"], 0);

    // Replace the clients: the default one stops working.
    let resp = control(
        &ctx,
        reqwest::Method::PUT,
        "/_sim/oauth",
        json!({"clients": [{"client_id": "c2", "client_secret": "s2"}]}),
    )
    .await;
    assert_eq!(resp.status(), 204);
    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ],
    )
    .await;
    oauth_error(resp, 401, "invalid_client").await;
    let resp = token_post(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "c2"),
            ("client_secret", "s2"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(get().await["tokens_issued"], 1);

    for bad in [
        json!({"token_lifetime_s": 0}),
        json!({"token_lifetime_s": -1}),
    ] {
        let resp = control(&ctx, reqwest::Method::PUT, "/_sim/oauth", bad).await;
        assert_eq!(resp.status(), 400);
    }
}

#[tokio::test]
async fn config_sets_clients_and_lifetime() {
    let sim = signbridge_sim::Simulator::start(signbridge_sim::SimConfig {
        quiet: true,
        oauth_clients: vec![("app".to_owned(), "p@ss:w rd".to_owned())],
        token_lifetime_s: 60,
        ..signbridge_sim::SimConfig::default()
    })
    .await
    .expect("start");
    let http = common::client();
    // Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1).
    let resp = http
        .post(format!("{}{TOKEN_PATH}", sim.base_url()))
        .header(
            "Authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("app:p%40ss%3Aw+rd")
            ),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["expires_in"], 60);
    sim.shutdown().await;
}
