//! `oomnitza-docs`: writes the registry documentation in `docs/` from the
//! provider's schemas and the templates in `templates/`; with `--check`,
//! only says whether the committed pages are what it would write.
//!
//! ```text
//! cargo run --bin oomnitza-docs            # from the repository's root
//! cargo run --bin oomnitza-docs -- --check
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use oomnitza_provider::docs;
use oomnitza_provider::provider::OomnitzaProvider;

const REGENERATE: &str = "cargo run --bin oomnitza-docs";

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(".");
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => check = true,
            "--help" | "-h" => {
                println!("usage: oomnitza-docs [--check] [REPO_ROOT]\n\nWrites docs/ from the provider's schemas and templates/; --check only compares.");
                return ExitCode::SUCCESS;
            }
            other => root = PathBuf::from(other),
        }
    }
    let mut stale = Vec::new();
    for page in docs::pages(&OomnitzaProvider::new(), "oomnitza_") {
        let text = match docs::render(&root, &page) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("oomnitza-docs: {e}");
                return ExitCode::from(1);
            }
        };
        let path = root.join(&page.output);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            stale.push(page.output.display().to_string());
            continue;
        }
        if let Err(e) =
            path.parent().map(std::fs::create_dir_all).unwrap_or(Ok(())).and_then(|_| std::fs::write(&path, text))
        {
            eprintln!("oomnitza-docs: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("wrote {}", page.output.display());
    }
    if !stale.is_empty() {
        eprintln!(
            "These pages differ from what the schema and templates give: {}.\nRegenerate them with `{REGENERATE}` and commit the result.",
            stale.join(", ")
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
