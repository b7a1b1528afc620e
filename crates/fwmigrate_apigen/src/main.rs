//! `fwmigrate-apigen`: regenerate (or check) the API tables embedded in fwmigrate.

use std::path::PathBuf;
use std::process::ExitCode;

use fwmigrate_apigen::{render_table, sources};

const USAGE: &str =
    "usage: fwmigrate-apigen --cookbook-src DIR [--wheels DIR] [--out DIR] [--check]

  --cookbook-src DIR  a folder with one subfolder per cookbook release (legacy, 2026.06, 2026.08,
                      opd-4df64177), each holding the cookbook's `training` package
  --wheels DIR        where the fireworks-ai and tinker wheels are (downloaded with pip when
                      missing); default: target/apigen-wheels
  --out DIR           where the tables go; default: crates/fwmigrate_api/data/tables
  --check             compare with the tables in --out instead of writing; exit 1 on drift";

fn main() -> ExitCode {
    let mut cookbook_src = None;
    let mut wheels = PathBuf::from("target/apigen-wheels");
    let mut out = PathBuf::from("crates/fwmigrate_api/data/tables");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cookbook-src" => cookbook_src = args.next().map(PathBuf::from),
            "--wheels" => wheels = args.next().map(PathBuf::from).unwrap_or(wheels),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--check" => check = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("fwmigrate-apigen: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(cookbook_src) = cookbook_src else {
        eprintln!("fwmigrate-apigen: --cookbook-src is required\n{USAGE}");
        return ExitCode::from(2);
    };
    let tables = match sources::all_tables(&cookbook_src, &wheels) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("fwmigrate-apigen: {e}");
            return ExitCode::from(2);
        }
    };
    let mut drift = false;
    for (name, table) in &tables {
        let path = out.join(name);
        let text = render_table(table);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                eprintln!("drift: {} differs from the source", path.display());
                drift = true;
            }
        } else if let Err(e) =
            std::fs::create_dir_all(&out).and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("fwmigrate-apigen: {}: {e}", path.display());
            return ExitCode::from(2);
        } else {
            println!("wrote {} ({} modules)", path.display(), table.modules.len());
        }
    }
    if drift {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
