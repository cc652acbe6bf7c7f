//! The programs the differential runs: hand-written WAT, crafted code, the example guests,
//! spec-suite modules and seeded wasm-smith modules. Each comes loaded, with an input.

pub mod wat;

use std::path::PathBuf;
use std::sync::Arc;

use opml_vm::{Entry, Limits, Program, Value};

use crate::{Error, Result, repo_root};

/// A loaded program with its input, named for reports.
#[derive(Debug, Clone)]
pub struct Case {
    /// Where it comes from.
    pub name: String,
    /// The loaded program.
    pub program: Arc<Program>,
    /// Its input.
    pub input: Vec<u8>,
}

/// Limits for the small programs: a small call depth so exhaustion traps quickly.
fn small_limits() -> Limits {
    Limits {
        max_call_depth: wat::SMALL_CALL_DEPTH,
        max_memory_pages: 16,
        ..Limits::default()
    }
}

/// The WAT programs of [`wat::programs`].
pub fn wat_cases() -> Result<Vec<Case>> {
    wat::programs()
        .into_iter()
        .map(|(name, text, input)| {
            let bytes =
                ::wat::parse_str(&text).map_err(|e| Error::Program(format!("{name}: {e}")))?;
            let program = Program::load(&bytes, small_limits())
                .map_err(|e| Error::Program(format!("{name}: {e}")))?;
            Ok(Case {
                name,
                program: Arc::new(program),
                input,
            })
        })
        .collect()
}

/// The crafted-code cases of `opml_vm::crafted` (`docs/machine.md` §5.6), named
/// `crafted/<case>`: their vectors go to the `crafted` golden file.
pub fn crafted_cases() -> Vec<Case> {
    opml_vm::crafted::cases()
        .into_iter()
        .map(|c| Case {
            name: format!("{}/{}", crate::vectors::CRAFTED, c.name),
            program: c.program,
            input: c.input,
        })
        .collect()
}

/// The committed example guests (`guests/wasm/*.wasm`), with their sample input when present.
pub fn guest_cases() -> Result<Vec<Case>> {
    let dir = repo_root().join("guests/wasm");
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(out);
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
    {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let bytes = std::fs::read(&path).map_err(|e| Error::Io(path.display().to_string(), e))?;
        let program = Program::load(&bytes, Limits::default())
            .map_err(|e| Error::Program(format!("{}: {e}", path.display())))?;
        let input = guest_input(&stem);
        out.push(Case {
            name: format!("guest:{stem}"),
            program: Arc::new(program),
            input,
        });
    }
    Ok(out)
}

/// A guest's sample input: `guests/<name>/testdata/input.bin`, else `sample.bin`; `digits-f32`
/// reads the same images as `digits`. Empty when there is none (`kernels` runs without).
fn guest_input(stem: &str) -> Vec<u8> {
    let g = repo_root().join("guests");
    let dirs = [stem, if stem == "digits-f32" { "digits" } else { stem }];
    dirs.iter()
        .flat_map(|d| ["input.bin", "sample.bin"].map(|f| g.join(d).join("testdata").join(f)))
        .find_map(|p| std::fs::read(p).ok())
        .unwrap_or_default()
}

/// Where the spec suite lives: `$OPML_WASM_TESTSUITE`, else `../shared/wasm-testsuite`.
pub fn testsuite_dir() -> PathBuf {
    std::env::var_os("OPML_WASM_TESTSUITE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/wasm-testsuite"))
}

/// For each `.wast` file named, the first `per_file` `assert_return`/`assert_trap` invocations of
/// loadable modules, each as a program with `Entry::Invoke`. `None` when the suite is missing.
pub fn spec_cases(files: &[&str], per_file: usize) -> Result<Option<Vec<Case>>> {
    let dir = testsuite_dir();
    if !dir.is_dir() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for file in files {
        let path = dir.join(format!("{file}.wast"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| Error::Io(path.display().to_string(), e))?;
        out.extend(spec_file_cases(file, &text, per_file));
    }
    Ok(Some(out))
}

fn spec_file_cases(file: &str, text: &str, per_file: usize) -> Vec<Case> {
    use ::wast::parser::{self, ParseBuffer};
    use ::wast::{QuoteWat, Wast, WastDirective, WastExecute};
    let mut out = Vec::new();
    let Ok(buf) = ParseBuffer::new(text) else {
        return out;
    };
    let Ok(wast) = parser::parse::<Wast<'_>>(&buf) else {
        return out;
    };
    let mut module: Option<Vec<u8>> = None;
    for (i, d) in wast.directives.into_iter().enumerate() {
        if out.len() >= per_file {
            break;
        }
        let invoke = match d {
            WastDirective::Module(QuoteWat::Wat(mut w)) => {
                module = w.encode().ok();
                continue;
            }
            WastDirective::Module(_) => {
                module = None;
                continue;
            }
            WastDirective::AssertReturn {
                exec: WastExecute::Invoke(inv),
                ..
            }
            | WastDirective::AssertTrap {
                exec: WastExecute::Invoke(inv),
                ..
            }
            | WastDirective::Invoke(inv) => inv,
            _ => continue,
        };
        let (Some(bytes), None) = (&module, invoke.module) else {
            continue;
        };
        let Some(args) = invoke.args.iter().map(spec_arg).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let entry = Entry::Invoke {
            export: invoke.name.to_string(),
            args,
        };
        if let Ok(p) = Program::load_with_entry(bytes, small_limits(), entry) {
            out.push(Case {
                name: format!("spec:{file}#{i}:{}", invoke.name),
                program: Arc::new(p),
                input: vec![],
            });
        }
    }
    out
}

fn spec_arg(a: &::wast::WastArg<'_>) -> Option<Value> {
    use ::wast::WastArg;
    use ::wast::core::WastArgCore;
    match a {
        WastArg::Core(WastArgCore::I32(v)) => Some(Value::I32(*v)),
        WastArg::Core(WastArgCore::I64(v)) => Some(Value::I64(*v)),
        WastArg::Core(WastArgCore::F32(v)) => Some(Value::F32(v.bits)),
        WastArg::Core(WastArgCore::F64(v)) => Some(Value::F64(v.bits)),
        _ => None,
    }
}

/// The profile's wasm-smith configuration, with a 2-page memory and at least one export.
fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        max_memory32_bytes: 2 * 65536,
        min_exports: 1,
        min_funcs: 3,
        export_everything: true,
        ..opml_vm::smith::profile_config()
    }
}

/// Seeded wasm-smith modules: for each seed that loads, one case per exported function (up to
/// `per_module`), invoked with zero arguments.
pub fn smith_cases(seeds: std::ops::Range<u64>, per_module: usize) -> Vec<Case> {
    let mut out = Vec::new();
    for seed in seeds {
        let mut data = vec![0u8; 16 * 1024];
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for b in &mut data {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let mut u = arbitrary::Unstructured::new(&data);
        let Ok(module) = wasm_smith::Module::new(smith_config(), &mut u) else {
            continue;
        };
        let bytes = module.to_bytes();
        let Ok(inst) = Program::load_with_entry(&bytes, small_limits(), Entry::Instantiate) else {
            continue;
        };
        let mut n = 0;
        for export in export_funcs(&bytes) {
            if n >= per_module {
                break;
            }
            let Some(f) = inst.export(&export) else {
                continue;
            };
            let args = f.params.iter().map(|&t| Value::from_bits(t, 0)).collect();
            let entry = Entry::Invoke {
                export: export.clone(),
                args,
            };
            if let Ok(p) = Program::load_with_entry(&bytes, small_limits(), entry) {
                out.push(Case {
                    name: format!("smith:{seed}:{export}"),
                    program: Arc::new(p),
                    input: vec![],
                });
                n += 1;
            }
        }
    }
    out
}

/// Names of the exported functions of a wasm binary.
fn export_funcs(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::ExportSection(s)) = payload {
            for e in s.into_iter().flatten() {
                if e.kind == wasmparser::ExternalKind::Func {
                    out.push(e.name.to_string());
                }
            }
        }
    }
    out
}
