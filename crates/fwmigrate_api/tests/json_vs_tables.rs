//! The field and parameter lists built from the generated tables say what the hand-made
//! `data/cookbook-api.json` said, for every class, recipe and function it lists at every release.

use fwmigrate_api::release::{CLASSES, FUNCTIONS};
use fwmigrate_api::{KNOWN_RECIPES, ParamKind, Release, Target, legacy};
use serde_json::Value;

const JSON: &str = include_str!("../data/cookbook-api.json");

fn fields(v: &Value) -> Vec<(String, bool)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let required = f["required"].as_bool().unwrap_or(false);
            (f["name"].as_str().unwrap().to_string(), required)
        })
        .collect()
}

fn params(v: &Value) -> Vec<(String, &'static str, bool)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let kind = match p["kind"].as_str().unwrap() {
                "positional" => "positional",
                "keyword" => "keyword",
                other => panic!("{other}"),
            };
            (
                p["name"].as_str().unwrap().to_string(),
                kind,
                p["required"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

fn ours_fields(f: &[fwmigrate_api::Field]) -> Vec<(String, bool)> {
    f.iter().map(|f| (f.name.clone(), f.required)).collect()
}

fn ours_params(p: &[fwmigrate_api::Param]) -> Vec<(String, &'static str, bool)> {
    p.iter()
        .map(|p| {
            let kind = match p.kind {
                ParamKind::Positional => "positional",
                ParamKind::Keyword => "keyword",
            };
            (p.name.clone(), kind, p.required)
        })
        .collect()
}

#[test]
fn tables_agree_with_the_hand_made_json() {
    let t0 = std::time::Instant::now();
    let api: Value = serde_json::from_str(JSON).unwrap();
    let json_time = t0.elapsed();
    let releases: [(&str, &Release); 3] = [
        ("legacy", legacy()),
        ("2026.06", Target::V2026_06.release()),
        ("2026.08", Target::V2026_08.release()),
    ];
    let mut disagreements: Vec<String> = Vec::new();
    let mut compared = 0;
    for (key, release) in releases {
        let json = &api[key];
        // Within the JSON, `required` is "no default".
        for (kind, items) in [
            ("class", &json["classes"]),
            ("function", &json["functions"]),
        ] {
            for (name, list) in items.as_object().unwrap() {
                for f in list.as_array().unwrap() {
                    let has_default = f.get("default").is_some_and(|d| !d.is_null());
                    let required = f["required"].as_bool().unwrap_or(false);
                    let member = f.get("value").is_some();
                    if !member && has_default == required {
                        disagreements.push(format!(
                            "{key} JSON {kind} {name}.{}: required={required} but default={}",
                            f["name"],
                            f.get("default").unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
        }
        for class in CLASSES {
            let theirs = json["classes"].get(*class).map(fields);
            let ours = release.class(class).map(ours_fields);
            if theirs.is_some() {
                compared += 1;
            }
            if theirs != ours {
                disagreements.push(format!(
                    "{key} class {class}:\n  json   {theirs:?}\n  tables {ours:?}"
                ));
            }
        }
        for name in json["classes"].as_object().unwrap().keys() {
            if !CLASSES.contains(&name.as_str()) {
                disagreements.push(format!("{key} class {name}: not in CLASSES"));
            }
        }
        for recipe in KNOWN_RECIPES {
            let theirs = json["recipes"]
                .get(*recipe)
                .map(|r| (fields(&r["config"]), params(&r["main"])));
            let ours = release
                .recipe(recipe)
                .map(|r| (ours_fields(&r.config), ours_params(&r.main)));
            if theirs.is_some() {
                compared += 1;
            }
            if theirs != ours {
                disagreements.push(format!(
                    "{key} recipe {recipe}:\n  json   {theirs:?}\n  tables {ours:?}"
                ));
            }
        }
        for name in json["recipes"].as_object().unwrap().keys() {
            if !KNOWN_RECIPES.contains(&name.as_str()) {
                disagreements.push(format!("{key} recipe {name}: not in KNOWN_RECIPES"));
            }
        }
        for function in FUNCTIONS {
            let theirs = json["functions"].get(*function).map(params);
            let ours = release.function(function).map(ours_params);
            if theirs.is_some() {
                compared += 1;
            }
            if theirs != ours {
                disagreements.push(format!(
                    "{key} function {function}:\n  json   {theirs:?}\n  tables {ours:?}"
                ));
            }
        }
        for name in json["functions"].as_object().unwrap().keys() {
            if !FUNCTIONS.contains(&name.as_str()) {
                disagreements.push(format!("{key} function {name}: not in FUNCTIONS"));
            }
        }
    }
    eprintln!(
        "compared {compared} items; JSON decode {json_time:?}, tables (all items) {:?}",
        t0.elapsed() - json_time
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
