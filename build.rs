//! Compiles `proto/` with protox (a pure-Rust protobuf compiler), so building
//! the provider needs no `protoc` on the machine; and links the provider as
//! a position-dependent executable (see below).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = ["proto/tfplugin6.proto", "proto/go_plugin.proto"];
    for f in files {
        println!("cargo:rerun-if-changed={f}");
    }
    let fds = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure().build_client(true).build_server(true).compile_fds(fds)?;
    // Terraform starts the provider several times per command, so its start
    // is felt. A position-independent executable spends part of every start
    // relocating itself (some 9,500 pointers, and the pages they sit on
    // copied); linked at a fixed address, it starts about a fifth sooner
    // (bench/NOTES.md). Shared libraries, heap and stacks are still placed at
    // random; the executable itself is not, as with the Go toolchain's
    // default build that most Terraform providers ship. Only the provider
    // binary: the tests and the simulator are linked as usual.
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=terraform-provider-oomnitza=-no-pie");
    }
    Ok(())
}
