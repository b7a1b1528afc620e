//! Settings from the editor: `initializationOptions` and `workspace/didChangeConfiguration`.
//!
//! Accepted shapes: the keys themselves, or the same object under `fwmigrate` (and, for
//! `initializationOptions`, under `settings`, as ruff accepts):
//!
//! ```json
//! { "target": "2026.06", "sdkVersion": "1.2.9", "select": ["FW0"], "ignore": ["FW007"] }
//! ```
//!
//! They form the command-line layer over the configuration files. A key that is not valid is
//! reported to the user and left out; the others still apply.

use serde_json::Value;

use crate::adapter::Overrides;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientSettings {
    pub overrides: Overrides,
    /// The SDK version the project uses (`sdkVersion`), also passed to the engine through
    /// [`Overrides::sdk_version`].
    pub sdk_version: Option<String>,
}

/// The object holding our keys, wherever the client put it.
fn section_ref(value: &Value) -> Option<&serde_json::Map<String, Value>> {
    let obj = value.as_object()?;
    for key in ["fwmigrate", "settings"] {
        if let Some(inner) = obj.get(key)
            && inner.is_object()
        {
            return section_ref(inner);
        }
    }
    Some(obj)
}

/// A list of strings, or one comma-separated string.
fn string_list(v: &Value) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| format!("expected a string, found {i}"))
            })
            .collect(),
        other => Err(format!("expected a list of rule codes, found {other}")),
    }
}

/// The keys the editor may set, as `Overrides` names them in JSON.
const KEYS: &[&str] = &["target", "sdkVersion", "select", "extendSelect", "ignore"];

/// The keys that take a list of rule codes (a comma-separated string is accepted too).
const LISTS: &[&str] = &["select", "extendSelect", "ignore"];

impl ClientSettings {
    /// Read settings from `value`; returns them with one message per rejected key. Each key is
    /// read into [`Overrides`] with serde on top of the keys accepted before it, and kept only
    /// when the result is valid.
    pub fn from_value(value: &Value) -> (Self, Vec<String>) {
        let mut errors = Vec::new();
        let Some(obj) = section_ref(value) else {
            if !value.is_null() {
                errors.push(format!("settings must be an object, found {value}"));
            }
            return (ClientSettings::default(), errors);
        };
        let mut accepted = serde_json::Map::new();
        let mut overrides = Overrides::default();
        for (key, v) in obj {
            // Other keys belong to other tools or newer versions: ignored, as in ruff.
            if v.is_null() || !KEYS.contains(&key.as_str()) {
                continue;
            }
            let v = if LISTS.contains(&key.as_str()) {
                match string_list(v) {
                    Ok(list) => Value::from(list),
                    Err(e) => {
                        errors.push(format!("`{key}`: {e}"));
                        continue;
                    }
                }
            } else {
                match v.as_str() {
                    Some(s) => Value::from(s.trim()),
                    None => {
                        errors.push(format!("`{key}`: expected a string, found {v}"));
                        continue;
                    }
                }
            };
            let mut trial = accepted.clone();
            trial.insert(key.clone(), v);
            let parsed = serde_json::from_value::<Overrides>(Value::Object(trial.clone()))
                .map_err(|e| e.to_string())
                .and_then(|o| crate::adapter::validate(&o).map(|()| o));
            match parsed {
                Ok(o) => {
                    accepted = trial;
                    overrides = o;
                }
                Err(e) => errors.push(format!("`{key}`: {e}")),
            }
        }
        let settings = ClientSettings {
            sdk_version: overrides.sdk_version.clone(),
            overrides,
        };
        (settings, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_at_the_top_or_nested() {
        for value in [
            json!({"target": "2026.06", "sdkVersion": "1.2.9", "select": ["FW0"], "ignore": "FW007, FW006"}),
            json!({"fwmigrate": {"target": "2026.06", "sdkVersion": "1.2.9", "select": ["FW0"], "ignore": ["FW007", "FW006"]}}),
            json!({"settings": {"target": "2026.06", "sdkVersion": "1.2.9", "select": "FW0", "ignore": ["FW007", "FW006"]}}),
        ] {
            let (s, errors) = ClientSettings::from_value(&value);
            assert!(errors.is_empty(), "{errors:?}");
            assert_eq!(s.overrides.target.as_deref(), Some("2026.06"));
            assert_eq!(s.overrides.select, Some(vec!["FW0".to_string()]));
            assert_eq!(s.overrides.ignore, ["FW007", "FW006"]);
            assert_eq!(s.sdk_version.as_deref(), Some("1.2.9"));
        }
    }

    #[test]
    fn a_bad_key_is_reported_and_the_others_kept() {
        let (s, errors) = ClientSettings::from_value(&json!({
            "target": "2031.01",
            "ignore": ["FW007"],
            "select": 3,
            "lineLength": 100,
        }));
        assert_eq!(s.overrides.target, None);
        assert_eq!(s.overrides.select, None);
        assert_eq!(s.overrides.ignore, ["FW007"]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.starts_with("`target`")));
        assert!(errors.iter().any(|e| e.starts_with("`select`")));
        let (s, errors) = ClientSettings::from_value(&Value::Null);
        assert_eq!((s, errors.len()), (ClientSettings::default(), 0));
    }
}
