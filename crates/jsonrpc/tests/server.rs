//! The transport over real sockets: HTTP single and batch requests, the error codes,
//! oversized bodies, a panicking handler, and WebSocket subscriptions; plus property
//! tests that no body makes the dispatcher panic or answer malformed JSON-RPC.

use faultline_jsonrpc::{handle_body, serve, Params, RpcError, RpcModule, ServerConfig};
use futures::{SinkExt, StreamExt};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio_tungstenite::tungstenite::Message;

struct Ctx;

fn module() -> RpcModule<Ctx> {
    let mut m = RpcModule::new(Arc::new(Ctx));
    m.register("echo", |_, p: Params| async move {
        let (v,): (Value,) = p.parse()?;
        Ok(v)
    });
    m.register("add", |_, p: Params| async move {
        let (a, b): (u64, Option<u64>) = p.parse()?;
        Ok(json!(a + b.unwrap_or(0)))
    });
    m.register("boom", |_, _| async { panic!("handler bug") });
    m.register("revert", |_, _| async { Err(RpcError::execution_reverted(vec![0xde, 0xad].into())) });
    m.register("sleep", |_, p: Params| async move {
        let (ms,): (u64,) = p.parse()?;
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        Ok(json!(ms))
    });
    m.register_subscription("idle", |_, _| Ok(futures::stream::pending().boxed()));
    m.register_subscription("ticks", |_, p: Params| {
        let (n,): (Option<u64>,) = p.parse()?;
        Ok(futures::stream::iter((0..n.unwrap_or(3)).map(|i| json!(i))).boxed())
    });
    m
}

async fn start(config: ServerConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, module(), config, futures::future::pending()));
    format!("127.0.0.1:{}", addr.port())
}

async fn post_text(addr: &str, body: impl Into<String>) -> String {
    let r = reqwest::Client::new().post(format!("http://{addr}")).header("content-type", "application/json").body(body.into()).send().await.unwrap();
    r.text().await.unwrap()
}

async fn post(addr: &str, body: impl Into<String>) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("http://{addr}")).header("content-type", "application/json").body(body.into()).send().await.unwrap();
    let status = r.status().as_u16();
    let bytes = r.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn http_requests_batches_and_errors() {
    let addr = start(ServerConfig { max_request_bytes: 4096, ..Default::default() }).await;
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":"a","method":"add","params":[2,3]}"#).await;
    assert_eq!(v, json!({"jsonrpc":"2.0","id":"a","result":5}));
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[2]}"#).await;
    assert_eq!(v["result"], json!(2), "trailing optional param");
    let (_, v) = post(&addr, "{oops").await;
    assert_eq!((v["id"].clone(), v["error"]["code"].clone()), (Value::Null, json!(-32700)));
    let (_, v) = post(&addr, "[]").await;
    assert_eq!(v["error"]["code"], json!(-32600));
    let (_, v) = post(&addr, r#"{"jsonrpc":"1.0","id":1,"method":"add"}"#).await;
    assert_eq!(v["error"]["code"], json!(-32600));
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"anvil_nodeInfo"}"#).await;
    assert_eq!(v["error"]["code"], json!(-32601));
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"add","params":["x"]}"#).await;
    assert_eq!(v["error"]["code"], json!(-32602));
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"revert"}"#).await;
    assert_eq!(v["error"], json!({"code": 3, "message": "execution reverted", "data": "0xdead"}));

    // A batch keeps order, answers invalid entries in place and skips notifications.
    let (_, v) = post(
        &addr,
        r#"[{"jsonrpc":"2.0","id":1,"method":"add","params":[1,1]},
            {"jsonrpc":"2.0","method":"add","params":[5]},
            7,
            {"jsonrpc":"2.0","id":3,"method":"nope"},
            {"jsonrpc":"2.0","id":4,"method":"echo","params":["x"]}]"#,
    )
    .await;
    let a = v.as_array().expect("batch response");
    assert_eq!(a.len(), 4);
    assert_eq!(a[0]["result"], json!(2));
    assert_eq!(a[1]["error"]["code"], json!(-32600));
    assert_eq!(a[2]["error"]["code"], json!(-32601));
    assert_eq!(a[3]["result"], json!("x"));
    // Only notifications: nothing to answer.
    let (status, _) = post(&addr, r#"{"jsonrpc":"2.0","method":"add","params":[1]}"#).await;
    assert_eq!(status, 204);

    // Oversized body: a JSON-RPC error, and the server keeps serving.
    let big = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"echo","params":["{}"]}}"#, "a".repeat(8192));
    let (status, v) = post(&addr, big).await;
    assert_eq!((status, v["error"]["code"].clone()), (413, json!(-32600)));
    // A panicking handler: -32603, and the next request is served.
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"boom"}"#).await;
    assert_eq!(v["error"]["code"], json!(-32603));
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":2,"method":"add","params":[1,2]}"#).await;
    assert_eq!(v["result"], json!(3));
}

#[tokio::test]
async fn websocket_calls_and_subscriptions() {
    let addr = start(ServerConfig::default()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}")).await.unwrap();
    let recv = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| -> Value {
        loop {
            match ws.next().await.unwrap().unwrap() {
                Message::Text(t) => return serde_json::from_str(&t).unwrap(),
                _ => continue,
            }
        }
    };
    ws.send(Message::text(r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[4,4]}"#)).await.unwrap();
    assert_eq!(recv(&mut ws).await["result"], json!(8));
    ws.send(Message::text(r#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["ticks",2]}"#)).await.unwrap();
    let sub = recv(&mut ws).await["result"].as_str().expect("subscription id").to_string();
    for i in 0..2 {
        let note = recv(&mut ws).await;
        assert_eq!(note["method"], json!("eth_subscription"));
        assert_eq!(note["params"]["subscription"], json!(sub));
        assert_eq!(note["params"]["result"], json!(i));
    }
    ws.send(Message::text(format!(r#"{{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["{sub}"]}}"#))).await.unwrap();
    assert_eq!(recv(&mut ws).await["result"], json!(true));
    ws.send(Message::text(r#"{"jsonrpc":"2.0","id":4,"method":"eth_subscribe","params":["nope"]}"#)).await.unwrap();
    assert_eq!(recv(&mut ws).await["error"]["code"], json!(-32602));
    ws.send(Message::text("not json")).await.unwrap();
    assert_eq!(recv(&mut ws).await["error"]["code"], json!(-32700));
    // Subscriptions need a WebSocket: over HTTP they are refused.
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["ticks"]}"#).await;
    assert_eq!(v["error"]["code"], json!(-32601));
}

#[tokio::test]
async fn ids_are_echoed_exactly_as_sent() {
    let addr = start(ServerConfig::default()).await;
    // 2^64 + 1 does not fit a u64: a parsed number would come back as 1.8446744073709552e19.
    for id in ["18446744073709551617", "-18446744073709551617", "1.50", "1e3", r#""\u00e9x""#, "null", "0"] {
        let text = post_text(&addr, format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"add","params":[1,1]}}"#)).await;
        assert_eq!(text, format!(r#"{{"jsonrpc":"2.0","id":{id},"result":2}}"#));
    }
    let text = post_text(
        &addr,
        r#"[{"jsonrpc":"2.0","id":18446744073709551617,"method":"add","params":[1]},{"jsonrpc":"2.0","id":18446744073709551618,"method":"nope"}]"#,
    )
    .await;
    assert!(text.starts_with(r#"[{"jsonrpc":"2.0","id":18446744073709551617,"result":1},{"jsonrpc":"2.0","id":18446744073709551618,"error":"#), "{text}");
    // Errors echo it too, and so does a WebSocket.
    let text = post_text(&addr, r#"{"jsonrpc":"1.0","id":18446744073709551617,"method":"add"}"#).await;
    assert!(text.contains(r#""id":18446744073709551617,"#), "{text}");
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}")).await.unwrap();
    ws.send(Message::text(r#"{"jsonrpc":"2.0","id":18446744073709551617,"method":"eth_subscribe","params":["idle"]}"#)).await.unwrap();
    match ws.next().await.unwrap().unwrap() {
        Message::Text(t) => assert!(t.as_str().contains(r#""id":18446744073709551617,"#), "{t}"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn a_batch_past_its_time_budget_answers_the_rest_with_a_clear_error() {
    let config = ServerConfig { batch_timeout: std::time::Duration::from_millis(300), batch_concurrency: 2, ..Default::default() };
    let addr = start(config).await;
    let batch: Vec<Value> = (0..20).map(|i| json!({"jsonrpc":"2.0","id":i,"method":"sleep","params":[100]})).collect();
    let (_, v) = post(&addr, serde_json::to_string(&batch).unwrap()).await;
    let answers = v.as_array().expect("a batch answer");
    assert_eq!(answers.len(), 20);
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a["id"], json!(i), "answers keep the batch's order");
    }
    let ran = answers.iter().filter(|a| a["result"] == json!(100)).count();
    let refused: Vec<_> = answers.iter().filter(|a| a["error"]["code"] == json!(-32005)).collect();
    assert!((2..20).contains(&ran), "some ran, not all: {ran}");
    assert_eq!(ran + refused.len(), 20);
    let msg = refused[0]["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with("batch exceeded its time budget"), "{msg}");
    // A single request is not bound by the batch budget.
    let (_, v) = post(&addr, r#"{"jsonrpc":"2.0","id":1,"method":"sleep","params":[400]}"#).await;
    assert_eq!(v["result"], json!(400));
}

#[tokio::test]
async fn websocket_subscriptions_are_capped_per_connection() {
    let addr = start(ServerConfig::default()).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}")).await.unwrap();
    let mut last = Value::Null;
    let mut first = String::new();
    for i in 0..=faultline_jsonrpc::DEFAULT_MAX_SUBSCRIPTIONS {
        ws.send(Message::text(format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"eth_subscribe","params":["idle"]}}"#))).await.unwrap();
        last = loop {
            if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
                break serde_json::from_str(&t).unwrap();
            }
        };
        if i < faultline_jsonrpc::DEFAULT_MAX_SUBSCRIPTIONS {
            assert!(last["result"].is_string(), "subscription {i}: {last}");
        }
        if i == 0 {
            first = last["result"].as_str().unwrap_or_default().to_string();
        }
    }
    assert_eq!(last["error"]["code"], json!(-32005), "the 1001st is refused: {last}");
    assert!(last["error"]["message"].as_str().unwrap().contains("too many subscriptions"));
    // Unsubscribing frees a slot.
    let recv = async |ws: &mut tokio_tungstenite::WebSocketStream<_>| -> Value {
        loop {
            if let Message::Text(t) = ws.next().await.unwrap().unwrap() {
                return serde_json::from_str(&t).unwrap();
            }
        }
    };
    ws.send(Message::text(format!(r#"{{"jsonrpc":"2.0","id":"u","method":"eth_unsubscribe","params":["{first}"]}}"#))).await.unwrap();
    assert_eq!(recv(&mut ws).await["result"], json!(true));
    ws.send(Message::text(r#"{"jsonrpc":"2.0","id":"s","method":"eth_subscribe","params":["idle"]}"#)).await.unwrap();
    assert!(recv(&mut ws).await["result"].is_string());
}

fn well_formed(v: &Value) -> bool {
    let one = |o: &Value| {
        o["jsonrpc"] == json!("2.0")
            && o.get("id").is_some()
            && (o.get("result").is_some() ^ o.get("error").is_some())
            && o.get("error").is_none_or(|e| e["code"].is_i64() && e["message"].is_string())
    };
    match v {
        Value::Array(a) => !a.is_empty() && a.iter().all(one),
        o => one(o),
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[a-z_]{0,12}".prop_map(Value::String),
        Just(json!("2.0")),
        Just(json!("add")),
        Just(json!("echo")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![Just("jsonrpc".to_string()), Just("id".to_string()), Just("method".to_string()), Just("params".to_string()), "[a-z]{1,5}"],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_get_well_formed_answers(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let out = rt.block_on(handle_body(&module(), &ServerConfig::default(), &body));
        if let Some(text) = out {
            let v: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            prop_assert!(well_formed(&v), "{v}");
        }
    }

    #[test]
    fn arbitrary_json_gets_well_formed_answers(v in arb_json()) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let body = serde_json::to_vec(&v).unwrap();
        let out = rt.block_on(handle_body(&module(), &ServerConfig::default(), &body));
        if let Some(text) = out {
            let r: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
            prop_assert!(well_formed(&r), "{r}");
        }
    }
}
