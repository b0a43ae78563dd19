//! `oomnitza-docs`: writes the registry documentation in `docs/` from the
//! provider's schemas and the templates in `templates/`; with `--check`,
//! only says whether the committed pages are what it would write. With
//! `--check-swagger FILE`, it compares the routes the provider's client
//! uses with an Oomnitza instance's Swagger document instead.
//!
//! ```text
//! cargo run --bin oomnitza-docs            # from the repository's root
//! cargo run --bin oomnitza-docs -- --check
//! cargo run --bin oomnitza-docs -- --check-swagger swagger.json
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use oomnitza_provider::docs;
use oomnitza_provider::oomnitza::swagger;
use oomnitza_provider::provider::OomnitzaProvider;

const REGENERATE: &str = "cargo run --bin oomnitza-docs";

/// Prints the route-by-route report; 0 when every route and field is
/// there, 1 when some is missing, 2 when the file cannot be read.
fn check_swagger(file: &std::path::Path) -> ExitCode {
    let doc = match std::fs::read_to_string(file)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).map_err(|e| format!("not JSON: {e}")))
    {
        Ok(d) => d,
        Err(e) => {
            eprintln!("oomnitza-docs: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    match swagger::check(&doc, oomnitza_api::routes::ALL) {
        Ok(reports) => {
            print!("{}", swagger::report(&reports));
            if swagger::all_found(&reports) {
                ExitCode::SUCCESS
            } else {
                println!("Routes marked modelled are this project's model of what Oomnitza does not publish; see docs/oomnitza-api.md.");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("oomnitza-docs: {}: {e}", file.display());
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let mut check = false;
    let mut root = PathBuf::from(".");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--check-swagger" => {
                let Some(file) = args.next() else {
                    eprintln!("oomnitza-docs: --check-swagger needs the Swagger document's file");
                    return ExitCode::from(2);
                };
                return check_swagger(&PathBuf::from(file));
            }
            "--help" | "-h" => {
                println!("usage: oomnitza-docs [--check] [REPO_ROOT]\n       oomnitza-docs --check-swagger FILE\n\nWrites docs/ from the provider's schemas and templates/; --check only compares.\n--check-swagger reports, route by route, whether an Oomnitza instance's Swagger\ndocument (Configuration > Integrations > REST APIs) has the routes and fields\nthe provider uses; exit 1 when any is missing.");
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
