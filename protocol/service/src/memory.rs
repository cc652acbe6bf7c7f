//! A process's peak resident memory, as Linux reports it (`VmHWM` in `/proc/<pid>/status`),
//! for the figures of the demo and the benchmarks. `None` where there is no `/proc`.

/// Peak resident memory of process `pid` in KiB (`VmHWM`), while it runs.
pub fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Resets this process's peak resident memory to its current resident memory (writing `5` to
/// `/proc/self/clear_refs`), so that [`peak_kib`] then tells the peak of what follows.
/// Whether it could.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_covers_what_was_touched_and_resets() {
        let me = std::process::id();
        let Some(before) = peak_kib(me) else {
            return; // no /proc here
        };
        assert!(before > 0);
        let big = vec![1u8; 64 << 20];
        std::hint::black_box(&big);
        let peak = peak_kib(me).unwrap();
        assert!(peak >= 64 << 10, "{peak} KiB after touching 64 MiB");
        drop(big);
        if reset_peak() {
            assert!(peak_kib(me).unwrap() < peak, "reset below the 64 MiB peak");
        }
    }
}
