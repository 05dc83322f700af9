//! `builder!`: builders for spec structs, without a proc-macro dependency.
//!
//! A builder has one setter per field (taking anything `Into` the field's type, chained on
//! `&mut Self`), fills unset fields with their defaults, and reports every unset required field
//! at once, each with its path (`name: missing: name must be set`).

/// Declares `$builder` for the struct `$target`: required fields (no default), defaulted fields
/// (`= expr`, optionally `as setter_name`) and optional fields (`Option<T>` in the struct, set
/// with a `T`). Every field of `$target` must be listed. The generated `build_unchecked` returns
/// `Result<$target, Errors>`; the crate adds a public `build` that also validates.
///
/// ```
/// #[derive(Debug, PartialEq)]
/// pub struct Spec { pub name: String, pub port: u16, pub host: Option<String> }
/// k3score::builder! {
///     /// Builds a [`Spec`].
///     pub struct SpecBuilder for Spec {
///         required { name: String }
///         defaulted { port: u16 = 8080 }
///         optional { host: String }
///     }
/// }
/// let spec = SpecBuilder::default().name("web").host("web.example.com").build_unchecked().unwrap();
/// assert_eq!(spec, Spec { name: "web".into(), port: 8080, host: Some("web.example.com".into()) });
/// let err = SpecBuilder::default().build_unchecked().unwrap_err();
/// assert_eq!(err.to_string(), "name: missing: name must be set");
/// ```
#[macro_export]
macro_rules! builder {
    (
        $(#[$meta:meta])*
        $vis:vis struct $builder:ident for $target:ident {
            required { $( $req:ident : $req_ty:ty ),* $(,)? }
            defaulted { $( $def:ident $(as $setter:ident)? : $def_ty:ty = $default:expr ),* $(,)? }
            optional { $( $opt:ident : $opt_ty:ty ),* $(,)? }
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default)]
        $vis struct $builder {
            $( $req: Option<$req_ty>, )*
            $( $def: Option<$def_ty>, )*
            $( $opt: Option<$opt_ty>, )*
        }

        impl $builder {
            $( $crate::builder!(@setter $target, $req, [], $req_ty); )*
            $( $crate::builder!(@setter $target, $def, [$($setter)?], $def_ty); )*
            $( $crate::builder!(@setter $target, $opt, [], $opt_ty); )*

            /// The value with every unset field at its default, without validation; every unset
            /// required field is reported.
            pub fn build_unchecked(&self) -> Result<$target, $crate::Errors> {
                let ($(Some($req),)*) = ($(self.$req.clone(),)*) else {
                    let mut problems = $crate::Problems::default();
                    $(
                        if self.$req.is_none() {
                            problems.push(
                                $crate::FieldPath::root().field(stringify!($req)),
                                $crate::ErrorKind::Missing(concat!(stringify!($req), " must be set").to_owned()),
                            );
                        }
                    )*
                    return Err(problems.finish(()).err().unwrap_or_default());
                };
                Ok($target {
                    $( $req, )*
                    $( $def: self.$def.clone().unwrap_or_else(|| $default), )*
                    $( $opt: self.$opt.clone(), )*
                })
            }
        }
    };
    (@setter $target:ident, $field:ident, [], $ty:ty) => {
        #[doc = concat!("Sets [`", stringify!($target), "::", stringify!($field), "`].")]
        pub fn $field(&mut self, value: impl Into<$ty>) -> &mut Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@setter $target:ident, $field:ident, [$name:ident], $ty:ty) => {
        #[doc = concat!("Sets [`", stringify!($target), "::", stringify!($field), "`].")]
        pub fn $name(&mut self, value: impl Into<$ty>) -> &mut Self {
            self.$field = Some(value.into());
            self
        }
    };
}
