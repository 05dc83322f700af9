//! Invariants: derived names stay within Kubernetes limits, are deterministic and distinct.

use k3score::names::{check_dns1035_label, check_dns1123_label};
use k3sfn::{MAX_CRONJOB_NAME, MAX_NAME, object_name, to_function_name};
use proptest::prelude::*;

proptest! {
    #[test]
    fn object_names_fit(project in "[a-z][a-z0-9]{0,30}", function in "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") {
        for max in [MAX_NAME, MAX_CRONJOB_NAME] {
            let name = object_name(&project, &function, max);
            prop_assert!(name.len() <= max, "{}", name);
            prop_assert!(check_dns1035_label(&name).is_ok(), "{}", name);
            prop_assert_eq!(&name, &object_name(&project, &function, max));
        }
    }

    #[test]
    fn long_names_stay_distinct(a in "[a-z]{60,80}", b in "[a-z]{60,80}") {
        prop_assume!(a != b);
        prop_assert_ne!(object_name("shop", &a, MAX_CRONJOB_NAME), object_name("shop", &b, MAX_CRONJOB_NAME));
    }

    #[test]
    fn source_names_become_labels(ident in "[A-Za-z_][A-Za-z0-9_]{0,90}") {
        if let Some(name) = to_function_name(&ident) {
            prop_assert!(check_dns1123_label(name.as_str()).is_ok());
            prop_assert_eq!(Some(name), to_function_name(&ident));
        } else {
            prop_assert!(!ident.chars().any(|c| c.is_ascii_alphanumeric()), "{}", ident);
        }
    }
}
