//! The `app.kubernetes.io/*` recommended labels and stable selectors.
//!
//! Selectors use only `app.kubernetes.io/name` and `app.kubernetes.io/instance`: a
//! Deployment's selector is immutable, so it must never carry a version.

use std::collections::BTreeMap;

use crate::names::DnsLabel;

/// `app.kubernetes.io/name`
pub const NAME: &str = "app.kubernetes.io/name";
/// `app.kubernetes.io/instance`
pub const INSTANCE: &str = "app.kubernetes.io/instance";
/// `app.kubernetes.io/version`
pub const VERSION: &str = "app.kubernetes.io/version";
/// `app.kubernetes.io/component`
pub const COMPONENT: &str = "app.kubernetes.io/component";
/// `app.kubernetes.io/part-of`
pub const PART_OF: &str = "app.kubernetes.io/part-of";
/// `app.kubernetes.io/managed-by`
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// The value of `app.kubernetes.io/managed-by` on everything the suite renders.
pub const MANAGER: &str = "k3s-platform";

/// The identity of one workload, from which labels and selectors are derived.
///
/// ```
/// use k3score::labels::AppLabels;
/// let labels = AppLabels::new("orders".parse().unwrap())
///     .with_version("1.4.2")
///     .with_part_of("shop");
/// let all = labels.labels();
/// assert_eq!(all["app.kubernetes.io/version"], "1.4.2");
/// assert!(!labels.selector().contains_key("app.kubernetes.io/version"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppLabels {
    name: DnsLabel,
    instance: Option<String>,
    version: Option<String>,
    component: Option<String>,
    part_of: Option<String>,
}

impl AppLabels {
    /// Labels for the workload `name` (instance defaults to the name).
    #[must_use]
    pub fn new(name: DnsLabel) -> Self {
        Self {
            name,
            instance: None,
            version: None,
            component: None,
            part_of: None,
        }
    }

    /// Labels for the workload `name` running `image`: the version is the image's tag
    /// ([`image_version`]), if it has one.
    ///
    /// ```
    /// use k3score::labels::AppLabels;
    /// let labels = AppLabels::for_image("orders".parse().unwrap(), "ghcr.io/acme/orders:1.4.2");
    /// assert_eq!(labels.labels()["app.kubernetes.io/version"], "1.4.2");
    /// ```
    #[must_use]
    pub fn for_image(name: DnsLabel, image: &str) -> Self {
        let labels = Self::new(name);
        match image_version(image) {
            Some(version) => labels.with_version(version),
            None => labels,
        }
    }

    /// Sets `app.kubernetes.io/instance` (Default: the name).
    #[must_use]
    pub fn with_instance(mut self, instance: impl Into<String>) -> Self {
        self.instance = Some(instance.into());
        self
    }

    /// Sets `app.kubernetes.io/version`; values that are not valid label values are dropped
    /// from the labels (an image digest, for instance) since they are informative only.
    #[must_use]
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = label_value(version.into());
        self
    }

    /// Sets `app.kubernetes.io/component` (`api`, `database`, `function`); like the version,
    /// a value that is not a valid label value is left out of the labels.
    #[must_use]
    pub fn with_component(mut self, component: impl Into<String>) -> Self {
        self.component = label_value(component.into());
        self
    }

    /// Sets `app.kubernetes.io/part-of` (the project or platform); like the version, a value
    /// that is not a valid label value is left out of the labels.
    #[must_use]
    pub fn with_part_of(mut self, part_of: impl Into<String>) -> Self {
        self.part_of = label_value(part_of.into());
        self
    }

    /// The workload name.
    #[must_use]
    pub fn name(&self) -> &DnsLabel {
        &self.name
    }

    /// The stable selector: name and instance only.
    #[must_use]
    pub fn selector(&self) -> BTreeMap<String, String> {
        let instance = self.instance.clone().unwrap_or_else(|| self.name.to_string());
        BTreeMap::from([
            (NAME.to_owned(), self.name.to_string()),
            (INSTANCE.to_owned(), instance),
        ])
    }

    /// The value `key` has in [`AppLabels::selector`], if `key` is a selector label; a
    /// lookup that builds no map (validation asks it of every user label).
    ///
    /// ```
    /// use k3score::labels::{AppLabels, INSTANCE, NAME, VERSION};
    /// let labels = AppLabels::new("orders".parse().unwrap()).with_version("1.4.2");
    /// assert_eq!(labels.selector_value(INSTANCE), Some("orders"));
    /// assert_eq!(labels.selector_value(VERSION), None);
    /// assert_eq!(labels.selector_value(NAME), labels.selector().get(NAME).map(String::as_str));
    /// ```
    #[must_use]
    pub fn selector_value(&self, key: &str) -> Option<&str> {
        match key {
            NAME => Some(self.name.as_str()),
            INSTANCE => Some(self.instance.as_deref().unwrap_or(self.name.as_str())),
            _ => None,
        }
    }

    /// Every recommended label, for object metadata and pod templates.
    #[must_use]
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.selector();
        labels.insert(MANAGED_BY.to_owned(), MANAGER.to_owned());
        let optional = [
            (VERSION, &self.version),
            (COMPONENT, &self.component),
            (PART_OF, &self.part_of),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                labels.insert(key.to_owned(), value.clone());
            }
        }
        labels
    }
}

/// `value` if it is a valid label value, else `None`: the optional labels are informative, so
/// a value Kubernetes would refuse (an image digest) is left out. Checked once, when set,
/// rather than in every `labels()` (about eight per rendered app).
fn label_value(value: String) -> Option<String> {
    crate::names::check_label_value(&value).is_ok().then_some(value)
}

/// The version part of an image reference (`ghcr.io/acme/orders:1.4.2` -> `1.4.2`), if any.
///
/// ```
/// assert_eq!(k3score::labels::image_version("ghcr.io/acme/orders:1.4.2"), Some("1.4.2"));
/// assert_eq!(k3score::labels::image_version("localhost:5000/orders"), None);
/// ```
#[must_use]
pub fn image_version(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last.split_once(':').map(|(_, tag)| tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_never_has_version() {
        let labels = AppLabels::new("web".parse().unwrap())
            .with_version("2.0")
            .with_instance("web-prod");
        let selector = labels.selector();
        assert_eq!(selector.len(), 2);
        assert_eq!(selector[INSTANCE], "web-prod");
        assert_eq!(labels.labels()[MANAGED_BY], MANAGER);
    }

    #[test]
    fn invalid_version_is_not_a_label() {
        let labels = AppLabels::new("web".parse().unwrap()).with_version("sha256:abc+def");
        assert!(!labels.labels().contains_key(VERSION));
    }
}
