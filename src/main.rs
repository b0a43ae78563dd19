//! `terraform-provider-oomnitza`: started by Terraform, never by hand (except
//! with `--version` or `--debug`).

use std::process::ExitCode;

use oomnitza_provider::plugin::{self, Mode};
use oomnitza_provider::provider::OomnitzaProvider;

fn main() -> ExitCode {
    let mut mode = Mode::Managed;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--version" | "-v" | "version" => {
                println!("terraform-provider-oomnitza {} (plugin protocol 6)", oomnitza_provider::VERSION);
                return ExitCode::SUCCESS;
            }
            "--debug" => mode = Mode::Debug,
            "--help" | "-h" => {
                println!(
                    "terraform-provider-oomnitza {}\n\nA Terraform provider; Terraform starts it.\n\n  --version  print the version\n  --debug    serve for a debugger and print TF_REATTACH_PROVIDERS",
                    oomnitza_provider::VERSION
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; try --help");
                return ExitCode::from(2);
            }
        }
    }
    if mode == Mode::Managed {
        if let Err(e) = plugin::preflight() {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    }
    // The handshake line first: Terraform waits for nothing else, and sets
    // up its side of the connection while the rest below is built.
    let started = match plugin::announce(mode) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("terraform-provider-oomnitza: {e}");
            return ExitCode::from(1);
        }
    };
    plugin::log::init(plugin::log::level_from_env());

    // One thread: the provider waits on Terraform and the API far more than
    // it computes, and a single-threaded runtime spends no CPU handing tasks
    // between workers (measured: ~17% less provider CPU in a plan of 300).
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(plugin::serve(OomnitzaProvider::new(), started)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-oomnitza: {e}");
            ExitCode::from(1)
        }
    }
}
