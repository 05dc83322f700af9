//! "Did you mean": the allowed word closest to a misspelt one (a key, a choice, a path).
//!
//! A candidate is close when it is at most two edits away (insert, delete, replace or swap
//! two neighbours: `portz` -> `ports`, `publik` -> `public`), or when one word is a prefix
//! of the other that leaves out at most a few letters (`replica` -> `replicas`, `resource`
//! -> `resources`, `env` -> `environment`). Words of one or two letters only match
//! exactly-but-for-case, so that `x` suggests nothing.

/// The candidate closest to `word`, if one is close (see the module); the first of equally
/// close ones.
///
/// ```
/// use k3score::suggest::closest;
/// let keys = ["name", "image", "replicas", "resources", "ports"];
/// assert_eq!(closest("replica", keys), Some("replicas"));
/// assert_eq!(closest("portz", keys), Some("ports"));
/// assert_eq!(closest("resource", keys), Some("resources"));
/// assert_eq!(closest("publik", ["public", "namespace", "private"]), Some("public"));
/// assert_eq!(closest("colour", keys), None);
/// ```
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let Some(score) = distance(&word_lower, &candidate.to_ascii_lowercase()) else {
            continue;
        };
        if best.is_none_or(|(s, _)| score < s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// How far `candidate` is from `word` when it is close (smaller is closer), else `None`.
fn distance(word: &str, candidate: &str) -> Option<usize> {
    if word == candidate {
        return Some(0);
    }
    let short = word.len().min(candidate.len());
    if short <= 2 {
        return None;
    }
    let edits = edit_distance(word, candidate);
    let limit = if short <= 4 { 1 } else { 2 };
    if edits <= limit {
        return Some(edits);
    }
    // A prefix that leaves out a few letters (`replica`, `res` is too short to say).
    let (shorter, longer) = if word.len() < candidate.len() {
        (word, candidate)
    } else {
        (candidate, word)
    };
    (shorter.len() >= 3 && longer.starts_with(shorter) && longer.len() - shorter.len() <= 8).then_some(edits)
}

/// Optimal string alignment distance (Levenshtein plus swaps of neighbours), on bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Three rows: two back (for swaps), the previous one and the current one.
    let mut older: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(older[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut older, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The end of a message about an unknown `word`: `did you mean "x"?` when a candidate is
/// close, else `use one of a, b, c` (`what` names the list: `the fields here are`), and the
/// suggestion on its own for callers that offer the fix.
///
/// ```
/// use k3score::suggest::hint;
/// let (text, suggestion) = hint("replica", &["name", "replicas"], "the fields here are");
/// assert_eq!((text.as_str(), suggestion.as_deref()), ("did you mean \"replicas\"?", Some("replicas")));
/// let (text, suggestion) = hint("colour", &["name", "replicas"], "the fields here are");
/// assert_eq!((text.as_str(), suggestion), ("the fields here are name, replicas", None));
/// ```
pub fn hint(word: &str, candidates: &[&str], what: &str) -> (String, Option<String>) {
    match closest(word, candidates.iter().copied()) {
        Some(close) => (format!("did you mean {close:?}?"), Some(close.to_owned())),
        None => (format!("{what} {}", candidates.join(", ")), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_are_found() {
        let keys = [
            "kind",
            "name",
            "image",
            "ports",
            "probes",
            "resources",
            "replicas",
            "expose",
            "env",
        ];
        for (typo, meant) in [
            ("replica", "replicas"),
            ("resource", "resources"),
            ("portz", "ports"),
            ("imgae", "image"),
            ("iamge", "image"),
            ("Image", "image"),
            ("expos", "expose"),
            ("prbes", "probes"),
            ("envs", "env"),
        ] {
            assert_eq!(closest(typo, keys), Some(meant), "{typo}");
        }
    }

    #[test]
    fn nothing_close_means_no_suggestion() {
        let keys = ["kind", "name", "image", "ports", "replicas"];
        for word in ["colour", "x", "zz", "volumes", "healthcheck", "k"] {
            assert_eq!(closest(word, keys), None, "{word}");
        }
        assert_eq!(closest("anything", std::iter::empty()), None);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("image", "imgae"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("publik", "public"), 1);
    }
}
