//! Cases to requests: the body, path and method of each, and the rule its answer is held to.
use super::build::Ctx;
use super::checks::Route;
use super::json::J;
use super::onion;
use super::plan::{Case, Plan};

/// A request ready to go, and how to judge its answer.
pub struct Prepared {
    pub route: Route,
    pub label: String,
    pub method: reqwest::Method,
    pub path: &'static str,
    pub body: Vec<u8>,
    pub onion_key: Option<session_crypto::hop::HopKey>,
}

const PATHS: [&str; 9] = [
    "/info",
    "/info",
    "/storage_rpc/v1",
    "/onion_req/v2",
    "/json_rpc",
    "/nope",
    "/storage_rpc/v2",
    "/info/../storage_rpc/v1",
    "/%ff%00",
];

pub fn prepare(ctx: &Ctx, node_x: &session_crypto::X25519PublicKey, case: &Case) -> Prepared {
    let post = |route, label: &str, path, body: Vec<u8>| Prepared {
        route,
        label: label.to_owned(),
        method: reqwest::Method::POST,
        path,
        body,
        onion_key: None,
    };
    let storage = Route::Storage { wrapped: false };
    match case {
        Case::Storage(p) => {
            let label = match p {
                Plan::Rpc(c) if c.muts.is_empty() => format!("{:?}/{:?}", c.method, c.who),
                Plan::Rpc(c) => format!("{:?} mutated", c.method),
                Plan::Meta { kind, .. } => format!("{kind:?}"),
            };
            post(
                storage,
                &label,
                "/storage_rpc/v1",
                ctx.plan(p).render().into_bytes(),
            )
        }
        Case::StorageBytes(b) => post(storage, "bytes", "/storage_rpc/v1", b.clone()),
        Case::StorageJson(j) => post(
            storage,
            "json",
            "/storage_rpc/v1",
            ctx.junk(j).render().into_bytes(),
        ),
        Case::Onion(o) => {
            let built = onion::build(ctx, node_x, o);
            let label = if built.key.is_some() {
                "onion sealed"
            } else {
                "onion"
            };
            Prepared {
                onion_key: built.key,
                ..post(Route::Onion, label, "/onion_req/v2", built.body)
            }
        }
        Case::JsonRpc(muts) => {
            let mut params = J::Obj(vec![(
                "fields".into(),
                J::V(serde_json::json!({"public_ip": true})),
            )]);
            ctx.mutate_obj(&mut params, muts);
            let req = J::Obj(vec![
                ("jsonrpc".into(), J::s("2.0")),
                ("method".into(), J::s("get_n_service_nodes")),
                ("params".into(), params),
            ]);
            post(
                Route::Other,
                "json_rpc",
                "/json_rpc",
                req.render().into_bytes(),
            )
        }
        Case::Deep {
            shape,
            depth,
            json_rpc,
        } => {
            let body = deep(*shape, usize::from(*depth)).into_bytes();
            match json_rpc {
                true => post(Route::Other, "deep", "/json_rpc", body),
                false => post(storage, "deep", "/storage_rpc/v1", body),
            }
        }
        Case::Other { method, path, body } => {
            let methods = [
                reqwest::Method::GET,
                reqwest::Method::POST,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
            ];
            let path = PATHS[path % PATHS.len()];
            let route = if path == "/storage_rpc/v1" {
                storage
            } else if path == "/onion_req/v2" {
                Route::Onion
            } else {
                Route::Other
            };
            Prepared {
                method: methods[method % methods.len()].clone(),
                ..post(route, "other", path, body.clone())
            }
        }
    }
}

/// JSON nested `depth` deep: arrays, objects, or `ifelse` requests each holding the next.
fn deep(shape: u8, depth: usize) -> String {
    let (open, inner, close) = match shape {
        0 => ("[", "1", "]"),
        1 => (r#"{"a":"#, "1", "}"),
        _ => (
            r#"{"method":"ifelse","params":{"if":{"hf_at_least":[19,0]},"then":"#,
            r#"{"method":"info","params":{}}"#,
            "}}",
        ),
    };
    [open.repeat(depth), inner.to_owned(), close.repeat(depth)].concat()
}

impl Prepared {
    pub fn request(&self) -> (reqwest::Method, &'static str, Vec<u8>, String) {
        (
            self.method.clone(),
            self.path,
            self.body.clone(),
            self.label.clone(),
        )
    }
}
