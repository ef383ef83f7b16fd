//! Records the triple this crate is built for, so `is_host` can tell which cell links with
//! the system `cc` (the runtime crate's host archive is built for the same triple).

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET");
    println!("cargo:rustc-env=W2E_HOST_TRIPLE={target}");
    println!("cargo:rerun-if-changed=../targets.toml");
}
