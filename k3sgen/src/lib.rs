//! Spec files of every kind to Kubernetes bundles: one entry point for the `k3sgen` command,
//! the examples and `build.rs` scripts.
//!
//! - [`spec`]: recognise a spec file's kind (`App`, `Apps`, `Functions`, `Gateway`,
//!   `Platform`, `Tenant`, `Store`) and render it for a target.
//! - [`functions`]: read a function project's source folders and add the functions discovered
//!   in them.
//! - [`compose`]: recognise and render docker compose projects, with their warnings.
//! - [`output`]: write bundles to stdout or one file per component.
//!
//! ```
//! let spec = k3sgen::parse_spec("kind: App\nname: hello\nimage: nginx:1.27\n").unwrap();
//! let bundle = k3sgen::render_spec(&spec, &k3score::Target::local(), "default", &Default::default()).unwrap();
//! assert!(bundle.to_yaml().unwrap().contains("kind: Deployment"));
//! ```

pub mod compose;
pub mod error;
pub mod functions;
pub mod output;
pub mod spec;
pub mod target;

pub use compose::{COMPOSE_FILE_NAMES, ComposeOutput, is_compose, render_compose, render_compose_text};
pub use error::Error;
pub use functions::{discover_functions, read_sources, read_tree};
pub use output::emit;
pub use spec::{Spec, parse_spec, render_spec};
pub use target::with_ingress;
