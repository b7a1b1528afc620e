//! Model id validation and the FW401 sanitiser.

/// The longest model id the server accepts.
pub const MAX_LEN: usize = 63;

/// A character allowed in a model id.
pub fn is_id_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

/// 1–63 characters of `[a-z0-9-]`.
pub fn is_valid_model_id(id: &str) -> bool {
    (1..=MAX_LEN).contains(&id.chars().count()) && id.chars().all(is_id_char)
}

/// `<m>` of a full model resource name `accounts/<a>/models/<m>`.
pub fn model_of_resource_name(value: &str) -> Option<&str> {
    let rest = value.strip_prefix("accounts/")?;
    let (account, rest) = rest.split_once('/')?;
    let model = rest.strip_prefix("models/")?;
    (!account.is_empty() && !model.is_empty() && !model.contains('/')).then_some(model)
}

/// Turn a string into a model id (`docs/rules/FW401.md`): a full resource name becomes its model
/// part; then lower-case, replace each run of other characters with `-`, collapse repeated `-`, cut
/// to 63 characters, strip leading and trailing `-`. The result may be empty.
pub fn sanitize_model_id(value: &str) -> String {
    let base = model_of_resource_name(value).unwrap_or(value);
    let mut out = String::with_capacity(base.len());
    for c in base.chars() {
        let c = c.to_ascii_lowercase();
        let c = if is_id_char(c) { c } else { '-' };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    // Every character is ASCII now, so byte and character counts agree.
    out.truncate(MAX_LEN);
    out.trim_matches('-').to_string()
}

/// A human description of what breaks the charset in `text` (`` `_`, `.` and upper-case
/// letters``).
pub fn describe_bad_chars(text: &str) -> Option<String> {
    let mut upper = false;
    let mut others: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_id_char(c) {
            continue;
        }
        if c.is_ascii_uppercase() {
            upper = true;
        } else if !others.contains(&c) {
            others.push(c);
        }
    }
    let mut parts: Vec<String> = others
        .iter()
        .map(|c| match c {
            ' ' => "spaces".to_string(),
            '`' => "backticks".to_string(),
            c if c.is_control() => format!("{c:?}"),
            c => format!("`{c}`"),
        })
        .collect();
    if upper {
        parts.push("upper-case letters".to_string());
    }
    match parts.len() {
        0 => None,
        1 => Some(parts.remove(0)),
        n => {
            let last = parts.remove(n - 1);
            Some(format!("{} and {last}", parts.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        assert!(is_valid_model_id("qwen3-8b-math"));
        assert!(is_valid_model_id("a"));
        assert!(is_valid_model_id(&"a".repeat(63)));
        assert!(!is_valid_model_id(&"a".repeat(64)));
        assert!(!is_valid_model_id(""));
        assert!(!is_valid_model_id("Qwen3"));
        assert!(!is_valid_model_id("qwen3_8b"));
        assert!(!is_valid_model_id("accounts/me/models/qwen3"));
        assert!(!is_valid_model_id("qwen3-é"));
    }

    #[test]
    fn resource_names() {
        assert_eq!(
            model_of_resource_name("accounts/acme/models/Qwen3"),
            Some("Qwen3")
        );
        assert_eq!(model_of_resource_name("accounts/acme/models/"), None);
        assert_eq!(model_of_resource_name("accounts//models/x"), None);
        assert_eq!(model_of_resource_name("accounts/acme/models/x/y"), None);
        assert_eq!(model_of_resource_name("accounts/acme/datasets/x"), None);
        assert_eq!(model_of_resource_name("qwen3"), None);
    }

    #[test]
    fn sanitises_as_specified() {
        assert_eq!(
            sanitize_model_id("accounts/acme/models/Qwen3--8B_Math.final_"),
            "qwen3-8b-math-final"
        );
        assert_eq!(sanitize_model_id("Qwen3_8B_math.v2"), "qwen3-8b-math-v2");
        assert_eq!(sanitize_model_id("__My Model!!__"), "my-model");
        assert_eq!(sanitize_model_id("---"), "");
        assert_eq!(sanitize_model_id("___"), "");
        assert_eq!(sanitize_model_id("modèle-été"), "mod-le-t");
        // Cut to 63 first, then strip: a `-` at the cut goes.
        let long = format!("{}_{}", "a".repeat(62), "b".repeat(10));
        assert_eq!(sanitize_model_id(&long), "a".repeat(62));
        let long = "B".repeat(100);
        assert_eq!(sanitize_model_id(&long), "b".repeat(63));
        // The result is always valid or empty.
        for s in ["x.Y.z", "ÄÖÜ", "a/b/c", "accounts/a/models/M_1"] {
            let out = sanitize_model_id(s);
            assert!(out.is_empty() || is_valid_model_id(&out), "{s} -> {out}");
        }
    }

    #[test]
    fn describes_bad_characters() {
        assert_eq!(
            describe_bad_chars("Qwen3_8B_math.v2").as_deref(),
            Some("`_`, `.` and upper-case letters")
        );
        assert_eq!(describe_bad_chars("a b").as_deref(), Some("spaces"));
        assert_eq!(describe_bad_chars("ok-1"), None);
    }
}
