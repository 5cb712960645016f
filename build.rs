//! Embeds every file under `lessons/` into the binary, so the tutor works from any directory
//! and a new lesson file needs no Rust change: the list is generated at build time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "csv")) {
            out.push(p);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let lessons = root.join("lessons");
    println!("cargo:rerun-if-changed=lessons");
    let mut files = Vec::new();
    collect(&lessons, &mut files);
    files.sort();
    let mut code = String::from("&[\n");
    for f in &files {
        let rel = f.strip_prefix(&lessons).expect("under lessons/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("embedded_lessons.rs"), code).expect("OUT_DIR is writable");
}
