//! `helm.cattle.io/v1`: HelmChartConfig.

mod helm_chart_config;

pub use self::helm_chart_config::{HelmChartConfig, HelmChartConfigSpec};
