//! Spec files of every kind to Kubernetes bundles: one entry point for the `k3sgen` command,
//! the examples and `build.rs` scripts.
//!
//! - [`generate`](mod@generate): load paths (spec files, compose projects, function folders, directories
//!   holding any mix of them) and render them all for one [`Context`](k3score::Context),
//!   with every problem of every file at once ([`Diagnostic`]: file, line, column, field
//!   path) and the warnings.
//! - [`spec`]: recognise a spec file's kind (`App`, `Apps`, `Functions`, `Gateway`,
//!   `Platform`, `Tenant`, `Store`) and render it.
//! - [`functions`]: read a function project's source folders and add the functions
//!   discovered in them.
//! - [`compose`]: recognise and render docker compose projects, with their warnings.
//! - [`output`]: write bundles to a stream or one file per component.
//! - [`settings`]: preset, ingress controller, namespace, variables, threads and oldest
//!   Kubernetes, and the one place they become a [`Context`](k3score::Context).
//! - [`check`](mod@check): the report and verdict of `k3sgen check`.
//! - [`build`]: the `build.rs` entry point.
//! - [`schema`], [`explain`](mod@explain) (feature `schema`), [`starter`]: the JSON Schemas, field documentation and
//!   starter files behind `k3sgen schema`, `explain` and `new`.
//!
//! ```
//! use k3score::{Context, Target};
//! let inputs = k3sgen::discover(&["../examples/specs/orders.yaml"])?;
//! let ctx = Context::new(Target::local(), "shop".parse()?).with_variable("DB_HOST", "postgres");
//! let generated = k3sgen::generate(&inputs, &ctx);
//! // orders.yaml needs its secret values (examples/specs/local.env): every one is reported.
//! assert!(!generated.is_ok());
//! for problem in &generated.diagnostics {
//!     println!("{problem}"); // ../examples/specs/orders.yaml:17:3: error: env.API_KEY: secret ...
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod build;
pub mod check;
pub mod compose;
pub mod diagnostic;
pub mod error;
#[cfg(feature = "schema")]
pub mod explain;
pub mod files;
pub mod functions;
pub mod generate;
pub mod locate;
pub mod output;
#[cfg(feature = "schema")]
pub mod reference;
#[cfg(feature = "schema")]
pub mod schema;
pub mod settings;
pub mod spec;
pub mod starter;
pub mod target;

pub use check::{CheckReport, Verdict};
pub use compose::{COMPOSE_FILE_NAMES, ComposeOutput, is_compose, render_compose, render_compose_text};
pub use diagnostic::{Diagnostic, Severity};
pub use error::Error;
#[cfg(feature = "schema")]
pub use explain::{Explanation, explain};
pub use files::read_config_files;
pub use functions::{discover_functions, read_sources, read_tree, source_folders};
pub use generate::{Component, FUNCTIONS_FILE, Generated, Input, InputKind, discover, generate};
pub use locate::Locator;
pub use output::{Format, OUTPUT_MARKER, emit, stream, write_dir, write_dir_on, write_stream, write_stream_on};
pub use settings::{Settings, SettingsError};
pub use spec::{Spec, parse_spec, render, render_spec};
pub use target::with_ingress;
