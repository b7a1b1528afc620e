//! `--output-format github`: GitHub Actions workflow commands, escaped as the Actions toolkit
//! does (`%`, CR and LF in the message; also `:` and `,` in properties such as `file=`).

use std::fs;
use std::process::{Command, Output};

fn run(dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fwmigrate"))
        .current_dir(dir)
        .args(["--check", "--output-format", "github", "."])
        .env_remove("NO_COLOR")
        .env_remove("FWMIGRATE_NO_PREFILTER")
        .output()
        .unwrap()
}

#[test]
fn github_escapes_file_properties() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("odd,na:me 100%.py"),
        "from training.utils import InfraConfig\n\n\
         X = InfraConfig(training_shape_id=\"accounts/fireworks/trainingShapes/x\")\n",
    )
    .unwrap();
    let out = run(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "::warning file=odd%2Cna%3Ame 100%25.py,line=3,col=5,endLine=3,endColumn=73,\
             title=fwmigrate (FW001)::FW001 `InfraConfig` is the legacy trainer config: the \
             cookbook takes `TrainerConfig` (`trainer=`) now"
        ],
        "{text}"
    );
}

#[test]
fn github_escapes_message_data() {
    let dir = tempfile::tempdir().unwrap();
    // A cookbook import (fwmigrate only reads files that use it); the model id holds a `%` and a
    // real newline (a `\n` escape in the literal), which FW401 quotes.
    fs::write(
        dir.path().join("p.py"),
        "from training.utils import TrainerConfig\n\n\n\
         def finish(client, name):\n    return client.promote_checkpoint(name=name, \
         output_model_id=\"Bad 50%\\nId\", base_model=\"accounts/fireworks/models/qwen3-8b\")\n",
    )
    .unwrap();
    let out = run(dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one command per finding, no raw newline: {text}"
    );
    let line = lines[0];
    assert!(
        line.starts_with(
            "::error file=p.py,line=5,col=65,endLine=5,endColumn=78,title=fwmigrate (FW401)::FW401 "
        ),
        "{line}"
    );
    let data = line.split_once("::FW401 ").unwrap().1;
    assert!(data.contains("`Bad 50%25%0AId`"), "{data}");
    assert!(!data.contains('\r'), "{data}");
    // Every `%` in the data starts an escape.
    assert!(
        data.match_indices('%').all(|(i, _)| ["%25", "%0A", "%0D"]
            .iter()
            .any(|e| data[i..].starts_with(e))),
        "{data}"
    );
}
