//! The runtime contract: environment variables every function container gets.
//!
//! A function image runs one runtime (`command`/`args` of the project) that imports
//! `K3SFN_HANDLER` (`module:function`) and serves the trigger named by `K3SFN_TRIGGER`.

/// `module:function` of the handler.
pub const HANDLER: &str = "K3SFN_HANDLER";
/// The function's name.
pub const FUNCTION: &str = "K3SFN_FUNCTION";
/// `http`, `queue` or `schedule`.
pub const TRIGGER: &str = "K3SFN_TRIGGER";
/// HTTP: the port to listen on.
pub const PORT: &str = "K3SFN_PORT";
/// HTTP: the routed path prefix.
pub const PATH: &str = "K3SFN_PATH";
/// HTTP: accepted methods, comma separated (unset: any).
pub const METHODS: &str = "K3SFN_METHODS";
/// Queue: the Redis list.
pub const QUEUE_LIST: &str = "K3SFN_QUEUE_LIST";
/// Queue: Sentinel addresses, comma separated.
pub const QUEUE_ADDRESSES: &str = "K3SFN_QUEUE_ADDRESSES";
/// Queue: the Sentinel master name.
pub const QUEUE_MASTER: &str = "K3SFN_QUEUE_MASTER";
/// Queue: the Redis password (from its Secret).
pub const REDIS_PASSWORD: &str = "K3SFN_REDIS_PASSWORD";
/// Queue: the Sentinel password (from its Secret).
pub const SENTINEL_PASSWORD: &str = "K3SFN_SENTINEL_PASSWORD";
