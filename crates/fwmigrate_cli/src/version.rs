//! What `fwmigrate --version` prints: the version, the commit it was built from when known, and
//! the newest cookbook target and fireworks-ai release this build knows.

use fwmigrate_api::Target;

/// The newest cookbook target and fireworks-ai SDK release this build has tables for. The one
/// place `--version` asks the API tables.
fn newest_known() -> (&'static str, &'static str) {
    let sdk = fwmigrate_api::sdk_versions()
        .last()
        .map_or("none", String::as_str);
    (Target::latest().as_str(), sdk)
}

/// The text after `fwmigrate ` for `--version` and `-V`; `commit` is `abcdef123 2026-07-20`.
pub(crate) fn version_text(commit: Option<&str>) -> String {
    let (target, sdk) = newest_known();
    let built = commit.map_or(String::new(), |c| format!(" ({c})"));
    format!(
        "{}{built}\nnewest target: {target}\nnewest fireworks-ai release: {sdk}",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_commit_only_when_known() {
        let (target, sdk) = newest_known();
        let tail = format!("\nnewest target: {target}\nnewest fireworks-ai release: {sdk}");
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(version_text(None), format!("{version}{tail}"));
        assert_eq!(
            version_text(Some("abcdef123 2026-07-20")),
            format!("{version} (abcdef123 2026-07-20){tail}")
        );
    }

    #[test]
    fn the_newest_sdk_release_is_the_highest_known() {
        let (_, newest) = newest_known();
        let newest: fwmigrate_api::SdkVersion = newest.parse().unwrap();
        for v in fwmigrate_api::sdk_versions() {
            assert!(
                v.parse::<fwmigrate_api::SdkVersion>().unwrap() <= newest,
                "{v}"
            );
        }
    }
}
