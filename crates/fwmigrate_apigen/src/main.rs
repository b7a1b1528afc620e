//! `fwmigrate-apigen`: regenerate (or check) the API tables and release registry embedded in
//! fwmigrate.

use std::path::PathBuf;
use std::process::ExitCode;

use fwmigrate_apigen::sources;

const USAGE: &str = "usage: fwmigrate-apigen --cookbook-repo DIR [--wheels DIR] [--input FILE] [--out DIR] [--check]

  --cookbook-repo DIR  a git repository with the cookbook's tags: a clone of fw-ai/cookbook, or
                       of the history bundle (`git clone cookbook-history.bundle DIR`)
  --wheels DIR         where the fireworks-ai and tinker wheels are (downloaded with pip when
                       missing); default: target/apigen-wheels
  --input FILE         the committed input (weekly snapshots, aliases, roles, narrowings, SDK
                       releases); default: crates/fwmigrate_apigen/history.toml
  --out DIR            where the data goes; default: crates/fwmigrate_api/data
  --check              compare with the files in --out instead of writing; exit 1 on drift";

fn main() -> ExitCode {
    let mut repo = None;
    let mut wheels = PathBuf::from("target/apigen-wheels");
    let mut input = sources::default_input();
    let mut out = PathBuf::from("crates/fwmigrate_api/data");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let parsed = match arg.as_str() {
            "--cookbook-repo" => value(&arg).map(|v| repo = Some(v)),
            "--wheels" => value(&arg).map(|v| wheels = v),
            "--input" => value(&arg).map(|v| input = v),
            "--out" => value(&arg).map(|v| out = v),
            "--check" => {
                check = true;
                Ok(())
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument `{other}`")),
        };
        if let Err(e) = parsed {
            eprintln!("fwmigrate-apigen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(repo) = repo else {
        eprintln!("fwmigrate-apigen: --cookbook-repo is required\n{USAGE}");
        return ExitCode::from(2);
    };
    let generated =
        sources::read_input(&input).and_then(|input| sources::generate(&repo, &wheels, &input));
    let generated = match generated {
        Ok(g) => g,
        Err(e) => {
            eprintln!("fwmigrate-apigen: {e}");
            return ExitCode::from(2);
        }
    };
    let mut drift = false;
    for (name, text) in &generated.files {
        let path = out.join(name);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                eprintln!("drift: {} differs from the sources", path.display());
                drift = true;
            }
        } else if let Err(e) =
            std::fs::create_dir_all(&out).and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("fwmigrate-apigen: {}: {e}", path.display());
            return ExitCode::from(2);
        } else {
            println!("wrote {} ({} bytes)", path.display(), text.len());
        }
    }
    let targets = generated
        .registry
        .cookbook
        .iter()
        .filter(|s| s.target)
        .count();
    println!(
        "{} cookbook snapshots ({targets} targets), {} SDK releases",
        generated.registry.cookbook.len(),
        generated.registry.sdk.len()
    );
    if drift {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
