//! Fetches the playground's browser assets (GraphiQL and the React it runs
//! on) through npm at build time, checks them against the hashes pinned
//! below, and writes `playground_assets.rs` into `OUT_DIR` for
//! `src/playground.rs` to `include!`: the files are embedded with
//! `include_bytes!`, so the binary serves the playground with no internet.
//!
//! The tarballs come from `npm pack` (cached in `OUT_DIR`, so a rebuild does
//! not ask npm again) or, when `ROSTER_PLAYGROUND_TARBALLS` names a
//! directory, from `{dir}/{name}-{version}.tgz`. Where npm is missing or
//! fails, the build still succeeds with a warning and the page loads the
//! same versions from a CDN instead. A tarball whose hash differs from the
//! pin fails the build: that is tampering or a wrong file, never a reason
//! to fall back.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// One npm package: its pinned version, the sha256 of its registry tarball
/// (`npm pack name@version; sha256sum name-version.tgz`), and the files
/// taken from it (path in the tarball, then the name it is served under).
struct Package {
    name: &'static str,
    version: &'static str,
    sha256: &'static str,
    files: &'static [(&'static str, &'static str)],
}

/// GraphiQL 4.1.2 is the last release published as a UMD bundle (5.x ships
/// ES modules only); it runs on React 18, the last React with UMD builds.
/// graphql-ws is the client GraphiQL's own docs pair it with for
/// subscriptions.
const PACKAGES: [Package; 4] = [
    Package {
        name: "graphiql",
        version: "4.1.2",
        sha256: "6aa9cb6d82e656d38b72991264f41545889881e8dc23059199be3b94fff2ad05",
        files: &[
            ("package/graphiql.min.js", "graphiql.min.js"),
            ("package/graphiql.min.css", "graphiql.min.css"),
        ],
    },
    Package {
        name: "react",
        version: "18.3.1",
        sha256: "8d9bed01a672e7eaf387942d781ad47c6a43089a30a0306060f9fd5ac7870347",
        files: &[(
            "package/umd/react.production.min.js",
            "react.production.min.js",
        )],
    },
    Package {
        name: "react-dom",
        version: "18.3.1",
        sha256: "031d4427a99f2f3f6cac18bbbf308594a67e4f47d10f4896fdec446505b040e0",
        files: &[(
            "package/umd/react-dom.production.min.js",
            "react-dom.production.min.js",
        )],
    },
    // graphql-transport-ws for the playground's subscriptions; its UMD
    // bundle defines the global `graphqlWs`.
    Package {
        name: "graphql-ws",
        version: "6.4.2",
        sha256: "14516ff4e3feaeded14bd2fcad590276656e8f3b3cc427bfd63e21fa04d4f53c",
        files: &[("package/umd/graphql-ws.min.js", "graphql-ws.min.js")],
    },
];

/// The console's and elements' libraries (docs/architecture.md, "The
/// console"): Lit as its three packages, and graphql-ws's ES module client.
/// They are ES modules; the two bare imports Lit makes (`lit-html`,
/// `@lit/reactive-element`) are rewritten into relative paths by
/// [`rewrite_imports`], so no import map and no bundler is needed.
const CONSOLE_PACKAGES: [Package; 4] = [
    Package {
        name: "lit-html",
        version: "3.3.3",
        sha256: "ae004138a6327c362fee8e48db2a8ee9619a6ca3014c802857395e6ac447a0eb",
        files: &[
            ("package/lit-html.js", "lit-html.js"),
            ("package/directive.js", "directive.js"),
            ("package/directive-helpers.js", "directive-helpers.js"),
            ("package/directives/live.js", "directives/live.js"),
            ("package/directives/repeat.js", "directives/repeat.js"),
        ],
    },
    Package {
        name: "@lit/reactive-element",
        version: "2.1.2",
        sha256: "1fdaf29e5284fc7ffeab352c51edb3c017d73c4e98f0cd3dc53fb8dd555775e5",
        files: &[
            ("package/reactive-element.js", "reactive-element.js"),
            ("package/css-tag.js", "css-tag.js"),
        ],
    },
    Package {
        name: "lit-element",
        version: "4.2.2",
        sha256: "436004379d2f0ce912435c9cbcf9cabb28a3cfd9fb6823c7a7c6d686124b162e",
        files: &[("package/lit-element.js", "lit-element.js")],
    },
    Package {
        name: "graphql-ws",
        version: "6.4.2",
        sha256: "14516ff4e3feaeded14bd2fcad590276656e8f3b3cc427bfd63e21fa04d4f53c",
        files: &[
            ("package/dist/client.js", "client.js"),
            ("package/dist/common-CGW11Fyb.js", "common-CGW11Fyb.js"),
        ],
    },
];

/// Our own console modules, embedded from here and served under a
/// directory named after their hash.
const CONSOLE_DIR: &str = "assets/console";

const TARBALLS_VAR: &str = "ROSTER_PLAYGROUND_TARBALLS";
const NPM_VAR: &str = "ROSTER_PLAYGROUND_NPM";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed={TARBALLS_VAR}");
    println!("cargo:rerun-if-env-changed={NPM_VAR}");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let local = env::var_os(TARBALLS_VAR).map(PathBuf::from);

    let mut assets = Vec::new();
    let mut fallback = None;
    for package in &PACKAGES {
        let tarball = match &local {
            Some(dir) => {
                let path = dir.join(package.tarball_name());
                println!("cargo:rerun-if-changed={}", path.display());
                Ok(path)
            }
            None => npm_pack(package, &out_dir.join("npm")),
        };
        let tarball = match (tarball, &fallback) {
            (Ok(path), None) => path,
            (Err(why), None) => {
                println!(
                    "cargo:warning=the playground will load GraphiQL from a CDN: {}@{} is not available ({why})",
                    package.name, package.version
                );
                fallback = Some(why);
                continue;
            }
            (_, Some(_)) => continue,
        };
        let bytes =
            fs::read(&tarball).unwrap_or_else(|e| panic!("cannot read {}: {e}", tarball.display()));
        let actual = hex(&Sha256::digest(&bytes));
        assert_eq!(
            actual,
            package.sha256,
            "{} has sha256 {actual}, but build.rs pins {} for {}@{}",
            tarball.display(),
            package.sha256,
            package.name,
            package.version
        );
        let dir = out_dir.join("playground").join(package.dir());
        fs::create_dir_all(&dir).expect("create the assets directory in OUT_DIR");
        for (inner, served) in package.files {
            let content = extract(&bytes, inner)
                .unwrap_or_else(|| panic!("{} has no {inner}", tarball.display()));
            let path = dir.join(served);
            fs::write(&path, content).expect("write an asset into OUT_DIR");
            assets.push((format!("{}/{served}", package.dir()), path));
        }
    }
    let embedded = fallback.is_none();
    if !embedded {
        // A fallback build tries npm again when npm may have appeared.
        println!("cargo:rerun-if-env-changed=PATH");
    }
    fs::write(
        out_dir.join("playground_assets.rs"),
        generated(&assets, embedded),
    )
    .expect("write playground_assets.rs");
    console(&out_dir, local.as_deref());
}

/// Writes `console_assets.rs`: `CONSOLE_LIBS` (served path, bytes or
/// `None` without npm), `CONSOLE_FILES` (name, text) and `CONSOLE_HASH`,
/// the first 12 hex digits of the sha256 over both, which names the
/// directory they are served from.
fn console(out_dir: &Path, local: Option<&Path>) {
    let mut hasher = Sha256::new();
    let mut libs = String::from("const CONSOLE_LIBS: &[(&str, Option<&[u8]>)] = &[\n");
    for package in &CONSOLE_PACKAGES {
        let tarball = match local {
            Some(dir) => Ok(dir.join(package.tarball_name())),
            None => npm_pack(package, &out_dir.join("npm")),
        };
        let bytes = match tarball.and_then(|path| fs::read(&path).map_err(|e| e.to_string())) {
            Ok(bytes) => Some(bytes),
            Err(why) => {
                println!(
                    "cargo:warning=the console will not work: {}@{} is not available ({why})",
                    package.name, package.version
                );
                None
            }
        };
        if let Some(bytes) = &bytes {
            let actual = hex(&Sha256::digest(bytes));
            assert_eq!(
                actual, package.sha256,
                "{}@{} has sha256 {actual}, but build.rs pins {}",
                package.name, package.version, package.sha256
            );
        }
        for (inner, served) in package.files {
            let served = format!("{}/{served}", package.dir());
            let content = bytes.as_ref().map(|bytes| {
                let raw = extract(bytes, inner)
                    .unwrap_or_else(|| panic!("{} has no {inner}", package.name));
                let text = String::from_utf8(raw).expect("the libraries are UTF-8");
                rewrite_imports(&text, &served)
            });
            let value = match content {
                Some(text) => {
                    hasher.update(served.as_bytes());
                    hasher.update(text.as_bytes());
                    let path = out_dir.join("console").join(&served);
                    fs::create_dir_all(path.parent().expect("a file in a directory"))
                        .expect("create the console directory in OUT_DIR");
                    fs::write(&path, text).expect("write a console library");
                    format!(
                        "Some(include_bytes!({:?}))",
                        path.to_str().expect("OUT_DIR is UTF-8")
                    )
                }
                None => "None".to_owned(),
            };
            writeln!(libs, "    ({served:?}, {value}),").expect("write to a String");
        }
    }
    libs.push_str("];\n");

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = manifest.join(CONSOLE_DIR);
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("read assets/console")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".js") || name.ends_with(".css") || name.ends_with(".html"))
        .collect();
    names.sort();
    let mut files = String::from("const CONSOLE_FILES: &[(&str, &str)] = &[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        hasher.update(name.as_bytes());
        hasher.update(fs::read(&path).expect("read a console file"));
        let path = path.to_str().expect("the source path is UTF-8");
        writeln!(files, "    ({name:?}, include_str!({path:?})),").expect("write to a String");
    }
    files.push_str("];\n");
    let hash = &hex(&hasher.finalize())[..12];
    fs::write(
        out_dir.join("console_assets.rs"),
        format!("/// Generated by build.rs.\nconst CONSOLE_HASH: &str = {hash:?};\n{libs}{files}"),
    )
    .expect("write console_assets.rs");
}

/// Lit's two bare imports as paths relative to `served` (a library file's
/// served path), so a browser resolves them against the file's own URL,
/// on whatever origin loaded it.
fn rewrite_imports(text: &str, served: &str) -> String {
    let depth = served.matches('/').count();
    let up = "../".repeat(depth);
    let targets = [
        (
            "\"@lit/reactive-element\"",
            "@lit/reactive-element-2.1.2/reactive-element.js",
        ),
        ("\"lit-html\"", "lit-html-3.3.3/lit-html.js"),
    ];
    targets.iter().fold(text.to_owned(), |text, (bare, path)| {
        text.replace(bare, &format!("\"{up}{path}\""))
    })
}

impl Package {
    /// As `npm pack` names it: `@scope/name` becomes `scope-name`.
    fn tarball_name(&self) -> String {
        let name = self.name.trim_start_matches('@').replace('/', "-");
        format!("{name}-{}.tgz", self.version)
    }

    /// The versioned directory the files are served from, so that they can
    /// be cached for good.
    fn dir(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }
}

/// `npm pack name@version` into `cache`, unless an earlier build already
/// put the tarball there. npm writes into a scratch directory first, so an
/// interrupted download never sits in the cache as a truncated tarball.
fn npm_pack(package: &Package, cache: &Path) -> Result<PathBuf, String> {
    let path = cache.join(package.tarball_name());
    if path.is_file() {
        return Ok(path);
    }
    let scratch = cache.join(format!("partial-{}", std::process::id()));
    fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let npm = env::var(NPM_VAR).unwrap_or_else(|_| "npm".into());
    let output = Command::new(&npm)
        .args(["pack", "--ignore-scripts", "--silent", "--pack-destination"])
        .arg(&scratch)
        .arg(format!("{}@{}", package.name, package.version))
        .output()
        .map_err(|e| format!("cannot run `{npm}`: {e}"));
    let packed = scratch.join(package.tarball_name());
    let result = match output {
        Ok(output) if output.status.success() && packed.is_file() => fs::rename(&packed, &path)
            .map_err(|e| e.to_string())
            .map(|()| path),
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
            Err(format!(
                "`{npm} pack` failed: {}",
                last.unwrap_or("no message")
            ))
        }
        Err(e) => Err(e),
    };
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// The file at `inner` in a gzipped tarball.
fn extract(tarball: &[u8], inner: &str) -> Option<Vec<u8>> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball));
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        if entry.path().ok()?.as_os_str() == inner {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).ok()?;
            return Some(content);
        }
    }
    None
}

/// `ASSETS`: every file as (served path, CDN address, bytes); the bytes
/// are `None` when the build fell back to the CDN.
fn generated(assets: &[(String, PathBuf)], embedded: bool) -> String {
    let mut code = String::from(
        "/// Generated by build.rs: the playground's files, embedded or not.\n\
         const ASSETS: &[(&str, &str, Option<&[u8]>)] = &[\n",
    );
    for package in &PACKAGES {
        for (inner, served) in package.files {
            let cdn = format!(
                "https://unpkg.com/{}@{}/{}",
                package.name,
                package.version,
                inner.trim_start_matches("package/")
            );
            let served = format!("{}/{served}", package.dir());
            let bytes = match assets.iter().find(|(s, _)| *s == served) {
                Some((_, path)) if embedded => {
                    let path = path.to_str().expect("OUT_DIR is UTF-8");
                    format!("Some(include_bytes!({path:?}))")
                }
                _ => "None".to_owned(),
            };
            writeln!(code, "    ({served:?}, {cdn:?}, {bytes}),").expect("write to a String");
        }
    }
    code.push_str("];\n");
    code
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").expect("write to a String");
        s
    })
}
