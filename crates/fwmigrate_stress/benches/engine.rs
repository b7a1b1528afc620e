//! Parse + every rule over representative legacy scripts (the rule fixtures and test case
//! inputs), in `--check` and in fix mode, and over a large plain module the prefilter rejects.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fwmigrate_engine::Mode;
use fwmigrate_parser::SourceKind;
use fwmigrate_rule::Target;
use fwmigrate_stress::{linter, seed_corpus};

fn engine(c: &mut Criterion) {
    let corpus = seed_corpus();
    let bytes: usize = corpus.iter().map(|(_, t)| t.len()).sum();
    let linter = linter(Target::default(), false);
    let path = Path::new("bench.py");

    let mut group = c.benchmark_group("legacy scripts");
    group.throughput(Throughput::Bytes(bytes as u64));
    for (name, mode) in [("check", Mode::Check), ("fix", Mode::Fix)] {
        group.bench_function(format!("{} files, {name}", corpus.len()), |b| {
            b.iter(|| {
                for (_, text) in &corpus {
                    black_box(linter.lint_python(path, text, SourceKind::Python, mode));
                }
            });
        });
    }
    group.finish();

    // A script the prefilter cannot reject but that has nothing to report: the cost of a parse
    // and every rule on ordinary code.
    // (`job_id` is a needle: the prefilter lets the module through.)
    let mut plain = String::from("import os\n# job_id\n");
    for i in 0..2000 {
        plain.push_str(&format!(
            "def f{i}(a, b=None):\n    x = [a, b, {{'k': os.path.join('a', str(a))}}]\n    return x\n\n"
        ));
    }
    let mut group = c.benchmark_group("plain module");
    group.throughput(Throughput::Bytes(plain.len() as u64));
    group.bench_function("parse + all rules", |b| {
        b.iter(|| black_box(linter.lint_python(path, &plain, SourceKind::Python, Mode::Check)));
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
